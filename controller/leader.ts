// Leader election over a coordination.k8s.io Lease, so that of several controller replicas
// one reconciles and the others stand by (active/passive, as AGC's alb-controller runs).
// It follows client-go: a lease expires a lease duration after this replica last SAW it
// change, by its own clock (the holder's timestamps are never compared with ours), and a
// leader that could not renew within the renew deadline, which is shorter than the lease,
// stops writing before anyone else may take over.
import { KubeClient, isConflict, isNotFound } from "../kube/client";

/** The Lease the controller's replicas hold to lead. */
export const CONTROLLER_LEASE = "alb-controller";

export interface LeaseOptions {
  namespace: string;
  name: string;
  identity: string;
  /** How long a lease holds without renewal. Default 15 s. */
  leaseSeconds?: number;
  /** How long a leader keeps leading without a successful renewal. Default 2/3 of the lease. */
  renewDeadlineSeconds?: number;
  /** How often to try to acquire or renew. Default 2/15 of the lease. */
  retryPeriodSeconds?: number;
  log?: (msg: string) => void;
}

export interface LeaderTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** A bound on each acquire or renew request, so one hung request cannot eat the deadline. */
  attemptTimeoutMs: number;
}

/** client-go's jitter factor: a retry may come up to 1.2 retry periods later. */
const JITTER = 1.2;

/** The timings, client-go's defaults (15 s / 10 s / 2 s) scaled to the lease; refuses ones that could make two leaders. */
export function leaderTimings(o: Pick<LeaseOptions, "leaseSeconds" | "renewDeadlineSeconds" | "retryPeriodSeconds">): LeaderTimings {
  const lease = o.leaseSeconds ?? 15;
  const renew = o.renewDeadlineSeconds ?? (lease * 2) / 3;
  const retry = o.retryPeriodSeconds ?? (lease * 2) / 15;
  if (renew >= lease) throw new Error(`renew deadline (${renew} s) must be shorter than the lease duration (${lease} s)`);
  if (retry * JITTER >= renew) throw new Error(`retry period (${retry} s) must be shorter than the renew deadline (${renew} s) divided by ${JITTER}`);
  const ms = (s: number) => Math.round(s * 1000);
  return { leaseDurationMs: ms(lease), renewDeadlineMs: ms(renew), retryPeriodMs: ms(retry), attemptTimeoutMs: Math.min(ms(renew) / 2, 5_000) };
}

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** A lease record and the local time this replica first saw it as it is. */
export interface Observation {
  record: LeaseRecord;
  observedAt: number;
}

const RECORD_FIELDS = ["holderIdentity", "leaseDurationSeconds", "acquireTime", "renewTime", "leaseTransitions"] as const;

/** Keeps the observed time while the record stays the same; a changed record is observed `now`. */
export function observe(previous: Observation | undefined, record: LeaseRecord, now: number): Observation {
  const same = previous && RECORD_FIELDS.every((f) => previous.record[f] === record[f]);
  return same ? previous : { record, observedAt: now };
}

/** A MicroTime as the API server writes it (microseconds). */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

export type Decision = { action: "wait"; holder: string } | { action: "write"; record: LeaseRecord };

/** Whether to wait for another holder or to write (create, renew, take over) the lease, and what. */
export function decide(observation: Observation | undefined, identity: string, now: number, leaseSeconds: number): Decision {
  const current = observation?.record;
  const holder = current?.holderIdentity;
  if (holder && holder !== identity) {
    const expiresAt = observation!.observedAt + (current!.leaseDurationSeconds ?? leaseSeconds) * 1000;
    if (now < expiresAt) return { action: "wait", holder };
  }
  const renewing = Boolean(holder) && holder === identity;
  return {
    action: "write",
    record: {
      holderIdentity: identity,
      leaseDurationSeconds: leaseSeconds,
      acquireTime: renewing ? current!.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (current?.leaseTransitions ?? 0) + (current && !renewing ? 1 : 0),
    },
  };
}

