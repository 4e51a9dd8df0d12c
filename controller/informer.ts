// A cache of one resource type kept current by list and watch (listAndWatch), as client-go's
// informers do: a 410 (our version is too old) re-lists at once, any other failure backs off
// (or waits for Retry-After), and a type the API server does not serve yet (its CRD is not
// installed) is tried again quietly now and then, with an empty cache meanwhile.
import { KubeClient, WatchEvent, isNotFound, resourcePath, retryDelayMs } from "../kube/client";
import { listAndWatch } from "../kube/list-watch";

type Obj = Record<string, any>;

/** A resource type to watch, cluster-wide. */
export interface ResourceType {
  apiVersion: string;
  kind: string;
  plural: string;
  /** Only objects with these labels (e.g. "app.kubernetes.io/managed-by=x"). */
  labelSelector?: string;
  /** Only objects matching these fields (e.g. "metadata.name=x"). */
  fieldSelector?: string;
  /** What of each object the cache keeps (e.g. no Secret values). */
  transform?: (object: Obj) => Obj;
}

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED" | "RELISTED";

export interface Change {
  type: ChangeType;
  /** The cached object before the change (none for ADDED and RELISTED). */
  previous?: Obj;
  /** The object after the change (the deleted object for DELETED, none for RELISTED). */
  object?: Obj;
}

export interface InformerOptions {
  log: (msg: string) => void;
  signal: AbortSignal;
  /** How often a type that is not served is looked for again. Default 10 s. */
  notServedRetryMs?: number;
  /**
   * Only objects in these namespaces (and cluster-scoped ones) are kept; default: every
   * namespace. Lets controllers run side by side (in parallel tests) without touching each
   * other's objects.
   */
  namespaces?: readonly string[];
}

/** Whether an object is in the given namespaces; cluster-scoped objects always are. */
export function inScope(obj: Obj, namespaces: readonly string[] | undefined): boolean {
  const namespace = obj.metadata?.namespace;
  return namespaces === undefined || namespace === undefined || namespaces.includes(namespace);
}

/**
 * Whether a watched version is older than the cached one. Versions are opaque in general; the
 * API server's are etcd revisions (integers), so when both are, the older one is known.
 */
function olderThan(incoming: Obj, cached: Obj | undefined): boolean {
  const a = incoming.metadata?.resourceVersion;
  const b = cached?.metadata?.resourceVersion;
  return /^\d+$/.test(a ?? "") && /^\d+$/.test(b ?? "") && BigInt(a) < BigInt(b);
}

export const objectKey = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`;
const keyOf = (o: Obj) => objectKey(o.metadata?.namespace, o.metadata?.name);

export class Informer {
  private readonly cache = new Map<string, Obj>();
  /** False while the API server answers 404 for the type (its CRD is not installed). */
  served = true;
  /** Resolves once the first list is in, or the type is known not to be served. */
  readonly synced: Promise<void>;
  private markSynced!: () => void;

  constructor(
    private readonly client: KubeClient,
    readonly type: ResourceType,
    private readonly onChange: (change: Change) => void,
    private readonly options: InformerOptions,
  ) {
    this.synced = new Promise((r) => (this.markSynced = r));
  }

  /** Starts listing and watching until the signal aborts; resolves at once (await `synced`). */
  start(): void {
    void listAndWatch(this.client, this.collection, this.selector, {
      onList: (list) => this.relist(list),
      onEvent: (e) => this.apply(e),
      onFailure: (e, failures) => {
        if (isNotFound(e)) return this.notServed();
        const delay = retryDelayMs(e, failures);
        this.options.log(`list/watch of ${this.type.plural} failed: ${(e as Error).message}; retrying in ${(delay / 1000).toFixed(1)} s`);
        return delay;
      },
    }, this.options.signal);
  }

  /** In the controller's namespaces; a Namespace object counts as in its own namespace. */
  private inNamespaces(o: Obj): boolean {
    return inScope(this.type.kind === "Namespace" ? { metadata: { namespace: o.metadata?.name } } : o, this.options.namespaces);
  }

  list(): Obj[] {
    return [...this.cache.values()];
  }

  get(key: string): Obj | undefined {
    return this.cache.get(key);
  }

  /** After our own write: the newer of our answer and what the watch brought meanwhile stays. */
  replace(previous: Obj, updated: Obj): void {
    const key = keyOf(updated);
    if (this.cache.get(key)?.metadata?.resourceVersion === previous.metadata?.resourceVersion) this.cache.set(key, this.keep(updated));
  }

  private get collection(): string {
    return resourcePath(this.type.apiVersion, this.type.plural);
  }

  private get selector(): Record<string, string> {
    const { labelSelector, fieldSelector } = this.type;
    return { ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) };
  }

  private keep(o: Obj): Obj {
    const typed = { ...o, apiVersion: this.type.apiVersion, kind: this.type.kind };
    return this.type.transform ? this.type.transform(typed) : typed;
  }

  /** A list of the type replaces the cache. */
  private relist(list: Obj): void {
    this.cache.clear();
    for (const item of list.items ?? []) if (this.inNamespaces(item)) this.cache.set(keyOf(item), this.keep(item));
    if (!this.served) this.options.log(`${this.type.plural}.${this.type.apiVersion} is served now`);
    this.served = true;
    this.markSynced();
    this.onChange({ type: "RELISTED" });
  }

  private apply(e: WatchEvent): void {
    if (!this.inNamespaces(e.object)) return;
    const key = keyOf(e.object);
    const previous = this.cache.get(key);
    if (e.type === "DELETED") {
      this.cache.delete(key);
      this.onChange({ type: "DELETED", previous, object: this.keep(e.object) });
      return;
    }
    const object = this.keep(e.object);
    if (olderThan(object, previous)) return; // our own write put a newer version here already
    this.cache.set(key, object);
    this.onChange({ type: e.type as "ADDED" | "MODIFIED", previous, object });
  }

  /** The type is not served: an empty cache, one log line; answers when to look again. */
  private notServed(): number {
    const retryMs = this.options.notServedRetryMs ?? 10_000;
    if (this.served) {
      this.options.log(`${this.type.plural}.${this.type.apiVersion} is not served (CRD not installed?); looking again every ${retryMs / 1000} s`);
      this.served = false;
      if (this.cache.size) {
        this.cache.clear();
        this.onChange({ type: "RELISTED" });
      }
    }
    this.markSynced();
    return retryMs;
  }
}
