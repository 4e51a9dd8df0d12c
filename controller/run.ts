// The controller's loop: list and watch the four kinds cluster-wide, batch changes for a
// moment, run reconcile() over the whole picture, and write the statuses that changed.
import { API_VERSION, KINDS, KIND_NAMES, KindName } from "../model/kinds";
import { KubeClient, KubeError, WatchEvent, isNotFound, resourcePath, retryDelayMs } from "../kube/client";
import { ObjectsByKind } from "./inventory";
import { DesiredStatus, ReconcileOptions, reconcile } from "./reconcile";

type Obj = Record<string, any>;

export interface ControllerOptions extends ReconcileOptions {
  /** How long changes are gathered before one reconcile (Contour batches 100 ms too). */
  batchMs?: number;
  log?: (msg: string) => void;
  /** Whether this replica may write (leader election); status writes are skipped otherwise. */
  isLeader?: () => boolean;
}

/** Status writes in flight at once: enough to be quick, few enough not to flood the API server. */
const WRITE_CONCURRENCY = 4;
/** Attempts per status write before it waits for the next reconcile. */
const WRITE_ATTEMPTS = 5;

/** The cache of objects, keyed per kind by namespace/name. */
type Cache = Record<KindName, Map<string, Obj>>;

const cacheKey = (o: Obj) => `${o.metadata.namespace}/${o.metadata.name}`;

export function snapshot(cache: Cache): ObjectsByKind {
  return Object.fromEntries(KIND_NAMES.map((k) => [k, [...cache[k].values()]])) as unknown as ObjectsByKind;
}

/** Condition timestamps: kept while a condition's status stays, set when it changes. */
export function withTransitionTimes(desired: Obj, current: Obj | undefined, now: string): Obj {
  const conditions = (desired.conditions ?? []).map((c: Obj) => {
    const prev = (current?.conditions ?? []).find((p: Obj) => p.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now };
  });
  return { ...desired, conditions };
}

/** JSON with object keys sorted at every level, for comparisons. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Obj).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Whether a status write would change anything (timestamps aside). */
export function statusDiffers(desired: Obj, current: Obj | undefined): boolean {
  const strip = (s: Obj | undefined) => canonical({ ...s, conditions: (s?.conditions ?? []).map(({ lastTransitionTime: _t, ...rest }: Obj) => rest) });
  return strip(desired) !== strip(current);
}

/** The merge patch that makes `current`'s status `status`, valid only against the version it was computed from. */
export function statusPatch(status: Obj, current: Obj | undefined): Obj {
  // A merge patch keeps fields it does not mention: fields no longer wanted are nulled.
  const removed = Object.keys(current?.status ?? {}).filter((k) => !(k in status));
  const patch = { status: { ...Object.fromEntries(removed.map((k) => [k, null])), ...status } };
  // With the resourceVersion the server refuses (409) a write based on a stale read.
  const version = current?.metadata?.resourceVersion;
  return version ? { metadata: { resourceVersion: version }, ...patch } : patch;
}

/** The object without what changes on every write of any kind: its version, the managers' bookkeeping. */
const withoutBookkeeping = (o: Obj) => {
  const { resourceVersion: _v, managedFields: _m, ...metadata } = o.metadata ?? {};
  return canonical({ ...o, metadata });
};

/**
 * Whether a watched change calls for a reconcile: not the echo of our own status write (its
 * resourceVersion is the one our write answered), nor a change of bookkeeping alone.
 */
export function needsReconcile(previous: Obj | undefined, incoming: Obj, ownResourceVersion: string | undefined): boolean {
  if (!previous) return true;
  if (ownResourceVersion !== undefined && incoming.metadata?.resourceVersion === ownResourceVersion) {
    const { status: _a, ...before } = previous;
    const { status: _b, ...after } = incoming;
    if (withoutBookkeeping(before) === withoutBookkeeping(after)) return false;
  }
  return withoutBookkeeping(previous) !== withoutBookkeeping(incoming);
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface RetryOptions {
  attempts: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Calls `attempt(1..attempts)` until one succeeds, pausing with backoff (or Retry-After); a 404 is final. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (n >= options.attempts || isNotFound(e)) throw e;
      await (options.sleep ?? sleep)(retryDelayMs(e, n, (options.random ?? Math.random)()));
    }
  }
}

