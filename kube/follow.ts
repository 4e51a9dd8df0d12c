// Following one named object through a watch (see listAndWatch): a change arrives as soon as
// the API server has it; while the server is away the follower retries with a growing delay.
import { backoffDelay, RetryBackoff } from "./backoff";
import { KubeClient } from "./client";
import { listAndWatch } from "./list-watch";

export interface FollowOptions {
  /** Why following stalls (the API server unreachable, a watch expired); each time it happens. */
  onProblem: (message: string) => void;
  signal: AbortSignal;
  /** Delay before retrying after a failure: `initialMs`, doubling, at most `maxMs`. Default 500 ms .. 10 s. */
  backoff?: RetryBackoff;
}

type Obj = Record<string, any>;

/** Retrying a follow after API failures: 500 ms doubling to 10 s. */
export const DEFAULT_FOLLOW_BACKOFF: RetryBackoff = { initialMs: 500, maxMs: 10_000 };

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
  const backoff = opts.backoff ?? DEFAULT_FOLLOW_BACKOFF;
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

  await listAndWatch(client, collection, { fieldSelector: `metadata.name=${name}` }, {
    onList: (list) => deliver((list.items ?? [])[0]),
    onEvent: (e) => void deliver(e.type === "DELETED" ? undefined : e.object),
    onExpired: (e) => opts.onProblem(`watch of ${where} expired (${e.message}); listing again`),
    onFailure: (e, failures) => {
      const delay = backoffDelay(failures, backoff);
      opts.onProblem(`following ${where}: ${(e as Error).message}; retrying in ${delay} ms`);
      return delay;
    },
  }, opts.signal);
  await chain;
}
