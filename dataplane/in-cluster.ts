/**
 * The agent in a cluster: it follows its gateway's IR ConfigMap and the TLS Secrets the IR
 * names (watches), and, when it knows its pod, records on it the IR revision it serves
 * (annotation `alb.agc.dev/ir-revision`), set only once HAProxy runs that configuration, so
 * the controller can report the gateway Programmed truthfully.
 */
import { backoffDelay, RetryBackoff } from "../kube/backoff";
import { KubeClient } from "../kube/client";
import { DEFAULT_FOLLOW_BACKOFF, followObject } from "../kube/follow";
import { sleep } from "../kube/list-watch";
import { IR_REVISION_ANNOTATION, SecretRef, secretRefKey } from "../model/ir";
import { ApplyResult, DataplaneAgent } from "./agent";
import { pemFromSecret, secretRefs, uniqueRefs } from "./certificates";
import { followConfigMap, parseConfigMapRef } from "./configmap";


export interface ObjectRef {
  namespace: string;
  name: string;
}

/**
 * The agent's pod: `--pod NAMESPACE/NAME`, else POD_NAMESPACE and POD_NAME (the downward API),
 * else none (the revision is then reported only on /readyz).
 */
export function podRef(flag: string | undefined, env: Record<string, string | undefined>): { ok: true; pod?: ObjectRef } | { ok: false; error: string } {
  if (flag !== undefined) {
    const pod = parseConfigMapRef(flag);
    return pod ? { ok: true, pod } : { ok: false, error: `--pod must be NAMESPACE/NAME, got '${flag}'` };
  }
  const { POD_NAME: name, POD_NAMESPACE: namespace } = env;
  if (!name && !namespace) return { ok: true };
  if (!name || !namespace) {
    return { ok: false, error: `POD_NAME is ${name ? `'${name}'` : "not set"} and POD_NAMESPACE is ${namespace ? `'${namespace}'` : "not set"}: set both (from the downward API) or pass --pod NAMESPACE/NAME` };
  }
  return { ok: true, pod: { namespace, name } };
}

/** The merge patch that records the served revision on the pod. */
function revisionPatch(revision: string): Record<string, unknown> {
  return { metadata: { annotations: { [IR_REVISION_ANNOTATION]: revision } } };
}

/** Results after which HAProxy runs the document's configuration. */
function isServing(result: ApplyResult): boolean {
  return result.kind === "start" || result.kind === "reload" || result.kind === "runtime" || result.kind === "unchanged";
}

/** Writes the served revision on the pod; retries (growing delay) until it succeeds or a newer one comes. */
class RevisionReporter {
  private wanted: string | undefined;
  private written: string | undefined;
  private running = false;
  private failures = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly pod: ObjectRef,
    private readonly log: (m: string) => void,
    private readonly signal: AbortSignal,
    private readonly backoff: RetryBackoff,
  ) {}

  report(revision: string | undefined): void {
    if (revision === undefined || revision === this.wanted) return;
    this.wanted = revision;
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const podPath = `/api/v1/namespaces/${this.pod.namespace}/pods/${this.pod.name}`;
    while (this.wanted !== this.written && !this.signal.aborted) {
      const revision = this.wanted!;
      try {
        await this.client.mergePatch(podPath, revisionPatch(revision));
        this.written = revision;
        this.failures = 0;
      } catch (e) {
        const delay = backoffDelay(++this.failures, this.backoff);
        this.log(`recording revision ${revision} on pod ${this.pod.namespace}/${this.pod.name}: ${(e as Error).message}; retrying in ${delay} ms`);
        await sleep(delay, this.signal);
      }
    }
    this.running = false;
  }
}

/** Follows the Secrets an IR names, handing each one's PEM (or why there is none) to the agent. */
class SecretFollower {
  private readonly followed = new Map<string, AbortController>();

  constructor(
    private readonly client: KubeClient,
    private readonly agent: DataplaneAgent,
    private readonly log: (m: string) => void,
    private readonly signal: AbortSignal,
    private readonly backoff: RetryBackoff,
  ) {
    // One listener stops every follower: one per Secret would pile up on the agent's signal.
    signal.addEventListener("abort", () => {
      for (const controller of this.followed.values()) controller.abort();
    }, { once: true });
  }

  /**
   * Follows exactly `refs` from now on. Resolves once each newly named Secret was read (or
   * after `firstReadMs`, so an unreachable API server does not hold back the rest of the IR).
   */
  async track(refs: SecretRef[], firstReadMs = 5_000): Promise<void> {
    const keys = new Set(refs.map(secretRefKey));
    for (const [key, controller] of this.followed) {
      if (!keys.has(key)) {
        controller.abort();
        this.followed.delete(key);
      }
    }
    const firstReads = refs.filter((ref) => !this.followed.has(secretRefKey(ref))).map((ref) => this.follow(ref));
    await Promise.race([Promise.all(firstReads), new Promise((r) => setTimeout(r, firstReadMs).unref())]);
  }

  private follow(ref: SecretRef): Promise<void> {
    const key = secretRefKey(ref);
    const controller = new AbortController();
    if (this.signal.aborted) controller.abort();
    this.followed.set(key, controller);
    let read: () => void;
    let everRead = false;
    const firstRead = new Promise<void>((r) => (read = r));
    void followObject(this.client, `/api/v1/namespaces/${ref.namespace}/secrets`, ref.name, (secret) => {
      const pem = pemFromSecret(secret);
      this.agent.setCertificate(key, pem.ok ? { pem: pem.pem } : { problem: pem.reason });
      everRead = true;
      read();
    }, {
      onProblem: (m) => {
        this.log(m);
        // While the API server is away, what was read stays in use. The reason is fixed text:
        // the message changes with every retry, and each change would reload.
        if (!everRead) this.agent.setCertificate(key, { problem: "could not be read from the API server (see the agent's log)" });
        read();
      },
      signal: controller.signal,
      backoff: this.backoff,
    });
    return firstRead;
  }
}

export interface InClusterOptions {
  client: KubeClient;
  agent: DataplaneAgent;
  configMap: ObjectRef;
  pod?: ObjectRef;
  log: (m: string) => void;
  signal: AbortSignal;
  /** Retrying after API failures. Default 500 ms doubling to 10 s. */
  backoff?: RetryBackoff;
}

/** Runs until `signal` aborts. */
export async function followGatewayInCluster(opts: InClusterOptions): Promise<void> {
  const backoff = opts.backoff ?? DEFAULT_FOLLOW_BACKOFF;
  const secrets = new SecretFollower(opts.client, opts.agent, opts.log, opts.signal, backoff);
  if (opts.pod) {
    const reporter = new RevisionReporter(opts.client, opts.pod, opts.log, opts.signal, backoff);
    opts.agent.on("applied", (r: ApplyResult) => {
      if (isServing(r)) reporter.report(opts.agent.servedRevision);
    });
  }
  const serving = () => (opts.agent.ready ? "; the last applied configuration keeps serving" : "");
  await followConfigMap(opts.client, opts.configMap, async (doc) => {
    // The served document's Secrets too: a refused document must not stop their changes from applying.
    await secrets.track(uniqueRefs([...secretRefs(doc), ...opts.agent.wantedSecrets]));
    return opts.agent.apply(doc);
  }, (m) => opts.log(`${m}${serving()}`), opts.signal, backoff);
}
