/** Delays between attempts: `initialMs`, doubling each time, never more than `maxMs`. */
export interface RetryBackoff {
  initialMs: number;
  maxMs: number;
}

/** The delay before attempt `attempt` (1 for the first retry). */
export function backoffDelay(attempt: number, policy: RetryBackoff): number {
  return Math.min(policy.initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30), policy.maxMs);
}
