import type { KubeClient } from "./client.ts";

export interface Identity {
  username: string;
  groups: string[];
}

/**
 * Who the API server says we are (SelfSubjectReview, authentication.k8s.io/v1): the identity
 * records and approvals use, never a name the user typed.
 */
export async function whoAmI(client: KubeClient): Promise<Identity> {
  const review = await client.request<{ status?: { userInfo?: { username?: string; groups?: string[] } } }>("/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    method: "POST",
    body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    verb: "create",
    resource: "selfsubjectreviews.authentication.k8s.io",
  });
  return { username: review.status?.userInfo?.username ?? "unknown", groups: review.status?.userInfo?.groups ?? [] };
}
