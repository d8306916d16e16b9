/**
 * SelfSubjectAccessReview (authorization.k8s.io/v1): asks the API server whether the current
 * identity may do something before doing it, so `apply` refuses up front, naming the missing
 * permission, instead of failing halfway (or being unable to roll back).
 */
import type { KubeApi } from "./workloads.ts";

export interface AccessQuestion {
  verb: string;
  /** "deployments.apps", "pods", "namespaces": RBAC's resource.group form. */
  resource: string;
  namespace?: string;
  name?: string;
}

export interface AccessAnswer extends AccessQuestion {
  allowed: boolean;
  reason?: string;
}

export function splitResource(resource: string): { resource: string; group: string } {
  const dot = resource.indexOf(".");
  return dot === -1 ? { resource, group: "" } : { resource: resource.slice(0, dot), group: resource.slice(dot + 1) };
}

export async function reviewAccess(client: KubeApi, question: AccessQuestion): Promise<AccessAnswer> {
  const { resource, group } = splitResource(question.resource);
  const review = await client.request<{ status?: { allowed?: boolean; reason?: string; evaluationError?: string } }>("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
    method: "POST",
    body: {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: { verb: question.verb, group, resource, ...(question.namespace === undefined ? {} : { namespace: question.namespace }), ...(question.name === undefined ? {} : { name: question.name }) } },
    },
    verb: "create",
    resource: "selfsubjectaccessreviews.authorization.k8s.io",
  });
  const reason = review.status?.reason ?? review.status?.evaluationError;
  return { ...question, allowed: review.status?.allowed === true, ...(reason === undefined || reason === "" ? {} : { reason }) };
}

/** All questions at once; the answers in the same order. */
export function reviewAll(client: KubeApi, questions: readonly AccessQuestion[]): Promise<AccessAnswer[]> {
  return Promise.all(questions.map((q) => reviewAccess(client, q)));
}
