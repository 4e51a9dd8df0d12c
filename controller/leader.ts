// Leader election over a coordination.k8s.io Lease, so that of several controller replicas
// one reconciles and the others stand by (active/passive, as AGC's alb-controller runs).
// The holder renews the lease; a lease not renewed for its duration may be taken over.
import { KubeClient, isConflict } from "../kube/client";

export interface LeaseOptions {
  namespace: string;
  name: string;
  identity: string;
  /** How long a lease holds without renewal. Default 15 s. */
  leaseSeconds?: number;
  log?: (msg: string) => void;
}

type Lease = Record<string, any>;

const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

/** Whether a lease is held by someone else and still fresh at `now`. */
export function heldByOther(lease: Lease | undefined, identity: string, now: number): boolean {
  const spec = lease?.spec ?? {};
  if (!spec.holderIdentity || spec.holderIdentity === identity) return false;
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? "");
  if (Number.isNaN(renewed)) return false;
  return now < renewed + (spec.leaseDurationSeconds ?? 15) * 1000;
}

export class LeaderElector {
  private readonly path: string;
  private readonly seconds: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaseOptions,
  ) {
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases/${options.name}`;
    this.seconds = options.leaseSeconds ?? 15;
  }

  /** Tries once: "mine" when this identity holds the lease afterwards, "theirs" when another does. */
  async tryAcquireOrRenew(): Promise<"mine" | "theirs" | "failed"> {
    const now = new Date();
    const lease = await this.client.find<Lease>(this.path);
    if (heldByOther(lease, this.options.identity, now.getTime())) return "theirs";
    const mine = lease?.spec?.holderIdentity === this.options.identity;
    const spec = {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: this.seconds,
      acquireTime: mine ? lease!.spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (lease?.spec?.leaseTransitions ?? 0) + (lease && !mine ? 1 : 0),
    };
    try {
      if (!lease) {
        await this.client.ensureNamespace(this.options.namespace);
        await this.client.create(`/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases`, {
          apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: this.options.name, namespace: this.options.namespace }, spec,
        });
      } else {
        // The resourceVersion makes this a compare-and-swap: two replicas cannot both win.
        await this.client.request(this.path, { method: "PUT", body: { ...lease, spec } });
      }
      return "mine";
    } catch (e) {
      if (isConflict(e)) return "theirs"; // another replica wrote first
      throw e;
    }
  }

  /** Resolves once this identity leads; retries every `leaseSeconds / 3`. */
  async acquire(signal?: AbortSignal): Promise<void> {
    let waiting = false;
    while (!signal?.aborted) {
      if ((await this.tryAcquireOrRenew().catch(() => "failed")) === "mine") {
        this.options.log?.(`leading (lease ${this.options.namespace}/${this.options.name})`);
        return;
      }
      if (!waiting) this.options.log?.(`standing by: another replica holds lease ${this.options.namespace}/${this.options.name}`);
      waiting = true;
      await new Promise((r) => setTimeout(r, (this.seconds * 1000) / 3));
    }
  }

  /**
   * Renews in the background; calls `onLost` when another replica holds the lease, or when no
   * renewal has succeeded for the lease's duration (the API server unreachable).
   */
  keepRenewing(onLost: () => void): void {
    let lastRenewed = Date.now();
    const tick = async () => {
      const result = await this.tryAcquireOrRenew().catch(() => "failed" as const);
      if (result === "mine") lastRenewed = Date.now();
      if (result === "theirs" || (result === "failed" && Date.now() - lastRenewed >= this.seconds * 1000)) {
        this.stop();
        onLost();
        return;
      }
      this.timer = setTimeout(tick, (this.seconds * 1000) / 3);
    };
    this.timer = setTimeout(tick, (this.seconds * 1000) / 3);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