export class Controller {
  private readonly cache = Object.fromEntries(KIND_NAMES.map((k) => [k, new Map<string, Obj>()])) as Cache;
  private readonly abort = new AbortController();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private synced = false;
  /** Per kind/namespace/name, the resourceVersion our last status write produced. */
  private readonly ownWrites = new Map<string, string>();
  private writeFailures = 0;
  private retryTimer?: NodeJS.Timeout;
  /** How many reconciles have run (for tests and diagnostics). */
  reconciles = 0;
  /** Resolves once the initial lists are in and the first reconcile has been written. */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly client: KubeClient,
    private readonly options: ControllerOptions,
  ) {
    this.ready = new Promise((r) => (this.markReady = r));
  }

  private log(msg: string): void {
    (this.options.log ?? ((m: string) => console.error(`controller: ${m}`)))(msg);
  }

  async start(): Promise<void> {
    const versions = new Map<KindName, string>();
    for (const kind of KIND_NAMES) versions.set(kind, await this.list(kind));
    this.synced = true;
    this.schedule(0);
    for (const kind of KIND_NAMES) void this.watchForever(kind, versions.get(kind)!);
  }

  stop(): void {
    this.abort.abort();
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
  }

  private scheduleRetry(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.schedule(0), delayMs);
  }

  private async list(kind: KindName): Promise<string> {
    const list = await this.client.get(resourcePath(API_VERSION, KINDS[kind].plural));
    this.cache[kind].clear();
    for (const item of list.items ?? []) this.cache[kind].set(cacheKey(item), { ...item, apiVersion: API_VERSION, kind });
    return list.metadata.resourceVersion;
  }

  /**
   * Watches one kind until stopped. A 410 (our version is too old) re-lists at once; any other
   * failure, a failed re-list included, waits with backoff or for the server's Retry-After.
   */
  private async watchForever(kind: KindName, resourceVersion: string): Promise<void> {
    let rv = resourceVersion;
    let relist = false;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (relist) {
          rv = await this.list(kind);
          relist = false;
          this.schedule(0);
        }
        await this.client.watch(resourcePath(API_VERSION, KINDS[kind].plural), rv, (e) => {
          if (e.type === "ERROR") throw new KubeError(e.object.code ?? 500, e.object.reason ?? "", e.object.message ?? "watch error");
          failures = 0;
          rv = e.object.metadata.resourceVersion;
          if (e.type !== "BOOKMARK") this.apply(kind, e);
        }, this.abort.signal);
      } catch (e) {
        if (this.abort.signal.aborted) return;
        if (e instanceof KubeError && e.statusCode === 410 && !relist) {
          relist = true;
          continue;
        }
        failures++;
        const delay = retryDelayMs(e, failures);
        this.log(`${relist ? "re-list" : "watch"} of ${KINDS[kind].plural} failed: ${(e as Error).message}; retrying in ${(delay / 1000).toFixed(1)} s`);
        await sleep(delay);
      }
    }
  }

  /** One watched change into the cache; a reconcile unless it changes nothing that matters. */
  private apply(kind: KindName, e: WatchEvent): void {
    const key = cacheKey(e.object);
    const previous = this.cache[kind].get(key);
    if (e.type === "DELETED") {
      this.cache[kind].delete(key);
      this.ownWrites.delete(`${kind}/${key}`);
      this.schedule(this.options.batchMs ?? 100);
      return;
    }
    this.cache[kind].set(key, e.object);
    if (needsReconcile(previous, e.object, this.ownWrites.get(`${kind}/${key}`))) this.schedule(this.options.batchMs ?? 100);
  }

  private schedule(delayMs: number): void {
    if (!this.synced || this.timer || this.abort.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.reconcileOnce()).catch((e) => this.log(`reconcile failed: ${(e as Error).message}`));
    }, delayMs);
  }

  private async reconcileOnce(): Promise<void> {
    this.reconciles++;
    const desired = reconcile(snapshot(this.cache), this.options);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const results = await mapLimited(desired, WRITE_CONCURRENCY, (d) =>
      this.writeStatus(d, now).then(
        () => true,
        (e) => (this.log(`status of ${d.kind} ${d.namespace}/${d.name} not written: ${(e as Error).message}`), false),
      ),
    );
    const failed = results.filter((ok) => !ok).length;
    // Writes that failed every attempt are not dropped: a later reconcile tries them again.
    this.writeFailures = failed ? this.writeFailures + 1 : 0;
    if (failed) this.scheduleRetry(retryDelayMs(undefined, this.writeFailures));
    this.markReady();
  }

  /** Writes one object's status, if it differs; a conflict or failure re-reads the object and tries again. */
  private async writeStatus(d: DesiredStatus, now: string): Promise<void> {
    const key = `${d.namespace}/${d.name}`;
    const objectPath = resourcePath(API_VERSION, KINDS[d.kind].plural, d.namespace, d.name);
    await withRetries(async (attempt) => {
      if (this.options.isLeader && !this.options.isLeader()) throw new Error("not the leader (the lease was not renewed in time)");
      const current = attempt === 1 ? this.cache[d.kind].get(key) : await this.client.get(objectPath);
      if (!statusDiffers(d.status, current?.status)) return;
      const status = withTransitionTimes(d.status, current?.status, now);
      const updated = await this.client.mergePatch(objectPath, statusPatch(status, current), "status");
      this.ownWrites.set(`${d.kind}/${key}`, updated.metadata.resourceVersion);
      // The newer of our answer and what the watch brought meanwhile stays in the cache.
      if (this.cache[d.kind].get(key)?.metadata.resourceVersion === current?.metadata?.resourceVersion) this.cache[d.kind].set(key, updated);
      if (d.status.provisioningState !== current?.status?.provisioningState) {
        this.log(`${d.kind} ${key}: ${d.status.provisioningState}${d.status.message ? ` (${d.status.message})` : ""}`);
      }
    }, { attempts: WRITE_ATTEMPTS }).catch((e) => {
      if (!isNotFound(e)) throw e; // deleted meanwhile: its watch event follows
    });
  }
}
