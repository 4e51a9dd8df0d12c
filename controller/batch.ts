// Batching as Contour does it: each change restarts a short hold-off, so a burst becomes one
// pass; a ceiling bounds how long a steady stream of changes can postpone it.

export interface BatchTimings {
  /** Quiet time after the last change before a pass runs. */
  holdOffMs: number;
  /** Longest wait from the first change of a batch. */
  maxDelayMs: number;
}

export const DEFAULT_BATCH: BatchTimings = { holdOffMs: 100, maxDelayMs: 1_000 };

/** When the pending pass should run: the hold-off after the latest change, never past the ceiling. */
export function passDueAt(firstChangeAt: number, latestChangeAt: number, timings: BatchTimings): number {
  return Math.min(latestChangeAt + timings.holdOffMs, firstChangeAt + timings.maxDelayMs);
}

/** Runs `pass` after changes settle; passes never overlap, changes during a pass schedule the next. */
export class Batcher {
  private firstChangeAt?: number;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly timings: BatchTimings = DEFAULT_BATCH,
    private readonly now: () => number = Date.now,
  ) {}

  /** A change happened; `immediately` skips the hold-off (the first pass, a retry). */
  trigger(immediately = false): void {
    if (this.stopped) return;
    const now = this.now();
    this.firstChangeAt ??= now;
    const due = immediately ? now : passDueAt(this.firstChangeAt, now, this.timings);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - now));
  }

  private fire(): void {
    this.timer = undefined;
    this.firstChangeAt = undefined;
    this.running = this.running.then(() => (this.stopped ? undefined : this.pass())).catch(this.onError);
  }

  /** Resolves when the pass in progress (if any) has finished. */
  idle(): Promise<void> {
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
