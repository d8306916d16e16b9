import { KubeClient } from "./client.ts";
import { collectionPath, rbacResourceOf, resolveDiagnoseKind } from "./kinds.ts";

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
  const spec = resolveDiagnoseKind(kind);
  if (spec === undefined) return [];
  const client = KubeClient.connect({ kubeconfig: flagValue(words, "--kubeconfig"), context: flagValue(words, "--context"), requestTimeoutMs: 3000, env });
  const namespace = flagValue(words, "--namespace", "-n") ?? client.context.namespace;
  const list = await client.request<{ items?: { metadata: { name: string } }[] }>(collectionPath(spec, namespace), { verb: "list", resource: rbacResourceOf(spec), namespace, query: { limit: 500 } });
  return (list.items ?? []).map((i) => i.metadata.name);
}
