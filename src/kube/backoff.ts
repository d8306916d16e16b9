/**
 * Reconnect delays: exponential from `baseMs` to `maxMs` with "full jitter" (a random delay up to
 * the exponential bound), so many watchers of a restarted API server do not reconnect in step.
 * Pure: the random source is a parameter.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const bound = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  // Never below half the bound: a zero delay would hammer a server that is coming back.
  return Math.round(bound / 2 + (random() * bound) / 2);
}
