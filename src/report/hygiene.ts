/**
 * Hygiene and security posture of the workloads' pod templates: one small named check per
 * concern, in an explicit list. Findings name the workload, container and (for secrets in env)
 * the variable — never a value.
 */
import { matchesSelector, type RuleContext } from "../diagnose/context.ts";
import type { Container, KubeObject, LabelSelector } from "../model/k8s.ts";
import { secretEnvNames } from "./secret-env.ts";
import { HYGIENE_CHECKS, type Hygiene, type HygieneCheck, type HygieneFinding } from "./types.ts";
import type { WorkloadInfo } from "./workloads.ts";

interface CheckInput {
  workload: WorkloadInfo;
  container: Container;
  pdbs: readonly KubeObject[];
}

type Check = (input: CheckInput) => Omit<HygieneFinding, "key" | "workload" | "container" | "security">[];

const SECURITY: ReadonlySet<HygieneCheck> = new Set(["privileged", "runs-as-root", "secret-in-env"]);

const noRequests: Check = ({ container }) => {
  const missing = ["cpu", "memory"].filter((r) => container.resources?.requests?.[r] === undefined && container.resources?.limits?.[r] === undefined);
  return missing.length === 0 ? [] : [{ check: "no-requests", detail: `no ${missing.join(" or ")} request` }];
};

const noLimits: Check = ({ container }) =>
  container.resources?.limits?.["memory"] === undefined ? [{ check: "no-limits", detail: "no memory limit" }] : [];

const noProbes: Check = ({ workload, container }) =>
  workload.kind !== "Pod" && container.readinessProbe === undefined && container.livenessProbe === undefined
    ? [{ check: "no-probes", detail: "no readiness or liveness probe" }]
    : [];

const latestImage: Check = ({ container }) => {
  const image = container.image ?? "";
  if (image.includes("@sha256:")) return [];
  const lastPart = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastPart.includes(":") ? lastPart.slice(lastPart.indexOf(":") + 1) : undefined;
  if (tag !== undefined && tag !== "latest") return [];
  return [{ check: "latest-image", detail: `${image === "" ? "(no image)" : image}${tag === undefined ? " is untagged (:latest)" : ""}` }];
};

const privileged: Check = ({ container }) => (container.securityContext?.privileged === true ? [{ check: "privileged", detail: "privileged: true" }] : []);

const runsAsRoot: Check = ({ workload, container }) => {
  const pod = (workload.spec as { securityContext?: { runAsNonRoot?: boolean; runAsUser?: number } }).securityContext;
  const user = container.securityContext?.runAsUser ?? pod?.runAsUser;
  const nonRoot = container.securityContext?.runAsNonRoot ?? pod?.runAsNonRoot;
  if (user === 0) return [{ check: "runs-as-root", detail: "runAsUser: 0 (root)" }];
  if (nonRoot === false && user === undefined) return [{ check: "runs-as-root", detail: "runAsNonRoot: false and no runAsUser: root unless the image says otherwise" }];
  return [];
};

/**
 * Containers that do not forbid root (no runAsNonRoot: true, no non-zero runAsUser) are counted,
 * not listed: on most clusters that is nearly every container, and a list of thousands would
 * bury the findings that matter.
 */
export function rootNotPrevented(workload: WorkloadInfo, container: Container): boolean {
  const pod = (workload.spec as { securityContext?: { runAsNonRoot?: boolean; runAsUser?: number } }).securityContext;
  const user = container.securityContext?.runAsUser ?? pod?.runAsUser;
  const nonRoot = container.securityContext?.runAsNonRoot ?? pod?.runAsNonRoot;
  return nonRoot !== true && (user === undefined || user === 0);
}

const secretInEnv: Check = ({ container }) =>
  secretEnvNames(container).map((variable) => ({ check: "secret-in-env" as const, variable, detail: `${variable} has a literal value` }));

/** Once per workload, reported on its first container. */
const noPdb: Check = ({ workload, container, pdbs }) => {
  if (workload.kind === "Pod" || workload.kind === "DaemonSet" || workload.replicas < 2 || container !== workload.spec.containers[0]) return [];
  const covered = pdbs.some((pdb) => {
    const selector = (pdb.spec as { selector?: LabelSelector } | undefined)?.selector;
    return pdb.metadata.namespace === workload.namespace && selector !== undefined && matchesSelector(workload.podLabels, selector);
  });
  return covered ? [] : [{ check: "no-pdb", detail: `${workload.replicas} replicas, no PodDisruptionBudget` }];
};

const singleReplica: Check = ({ workload, container }) => {
  if ((workload.kind !== "Deployment" && workload.kind !== "StatefulSet") || container !== workload.spec.containers[0]) return [];
  const min = workload.hpa?.spec.minReplicas ?? workload.replicas;
  return workload.replicas === 1 && min <= 1 ? [{ check: "single-replica", detail: "1 replica" }] : [];
};

/** Why each check matters, printed once per check in the report rather than on every row. */
export const HYGIENE_WHY: Record<HygieneCheck, string> = {
  "no-requests": "the scheduler cannot place the pod by its needs, and it is evicted first under pressure",
  "no-limits": "a memory leak can take the node's memory from its neighbours",
  "no-probes": "traffic reaches it before it is ready, and a hung process is never restarted",
  "latest-image": "what runs changes without a rollout, and a rollback cannot go back",
  "no-pdb": "a node drain may take every replica down at once",
  "single-replica": "any restart, rollout or node loss is an outage",
  privileged: "a privileged container has full access to the node",
  "runs-as-root": "root in the container is one escape away from root on the node",
  "secret-in-env": "the value is readable by anyone who can read the workload; use valueFrom.secretKeyRef",
};

export const HYGIENE_RULES: readonly Check[] = [noRequests, noLimits, noProbes, latestImage, noPdb, singleReplica, privileged, runsAsRoot, secretInEnv];

export function assessHygiene(workloads: readonly WorkloadInfo[], ctx: Pick<RuleContext, "all">): Hygiene {
  const pdbs = ctx.all("PodDisruptionBudget");
  const findings: HygieneFinding[] = [];
  let notPrevented = 0;
  for (const workload of workloads) {
    for (const container of workload.spec.containers) {
      if (rootNotPrevented(workload, container)) notPrevented += 1;
      for (const rule of HYGIENE_RULES) {
        for (const found of rule({ workload, container, pdbs })) {
          const perWorkload = found.check === "no-pdb" || found.check === "single-replica";
          const finding: HygieneFinding = { ...found, key: "", security: SECURITY.has(found.check), workload: workload.ref };
          if (!perWorkload) finding.container = container.name;
          finding.key = [found.check, workload.ref, finding.container, finding.variable].filter((p) => p !== undefined).join(" ");
          findings.push(finding);
        }
      }
    }
  }
  const counts = Object.fromEntries(HYGIENE_CHECKS.map((c) => [c, 0])) as Record<HygieneCheck, number>;
  for (const f of findings) counts[f.check] += 1;
  return { findings, counts, workloads: workloads.length, rootNotPrevented: notPrevented };
}
