import type { Rule } from "../types.ts";
import { containerConfigError } from "./container-config-error.ts";
import { containerCreateError } from "./container-create-error.ts";
import { containerExitError } from "./container-exit-error.ts";
import { crashLoopBackOff } from "./crash-loop-back-off.ts";
import { cronJobFailed } from "./cronjob-failed.ts";
import { daemonSetUnavailable } from "./daemonset-unavailable.ts";
import { deploymentUnavailable } from "./deployment-unavailable.ts";
import { errorLogs } from "./error-logs.ts";
import { evicted } from "./evicted.ts";
import { gatewayMisconfigured } from "./gateway-misconfigured.ts";
import { hpaLimited } from "./hpa-limited.ts";
import { hpaMisconfigured } from "./hpa-misconfigured.ts";
import { imagePullError } from "./image-pull-error.ts";
import { ingressMisconfigured } from "./ingress-misconfigured.ts";
import { initContainerFailure } from "./init-container-failure.ts";
import { jobFailed } from "./job-failed.ts";
import { livenessProbeFailure } from "./liveness-probe-failure.ts";
import { networkPolicyIsolation } from "./network-policy-isolation.ts";
import { nodeNotReady } from "./node-not-ready.ts";
import { nodePressure } from "./node-pressure.ts";
import { nodeUnhealthy } from "./node-unhealthy.ts";
import { oomKilled } from "./oomkilled.ts";
import { pdbBlocking } from "./pdb-blocking.ts";
import { pullSecretMissing } from "./pull-secret-missing.ts";
import { pvcPending } from "./pvc-pending.ts";
import { readinessProbeFailure } from "./readiness-probe-failure.ts";
import { replicaFailure } from "./replica-failure.ts";
import { schedulingGated } from "./scheduling-gated.ts";
import { serviceEndpointsNotReady } from "./service-endpoints-not-ready.ts";
import { serviceNoEndpoints } from "./service-no-endpoints.ts";
import { startupProbeFailure } from "./startup-probe-failure.ts";
import { statefulSetMisconfigured } from "./statefulset-misconfigured.ts";
import { statefulSetUnavailable } from "./statefulset-unavailable.ts";
import { storageMisconfigured } from "./storage-misconfigured.ts";
import { stuckContainerCreating } from "./stuck-container-creating.ts";
import { unschedulable } from "./unschedulable.ts";
import { webhookUnavailable } from "./webhook-unavailable.ts";

/**
 * Every rule, in the order their findings are listed (the order of CATEGORIES: causes before
 * the symptoms they explain). One rule per file.
 */
export const RULES: readonly Rule[] = [
  crashLoopBackOff,
  oomKilled,
  imagePullError,
  containerConfigError,
  containerCreateError,
  containerExitError,
  initContainerFailure,
  livenessProbeFailure,
  readinessProbeFailure,
  startupProbeFailure,
  unschedulable,
  stuckContainerCreating,
  evicted,
  deploymentUnavailable,
  replicaFailure,
  jobFailed,
  serviceNoEndpoints,
  serviceEndpointsNotReady,
  pvcPending,
  nodeNotReady,
  nodePressure,
  hpaLimited,
  statefulSetUnavailable,
  daemonSetUnavailable,
  statefulSetMisconfigured,
  cronJobFailed,
  hpaMisconfigured,
  ingressMisconfigured,
  gatewayMisconfigured,
  networkPolicyIsolation,
  pdbBlocking,
  webhookUnavailable,
  storageMisconfigured,
  pullSecretMissing,
  schedulingGated,
  nodeUnhealthy,
  errorLogs,
];
