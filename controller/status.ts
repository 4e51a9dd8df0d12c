// Status writes shared by every kind the controller reports on (our CRs, Gateway API, Ingress,
// Services): only when something changed, condition times kept while a condition stays, a
// conflict re-reads and tries again, a few writes at a time, and only while leading.
import { KubeClient, KubeError, isNotFound, resourcePath, retryDelayMs } from "../kube/client";
import { Informer, ResourceType, objectKey } from "./informer";

type Obj = Record<string, any>;

/**
 * Condition timestamps, at any depth (a Gateway's listeners, a route's parents): kept while a
 * condition's status stays, set when it changes or was never set.
 */
export function withTransitionTimes(desired: any, current: any, now: string): any {
  if (Array.isArray(desired)) return desired.map((d, i) => withTransitionTimes(d, counterpart(current, d, i), now));
  if (!desired || typeof desired !== "object") return desired;
  return Object.fromEntries(
    Object.entries(desired).map(([k, v]) => [k, k === "conditions" && Array.isArray(v) ? stampConditions(v, current?.conditions, now) : withTransitionTimes(v, current?.[k], now)]),
  );
}

function stampConditions(conditions: Obj[], previous: unknown, now: string): Obj[] {
  const before = Array.isArray(previous) ? previous : [];
  return conditions.map((c) => {
    const prev = before.find((p: Obj) => p?.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now };
  });
}

/** What an object in a list stood for before: the same name (listeners), the same parentRef (route parents), else the same position. */
function counterpart(current: unknown, desired: unknown, index: number): unknown {
  if (!Array.isArray(current)) return undefined;
  const id = identity(desired);
  return id === undefined ? current[index] : current.find((c) => identity(c) === id);
}

function identity(o: any): string | undefined {
  if (!o || typeof o !== "object") return undefined;
  if (typeof o.name === "string") return `name:${o.name}`;
  if (o.parentRef) return `parent:${canonical(o.parentRef)}|${o.controllerName ?? ""}`;
  return undefined;
}

/** A value without condition timestamps, at any depth. */
function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "lastTransitionTime").map(([k, v]) => [k, withoutTimes(v)]));
}

/** JSON with object keys sorted at every level, for comparisons. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Obj).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Whether a status write would change anything (timestamps aside). */
export function statusDiffers(desired: Obj, current: Obj | undefined): boolean {
  // No conditions and an empty list of them are the same.
  const strip = (s: Obj | undefined) => canonical(withoutTimes({ ...s, conditions: s?.conditions ?? [] }));
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

/** Answers the API gives again however often it is asked: gone, forbidden, invalid. */
const FINAL_CODES = new Set([400, 403, 404, 422]);

/** Calls `attempt(1..attempts)` until one succeeds, pausing with backoff (or Retry-After); a 400, 403, 404 or 422 is final. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (n >= options.attempts || (e instanceof KubeError && FINAL_CODES.has(e.statusCode))) throw e;
      await (options.sleep ?? sleep)(retryDelayMs(e, n, (options.random ?? Math.random)()));
    }
  }
}

/** Status writes in flight at once: enough to be quick, few enough not to flood the API server. */
export const WRITE_CONCURRENCY = 4;
/** Attempts per status write before it waits for the next pass. */
const WRITE_ATTEMPTS = 5;

/** One object's desired status (conditions without timestamps). */
export interface StatusTarget {
  resource: ResourceType;
  namespace?: string;
  name: string;
  status: Obj;
  /** Combines the desired status with what others wrote into the current one (a route's other parents). */
  mergeWith?: (desired: Obj, current: Obj | undefined) => Obj;
}

export interface StatusWriterOptions {
  /** Whether this replica may write (leader election); writes fail otherwise. */
  isLeader?: () => boolean;
  log: (msg: string) => void;
  /** The cache holding objects of a resource type, if one is watched. */
  informerFor: (resource: ResourceType) => Informer | undefined;
}

export class StatusWriter {
  /** Per kind/namespace/name, the resourceVersion our last status write produced. */
  private readonly ownWrites = new Map<string, string>();

  constructor(
    private readonly client: KubeClient,
    private readonly options: StatusWriterOptions,
  ) {}

  /** The resourceVersion our last write of this object produced, to recognize its echo. */
  ownVersion(resource: ResourceType, key: string): string | undefined {
    return this.ownWrites.get(`${resource.kind}/${key}`);
  }

  forget(resource: ResourceType, key: string): void {
    this.ownWrites.delete(`${resource.kind}/${key}`);
  }

  /** Writes every status that differs; answers how many could not be written (a later pass retries them). */
  async writeAll(targets: readonly StatusTarget[], now: string): Promise<number> {
    const results = await mapLimited([...targets], WRITE_CONCURRENCY, (t) =>
      this.write(t, now).then(
        () => true,
        (e) => (this.options.log(`status of ${t.resource.kind} ${t.namespace ?? ""}/${t.name} not written: ${(e as Error).message}`), false),
      ),
    );
    return results.filter((ok) => !ok).length;
  }

  /** Writes one object's status, if it differs; a conflict or failure re-reads the object and tries again. */
  private async write(t: StatusTarget, now: string): Promise<void> {
    const key = objectKey(t.namespace, t.name);
    const informer = this.options.informerFor(t.resource);
    const objectPath = resourcePath(t.resource.apiVersion, t.resource.plural, t.namespace, t.name);
    await withRetries(async (attempt) => {
      if (this.options.isLeader && !this.options.isLeader()) throw new Error("not the leader (the lease was not renewed in time)");
      const current = attempt === 1 && informer ? informer.get(key) : await this.client.get(objectPath);
      const desired = t.mergeWith ? t.mergeWith(t.status, current?.status) : t.status;
      if (!current || !statusDiffers(desired, current.status)) return;
      const status = withTransitionTimes(desired, current.status, now);
      const updated = await this.client.mergePatch(objectPath, statusPatch(status, current), "status");
      this.ownWrites.set(`${t.resource.kind}/${key}`, updated.metadata.resourceVersion);
      informer?.replace(current, updated);
      if (desired.provisioningState !== undefined && desired.provisioningState !== current.status?.provisioningState) {
        this.options.log(`${t.resource.kind} ${key}: ${desired.provisioningState}${desired.message ? ` (${desired.message})` : ""}`);
      }
    }, { attempts: WRITE_ATTEMPTS }).catch((e) => {
      if (!isNotFound(e)) throw e; // deleted meanwhile: its watch event follows
    });
  }
}
