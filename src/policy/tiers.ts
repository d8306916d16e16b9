/**
 * Tier classification (docs/policy.md, how a tier is computed): a pure function of the action, its target and the
 * policy. Nothing read from logs, events or an LLM reaches this function, so nothing of that
 * kind can lower a tier.
 */

export const TIERS = ["trivial", "low", "medium", "critical"] as const;
export type Tier = (typeof TIERS)[number];

/**
 * What a remediation does. `restart`, `scale`, `resources`, `hpa` and `rollback` are changes the
 * tool can propose and apply; the others describe a change a human makes (fix an image tag,
 * create a Secret, add node capacity) and are classified by what they touch; `investigate`
 * changes nothing.
 */
export const ACTION_TYPES = [
  "restart",
  "scale",
  "resources",
  "hpa",
  "rollback",
  "config",
  "image",
  "probe",
  "secret",
  "storage",
  "quota",
  "node",
  "delete",
  "investigate",
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface ActionInput {
  type: ActionType;
  /** Namespace of the target; absent for cluster-scoped targets. */
  namespace?: string;
  /** Kind of the object the action changes. */
  targetKind?: string;
  /** For restart: ready replicas of the pod's controller other than this pod. */
  otherReadyReplicas?: number;
  /** For scale. */
  replicas?: { from: number; to: number };
  /** For scale: bounds of an HPA targeting the workload. */
  hpa?: { min: number; max: number };
  /** Proposal built from low-confidence data or without metric history. */
  lowConfidence?: boolean;
}

export interface TierPolicy {
  protectedNamespaces: readonly string[];
}

export const DEFAULT_TIER_POLICY: TierPolicy = { protectedNamespaces: ["kube-system", "kube-public", "kube-node-lease"] };

const CLUSTER_SCOPED_KINDS = new Set(["Node", "Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "CustomResourceDefinition", "APIService"]);
const CRITICAL_KINDS = new Set(["Secret", "Role", "RoleBinding", "ServiceAccount", ...CLUSTER_SCOPED_KINDS]);

export function raiseTier(tier: Tier, steps = 1): Tier {
  const index = Math.min(TIERS.indexOf(tier) + steps, TIERS.length - 1);
  return TIERS[index] ?? "critical";
}

export function classifyAction(action: ActionInput, policy: TierPolicy = DEFAULT_TIER_POLICY): Tier {
  const base = classifyBase(action, policy);
  return action.lowConfidence ? raiseTier(base) : base;
}

function classifyBase(action: ActionInput, policy: TierPolicy): Tier {
  if (action.namespace === undefined && action.type !== "investigate") return "critical";
  if (action.namespace !== undefined && policy.protectedNamespaces.includes(action.namespace) && action.type !== "investigate") return "critical";
  if (action.targetKind !== undefined && CRITICAL_KINDS.has(action.targetKind)) return "critical";
  switch (action.type) {
    case "investigate":
      return "trivial";
    case "restart":
      return (action.otherReadyReplicas ?? 0) > 0 ? "trivial" : "low";
    case "scale":
      return classifyScale(action);
    case "resources":
    case "hpa":
    case "rollback":
    case "config":
    case "image":
    case "probe":
      return "medium";
    case "secret":
    case "storage":
    case "quota":
    case "node":
    case "delete":
      return "critical";
  }
}

function classifyScale(action: ActionInput): Tier {
  const replicas = action.replicas;
  if (replicas === undefined) return "medium";
  if (replicas.to === 0) return "critical";
  const delta = Math.abs(replicas.to - replicas.from);
  const relative = replicas.from === 0 ? Infinity : delta / replicas.from;
  if (delta > 2 || relative > 0.5) return "medium";
  const hpa = action.hpa;
  if (hpa !== undefined && (replicas.to < hpa.min || replicas.to > hpa.max)) return "medium";
  return "low";
}
