/**
 * The agent's decisions that need no I/O: how long to wait before trying again (delays as in
 * kube/backoff.ts), which old HAProxy workers to stop, which generation directories to remove.
 */
import { RetryBackoff } from "../kube/backoff";

/** Restarting a crashed HAProxy, retrying a reload that failed: 0.2 s, 0.4 s, ... 10 s. */
export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { initialMs: 200, maxMs: 10_000 };

/**
 * Old workers (those that still hold connections after a reload: WebSockets, long downloads)
 * are stopped this long after the reload that retired them, like HAProxy's `hard-stop-after`.
 * Generous, so a reload does not cut ordinary long-lived connections.
 */
export const DEFAULT_OLD_WORKER_TIMEOUT_MS = 60 * 60 * 1000;

/** Old workers retired at least `timeoutMs` ago. */
export function oldWorkersToStop(oldWorkerPids: number[], retiredAt: ReadonlyMap<number, number>, now: number, timeoutMs: number): number[] {
  return oldWorkerPids.filter((pid) => {
    const since = retiredAt.get(pid);
    return since !== undefined && now - since >= timeoutMs;
  });
}

/**
 * Generation directories no running worker was started from. The newest generation stays
 * even without a worker: it is what a restart after a crash loads.
 */
export function generationsToRemove(existing: number[], inUse: ReadonlySet<number>, newest: number): number[] {
  return existing.filter((g) => g !== newest && !inUse.has(g)).sort((a, b) => a - b);
}
