// Following one named object through a watch, the way a client-go informer does for a
// collection: list, then watch from the list's resourceVersion; resume the watch from the last
// version seen when the stream ends or the API server goes away (retrying with a growing
// delay); list again when the server says that version is gone (410).
import { backoffDelay, RetryBackoff } from "./backoff";
import { KubeClient, KubeError } from "./client";

export interface FollowOptions {
  /** Why following stalls (the API server unreachable, a watch expired); each time it happens. */
  onProblem: (message: string) => void;
  signal: AbortSignal;
  /** Delay before retrying after a failure: `initialMs`, doubling, at most `maxMs`. Default 500 ms .. 10 s. */
  backoff?: RetryBackoff;
}

type Obj = Record<string, any>;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

/**
 * Calls `onChange` with the object `name` of `collection` (a namespaced collection path such as
 * `/api/v1/namespaces/ns/configmaps`) each time it changes, and with undefined when it does not
 * exist; first once the initial list answered. Calls are one at a time, in order. Resolves when
 * `signal` aborts.
 */
export async function followObject(
  client: KubeClient,
  collection: string,
  name: string,
  onChange: (obj: Obj | undefined) => Promise<unknown> | void,
  opts: FollowOptions,
): Promise<void> {
  const { signal } = opts;
  const backoff = opts.backoff ?? { initialMs: 500, maxMs: 10_000 };
  const fieldSelector = `metadata.name=${name}`;
  const where = `${collection}/${name}`;
  // The object's version last handed to onChange ("absent" when it did not exist).
  let delivered: string | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  const deliver = (obj: Obj | undefined) => {
    const version = obj ? String(obj.metadata?.resourceVersion) : "absent";
    if (version === delivered) return chain;
    delivered = version;
    chain = chain.then(() => onChange(obj)).catch((e) => opts.onProblem(`handling ${where}: ${(e as Error).message}`));
    return chain;
  };

  let listVersion: string | undefined; // where the watch resumes; undefined: list first
  let failures = 0;
  while (!signal.aborted) {
    try {
      if (listVersion === undefined) {
        const list = await client.request<Obj>(collection, { query: { fieldSelector } });
        listVersion = String(list.metadata?.resourceVersion ?? "");
        failures = 0;
        await deliver((list.items ?? [])[0]);
      }
      await client.watch(collection, listVersion, (e) => {
        failures = 0;
        if (e.type === "ERROR") throw new KubeError(e.object?.code ?? 500, e.object?.reason ?? "", `watch ${where}: ${e.object?.message ?? "error event"}`);
        listVersion = String(e.object?.metadata?.resourceVersion ?? listVersion);
        if (e.type === "ADDED" || e.type === "MODIFIED") void deliver(e.object);
        else if (e.type === "DELETED") void deliver(undefined);
      }, signal, { fieldSelector });
      // The server ended the stream (its timeout): resume from the last version seen.
    } catch (e) {
      if (signal.aborted) break;
      if (e instanceof KubeError && e.statusCode === 410) {
        opts.onProblem(`watch of ${where} expired (${e.message}); listing again`);
        listVersion = undefined;
        continue;
      }
      const delay = backoffDelay(++failures, backoff);
      opts.onProblem(`following ${where}: ${(e as Error).message}; retrying in ${delay} ms`);
      await sleep(delay, signal);
    }
  }
  await chain;
}
