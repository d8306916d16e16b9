import type { Rule } from "../types.ts";
import { containerConfigError } from "./container-config-error.ts";
import { containerCreateError } from "./container-create-error.ts";
import { containerExitError } from "./container-exit-error.ts";
import { crashLoopBackOff } from "./crash-loop-back-off.ts";
import { deploymentUnavailable } from "./deployment-unavailable.ts";
import { evicted } from "./evicted.ts";
import { hpaLimited } from "./hpa-limited.ts";
import { imagePullError } from "./image-pull-error.ts";
import { initContainerFailure } from "./init-container-failure.ts";
import { jobFailed } from "./job-failed.ts";
import { livenessProbeFailure } from "./liveness-probe-failure.ts";
import { nodeNotReady } from "./node-not-ready.ts";
import { nodePressure } from "./node-pressure.ts";
import { oomKilled } from "./oomkilled.ts";
import { pvcPending } from "./pvc-pending.ts";
import { readinessProbeFailure } from "./readiness-probe-failure.ts";
import { replicaFailure } from "./replica-failure.ts";
import { serviceEndpointsNotReady } from "./service-endpoints-not-ready.ts";
import { serviceNoEndpoints } from "./service-no-endpoints.ts";
import { startupProbeFailure } from "./startup-probe-failure.ts";
import { stuckContainerCreating } from "./stuck-container-creating.ts";
import { unschedulable } from "./unschedulable.ts";

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
];
