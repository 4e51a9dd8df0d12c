// The controller's loop: list and watch the four kinds cluster-wide, batch changes for a
// moment, run reconcile() over the whole picture, and write the statuses that changed.
import { API_VERSION, KINDS, KIND_NAMES, KindName } from "../model/kinds";
import { KubeClient, KubeError, isNotFound, resourcePath } from "../kube/client";
import { ObjectsByKind } from "../model/objects";
import { DesiredStatus, ReconcileOptions, reconcile } from "./reconcile";

type Obj = Record<string, any>;

export interface ControllerOptions extends ReconcileOptions {
  /** How long changes are gathered before one reconcile (Contour batches 100 ms too). */
  batchMs?: number;
  log?: (msg: string) => void;
  /**
   * Reconcile only objects in these namespaces; default: every namespace. Rules across the
   * cluster (gateway count, virtual networks) then see only these namespaces too. Lets
   * controllers run side by side (in parallel tests) without rewriting each other's statuses.
   */
  namespaces?: string[];
}

/** Whether an object is in the controller's namespaces. */
export function inScope(obj: Obj, namespaces: readonly string[] | undefined): boolean {
  return namespaces === undefined || namespaces.includes(obj.metadata?.namespace);
}

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

export class Controller {
  private readonly cache = Object.fromEntries(KIND_NAMES.map((k) => [k, new Map<string, Obj>()])) as Cache;
  private readonly abort = new AbortController();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private synced = false;
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
    if (this.timer) clearTimeout(this.timer);
  }

  private async list(kind: KindName): Promise<string> {
    const list = await this.client.get(resourcePath(API_VERSION, KINDS[kind].plural));
    this.cache[kind].clear();
    for (const item of (list.items ?? []).filter((o: Obj) => inScope(o, this.options.namespaces))) this.cache[kind].set(cacheKey(item), { ...item, apiVersion: API_VERSION, kind });
    return list.metadata.resourceVersion;
  }

  private async watchForever(kind: KindName, resourceVersion: string): Promise<void> {
    let rv = resourceVersion;
    while (!this.abort.signal.aborted) {
      try {
        await this.client.watch(
          resourcePath(API_VERSION, KINDS[kind].plural),
          rv,
          (e) => {
            if (e.type === "BOOKMARK") {
              rv = e.object.metadata.resourceVersion;
              return;
            }
            if (e.type === "ERROR") throw new KubeError(e.object.code ?? 500, e.object.reason ?? "", e.object.message ?? "watch error");
            rv = e.object.metadata.resourceVersion;
            if (!inScope(e.object, this.options.namespaces)) return;
            if (e.type === "DELETED") this.cache[kind].delete(cacheKey(e.object));
            else this.cache[kind].set(cacheKey(e.object), e.object);
            this.schedule(this.options.batchMs ?? 100);
          },
          this.abort.signal,
        );
      } catch (e) {
        if (this.abort.signal.aborted) return;
        // 410 Gone: our resourceVersion is too old; start over from a fresh list.
        if (e instanceof KubeError && e.statusCode === 410) {
          rv = await this.list(kind).catch(() => rv);
          this.schedule(0);
        } else {
          this.log(`watch of ${KINDS[kind].plural} ended: ${(e as Error).message}; retrying`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }
  }

  private schedule(delayMs: number): void {
    if (!this.synced || this.timer || this.abort.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.reconcileOnce()).catch((e) => this.log(`reconcile failed: ${(e as Error).message}`));
    }, delayMs);
  }

  private async reconcileOnce(): Promise<void> {
    const desired = reconcile(snapshot(this.cache), this.options);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    await Promise.all(desired.map((d) => this.writeStatus(d, now)));
    this.markReady();
  }

  private async writeStatus(d: DesiredStatus, now: string): Promise<void> {
    const current = this.cache[d.kind].get(`${d.namespace}/${d.name}`);
    if (!statusDiffers(d.status, current?.status)) return;
    const status = withTransitionTimes(d.status, current?.status, now);
    try {
      // A merge patch keeps fields it does not mention: fields no longer wanted are nulled.
      const removed = Object.keys(current?.status ?? {}).filter((k) => !(k in status));
      const patch = { ...Object.fromEntries(removed.map((k) => [k, null])), ...status };
      const updated = await this.client.mergePatch(resourcePath(API_VERSION, KINDS[d.kind].plural, d.namespace, d.name), { status: patch }, "status");
      this.cache[d.kind].set(`${d.namespace}/${d.name}`, updated);
      if (d.status.provisioningState !== current?.status?.provisioningState) {
        this.log(`${d.kind} ${d.namespace}/${d.name}: ${d.status.provisioningState}${d.status.message ? ` (${d.status.message})` : ""}`);
      }
    } catch (e) {
      if (!isNotFound(e)) throw e; // deleted meanwhile: its watch event follows
    }
  }
}
