// Keeping up with a collection the way client-go's reflector does: list, then watch from the
// list's resourceVersion; resume the watch from the last version seen when the stream ends or
// fails (after a delay the caller chooses); list again at once when the server says that
// version is gone (410), and after a 404 (nothing there to resume).
import { KubeClient, KubeError, WatchEvent, isNotFound } from "./client";

type Obj = Record<string, any>;

export interface ListWatchHandlers {
  /** The list answered (first, and again after a 410 or a 404): everything there is now. Awaited before the watch starts. */
  onList: (list: Obj) => Promise<unknown> | void;
  /** Each ADDED, MODIFIED or DELETED event, in order. */
  onEvent: (event: WatchEvent) => void;
  /** A watch's version is gone (410): the collection is listed again at once. */
  onExpired?: (error: KubeError) => void;
  /**
   * Any other failure of a list or watch; answers how long to wait before trying again.
   * `failures` counts them since the last list or event that came through (1 for the first).
   */
  onFailure: (error: unknown, failures: number) => number;
}

/** Waits `ms`, or less when `signal` aborts meanwhile. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Lists and watches `collection` (with `query`'s selectors) until `signal` aborts. */
export async function listAndWatch(client: KubeClient, collection: string, query: Record<string, string>, handlers: ListWatchHandlers, signal: AbortSignal): Promise<void> {
  let resourceVersion: string | undefined; // where the watch resumes; undefined: list first
  let failures = 0;
  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const list = await client.request<Obj>(collection, { query });
        failures = 0;
        await handlers.onList(list);
        resourceVersion = String(list.metadata?.resourceVersion ?? "");
      }
      await client.watch(collection, resourceVersion, (e) => {
        if (e.type === "ERROR") throw new KubeError(e.object?.code ?? 500, e.object?.reason ?? "", `watch ${collection}: ${e.object?.message ?? "error event"}`);
        failures = 0;
        resourceVersion = String(e.object?.metadata?.resourceVersion ?? resourceVersion);
        if (e.type !== "BOOKMARK") handlers.onEvent(e);
      }, signal, query);
      // The server ended the stream (its timeout): resume from the last version seen.
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof KubeError && e.statusCode === 410 && resourceVersion !== undefined) {
        handlers.onExpired?.(e);
        resourceVersion = undefined;
        continue;
      }
      if (isNotFound(e)) resourceVersion = undefined;
      await sleep(handlers.onFailure(e, ++failures), signal);
    }
  }
}