/** A leader leads while its last successful renewal (counted from when the attempt began) is within the deadline. */
export function isLeading(lastRenewedAt: number | undefined, now: number, renewDeadlineMs: number): boolean {
  return lastRenewedAt !== undefined && now - lastRenewedAt < renewDeadlineMs;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jittered = (ms: number) => ms * (1 + (JITTER - 1) * Math.random());

export class LeaderElector {
  private readonly path: string;
  readonly timings: LeaderTimings;
  private observation?: Observation;
  private lastRenewedAt?: number;
  private readonly lost = new AbortController();
  private stopped = false;
  private deadlineTimer?: NodeJS.Timeout;
  /** How the last attempt to acquire or renew ended; undefined before the first answer. */
  lastAttempt?: "mine" | "theirs" | "failed";

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaseOptions,
  ) {
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases/${options.name}`;
    this.timings = leaderTimings(options);
  }

  /** Aborts when this replica stops leading. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  /** Whether this replica may write now: it holds the lease and renewed it within the renew deadline. */
  isLeader(): boolean {
    return !this.lost.signal.aborted && isLeading(this.lastRenewedAt, Date.now(), this.timings.renewDeadlineMs);
  }

  /** One attempt: "mine" when this identity holds the lease afterwards, "theirs" when another does. */
  async tryAcquireOrRenew(): Promise<"mine" | "theirs"> {
    const startedAt = Date.now();
    const timeoutMs = this.timings.attemptTimeoutMs;
    const lease = await this.client.request(this.path, { timeoutMs }).catch((e) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    if (lease) this.observation = observe(this.observation, lease.spec ?? {}, Date.now());
    const decision = decide(lease ? this.observation : undefined, this.options.identity, Date.now(), this.timings.leaseDurationMs / 1000);
    if (decision.action === "wait") return "theirs";
    try {
      if (!lease) {
        await this.client.ensureNamespace(this.options.namespace);
        await this.client.request(`/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases`, {
          method: "POST",
          timeoutMs,
          body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: this.options.name, namespace: this.options.namespace }, spec: decision.record },
        });
      } else {
        // The resourceVersion makes this a compare-and-swap: two replicas cannot both win.
        await this.client.request(this.path, { method: "PUT", timeoutMs, body: { ...lease, spec: decision.record } });
      }
    } catch (e) {
      if (isConflict(e)) return "theirs"; // another replica wrote first
      throw e;
    }
    this.observation = { record: decision.record, observedAt: Date.now() };
    // Counted from before the request: the others saw the write no earlier than that.
    this.lastRenewedAt = startedAt;
    return "mine";
  }

  /** Resolves once this identity leads; tries every retry period. */
  async acquire(): Promise<void> {
    let waiting = false;
    for (;;) {
      this.lastAttempt = await this.tryAcquireOrRenew().catch(() => "failed" as const);
      if (this.lastAttempt === "mine") {
        this.options.log?.(`leading (lease ${this.options.namespace}/${this.options.name})`);
        return;
      }
      if (!waiting) this.options.log?.(`standing by: another replica holds lease ${this.options.namespace}/${this.options.name}`);
      waiting = true;
      await sleep(jittered(this.timings.retryPeriodMs));
    }
  }

  /**
   * Renews every retry period, starting now. Calls `onLost` (once) when another replica holds
   * the lease, or when no renewal has succeeded within the renew deadline; `signal` aborts then.
   */
  keepRenewing(onLost: () => void): void {
    const lose = () => {
      if (this.lost.signal.aborted || this.stopped) return;
      this.lost.abort();
      this.stop();
      onLost();
    };
    const armDeadline = () => {
      clearTimeout(this.deadlineTimer);
      const left = (this.lastRenewedAt ?? 0) + this.timings.renewDeadlineMs - Date.now();
      this.deadlineTimer = setTimeout(lose, Math.max(0, left));
    };
    armDeadline();
    const loop = async () => {
      while (!this.stopped && !this.lost.signal.aborted) {
        const result = await this.tryAcquireOrRenew().catch(() => "failed" as const);
        if (result === "theirs" || !this.isLeader()) return lose();
        if (result === "mine") armDeadline();
        await sleep(this.timings.retryPeriodMs);
      }
    };
    void loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.deadlineTimer);
  }
}
