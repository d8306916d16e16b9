/**
 * Time thresholds shared by the rules, in seconds. One place, so that "recent" means the same
 * thing in every rule and the tests can name the boundary.
 */

/** A termination older than this, with the container running and ready since, is recovered. */
export const RECOVERED_AFTER_S = 60 * 60;

/** An OOM kill this recent still calls for more memory even when the container runs again. */
export const OOM_RECENT_S = 24 * 60 * 60;

/** A pod younger than this is still starting: waiting states are not yet failures. */
export const STARTING_GRACE_S = 60;

/** Probe failure events older than this are history, not a current failure. */
export const EVENT_RECENT_S = 60 * 60;

/** A pod Pending/ContainerCreating longer than this is stuck. */
export const STUCK_AFTER_S = 5 * 60;

/** Restarts at or above this count with a waiting back-off make a crash loop. */
export const CRASHLOOP_MIN_RESTARTS = 1;

/**
 * A StatefulSet or DaemonSet short of ready replicas this long, while its pods show no definite
 * failure, is stuck: as long as a Deployment's default progress deadline.
 */
export const UNAVAILABLE_AFTER_S = 10 * 60;

/**
 * A pod still held by scheduling gates after this long waits on a controller that is absent,
 * stuck or out of quota: gates are lifted by a controller (a queue such as Kueue, a capacity
 * provisioner), usually within minutes.
 */
export const SCHEDULING_GATED_AFTER_S = 60 * 60;
