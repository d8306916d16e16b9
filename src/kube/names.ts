import { KubeClient } from "./client.ts";

const RESOURCES: Record<string, string> = {
  pod: "/api/v1/namespaces/{ns}/pods",
  deployment: "/apis/apps/v1/namespaces/{ns}/deployments",
  statefulset: "/apis/apps/v1/namespaces/{ns}/statefulsets",
  daemonset: "/apis/apps/v1/namespaces/{ns}/daemonsets",
  job: "/apis/batch/v1/namespaces/{ns}/jobs",
  service: "/api/v1/namespaces/{ns}/services",
  pvc: "/api/v1/namespaces/{ns}/persistentvolumeclaims",
  hpa: "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
  node: "/api/v1/nodes",
  namespace: "/api/v1/namespaces",
};

function flagValue(words: readonly string[], long: string, short?: string): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? "";
    if (w.startsWith(`${long}=`)) return w.slice(long.length + 1);
    if (w === long || (short !== undefined && w === short)) return words[i + 1];
  }
  return undefined;
}

/** Names for completion, read with a short timeout; any failure yields no candidates. */
export async function listObjectNames(kind: string, words: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const path = RESOURCES[kind];
  if (path === undefined) return [];
  const client = KubeClient.connect({ kubeconfig: flagValue(words, "--kubeconfig"), context: flagValue(words, "--context"), requestTimeoutMs: 3000, env });
  const namespace = flagValue(words, "--namespace", "-n") ?? client.context.namespace;
  const list = await client.request<{ items?: { metadata: { name: string } }[] }>(path.replace("{ns}", namespace), { verb: "list", resource: kind, namespace, query: { limit: 500 } });
  return (list.items ?? []).map((i) => i.metadata.name);
}
