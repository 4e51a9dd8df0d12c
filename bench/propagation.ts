/**
 * Route propagation on the local cluster (not a test): how long an HTTPRoute takes from the
 * apply call to the first 200 through its Gateway with 10, 100 and 1,000 other routes present;
 * how long `translate()` takes for such a snapshot; and whether requests on one route fail
 * while other routes are edited. Results are printed as Markdown tables.
 *
 * Runs against the cluster `agc cluster up` started (its kubeconfig, .agc/kubeconfig; or
 * KUBECONFIG, or --kubeconfig FILE), whose own controller serves GatewayClass `agc`. Talks to
 * the API server and to the Gateway's address only. Everything it creates lives in one
 * namespace, deleted at the end and on Ctrl-C. `--translate-only` needs no cluster.
 *
 * Environment: BENCH_ROUTES (background route counts, default 10,100,1000), BENCH_CHANGES
 * (measured changes per count, default 100), BENCH_LOAD_SECONDS (default 20), BENCH_EDITS
 * (route edits under load, default 20), BENCH_TRANSLATE_RUNS (default 20).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import { performance } from "perf_hooks";
import { clusterLayout } from "../cli/cluster/local";
import { stateDir } from "../cli/paths";
import { KubeClient, resourcePath } from "../kube/client";
import { GATEWAY_CLASS } from "../controller/install";
import { CONTROLLER_NAME, KubeObject, Snapshot, addressKey, emptySnapshot, translate } from "../translate";
import { GATEWAY_API_VERSION } from "../translate/objects";
import { echoBasicDeployment, echoBasicService } from "../test/support/echoBackend";

// ---------------------------------------------------------------------------------------------
// Options

export interface Options {
  translateOnly: boolean;
  kubeconfig?: string;
  /** Background route counts, ascending: each phase adds routes to the previous ones. */
  routeCounts: number[];
  changes: number;
  loadSeconds: number;
  edits: number;
  translateRuns: number;
}

export const DEFAULTS = { routeCounts: [10, 100, 1000], changes: 100, loadSeconds: 20, edits: 20, translateRuns: 20 };

/** Every count is bounded, so a typo cannot start an hour-long run. */
const LIMITS = { routes: 5000, changes: 1000, loadSeconds: 600, edits: 200, translateRuns: 1000 };

function count(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be a whole number from 1 to ${max}; got '${value}'`);
  return n;
}

export function parseOptions(argv: readonly string[], env: Record<string, string | undefined>): Options {
  let translateOnly = false;
  let kubeconfig: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--translate-only") translateOnly = true;
    else if (argv[i] === "--kubeconfig" && argv[i + 1]) kubeconfig = argv[++i];
    else throw new Error(`unknown argument '${argv[i]}'; usage: bench/run.sh propagation [--translate-only] [--kubeconfig FILE]`);
  }
  const routeCounts = env.BENCH_ROUTES
    ? [...new Set(env.BENCH_ROUTES.split(",").map((v) => count("BENCH_ROUTES", v.trim() || "(empty)", 0, LIMITS.routes)))].sort((a, b) => a - b)
    : DEFAULTS.routeCounts;
  return {
    translateOnly,
    kubeconfig,
    routeCounts,
    changes: count("BENCH_CHANGES", env.BENCH_CHANGES, DEFAULTS.changes, LIMITS.changes),
    loadSeconds: count("BENCH_LOAD_SECONDS", env.BENCH_LOAD_SECONDS, DEFAULTS.loadSeconds, LIMITS.loadSeconds),
    edits: count("BENCH_EDITS", env.BENCH_EDITS, DEFAULTS.edits, LIMITS.edits),
    translateRuns: count("BENCH_TRANSLATE_RUNS", env.BENCH_TRANSLATE_RUNS, DEFAULTS.translateRuns, LIMITS.translateRuns),
  };
}

/** The command that reproduces a run: settings other than the defaults as environment. */
export function commandLine(o: Options): string {
  const env = [
    o.routeCounts.join(",") !== DEFAULTS.routeCounts.join(",") ? `BENCH_ROUTES=${o.routeCounts.join(",")}` : "",
    o.changes !== DEFAULTS.changes ? `BENCH_CHANGES=${o.changes}` : "",
    o.loadSeconds !== DEFAULTS.loadSeconds ? `BENCH_LOAD_SECONDS=${o.loadSeconds}` : "",
    o.edits !== DEFAULTS.edits ? `BENCH_EDITS=${o.edits}` : "",
    o.translateRuns !== DEFAULTS.translateRuns ? `BENCH_TRANSLATE_RUNS=${o.translateRuns}` : "",
  ].filter(Boolean);
  return [...env, "bench/run.sh propagation", o.translateOnly ? "--translate-only" : ""].filter(Boolean).join(" ");
}

/** --kubeconfig, else KUBECONFIG as kubectl reads it (undefined here), else the local cluster's. */
export function chooseKubeconfig(flag: string | undefined, envKubeconfig: string | undefined, localCluster: string): string | undefined {
  return flag ?? (envKubeconfig ? undefined : localCluster);
}

// ---------------------------------------------------------------------------------------------
// Statistics and tables

/** Nearest-rank percentile: the smallest sample with at least p% of the samples at or below it. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (!samples.length) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  // p in percent keeps the rank exact: 0.07 * 100 is 7.000000000000001 in floating point.
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p * sorted.length) / 100))) - 1];
}

export interface Summary {
  n: number;
  p50?: number;
  p99?: number;
  max?: number;
}

export function summarize(samples: readonly number[]): Summary {
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: percentile(samples, 100) };
}

/** A number with `digits` decimals, or n/a. */
export function num(value: number | undefined, digits = 0): string {
  return value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);
}

export type Cell = string | number;

export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly Cell[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), `|${headers.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

export interface PropagationRow {
  routes: number;
  /** Apply call start to first 200, ms, of the changes served. */
  servedMs: number[];
  /** Duration of the apply call alone, ms. */
  applyMs: number[];
  notServed: number;
  notRemoved: number;
  /** Why the phase stopped early, if it did. */
  stopped?: string;
}

export function propagationTable(rows: readonly PropagationRow[]): string {
  return markdownTable(
    ["background routes", "changes served", "p50 ms", "p99 ms", "max ms", "not served in 60 s", "not removed in 60 s", "apply call p50 ms"],
    rows.map((r) => {
      const s = summarize(r.servedMs);
      return [r.routes, r.stopped ? `${s.n} (stopped: ${r.stopped})` : s.n, num(s.p50), num(s.p99), num(s.max), r.notServed, r.notRemoved, num(percentile(r.applyMs, 50))];
    }),
  );
}

export interface TranslateRow {
  routes: number;
  irRoutes: number;
  runs: number[];
}

export function translateTable(rows: readonly TranslateRow[]): string {
  return markdownTable(
    ["HTTPRoutes", "IR routes", "runs", "median ms", "min ms", "max ms"],
    rows.map((r) => [r.routes, r.irRoutes, r.runs.length, num(percentile(r.runs, 50), 1), num(percentile(r.runs, 0), 1), num(percentile(r.runs, 100), 1)]),
  );
}

export interface Tally {
  requests: number;
  ok: number;
  /** Status code -> count, for answers other than 200. */
  statuses: Record<string, number>;
  /** Error code -> count (ECONNRESET, ...), timeouts apart. */
  errors: Record<string, number>;
  timeouts: number;
}

export const emptyTally = (): Tally => ({ requests: 0, ok: 0, statuses: {}, errors: {}, timeouts: 0 });

export function addAnswer(t: Tally, a: Answer): void {
  t.requests++;
  if (a.status === 200) t.ok++;
  else if (a.status !== undefined) t.statuses[a.status] = (t.statuses[a.status] ?? 0) + 1;
  else if (a.error === TIMEOUT) t.timeouts++;
  else t.errors[a.error ?? "unknown"] = (t.errors[a.error ?? "unknown"] ?? 0) + 1;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const detail = (counts: Record<string, number>) => {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? ` (${entries.map(([k, v]) => `${k}: ${v}`).join(", ")})` : "";
};

export interface LoadRow {
  connections: string;
  loops: number;
  tally: Tally;
}

export function loadTable(rows: readonly LoadRow[]): string {
  return markdownTable(
    ["client connections", "loops", "requests", "200", "other status", "connection errors", "timeouts (2 s)"],
    rows.map(({ connections, loops, tally: t }) => [
      connections, loops, t.requests, t.ok, `${total(t.statuses)}${detail(t.statuses)}`, `${total(t.errors)}${detail(t.errors)}`, t.timeouts,
    ]),
  );
}

export interface RunInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  node: string;
  haproxy?: string;
  kubernetes?: string;
  /** e.g. "2 replicas of agc-dataplane:dev". */
  dataplane?: string;
  /** Whether the run measured the cluster too, or translate() alone. */
  onCluster: boolean;
}

export function headerLine(i: RunInfo): string {
  return [
    `${i.date}, ${i.cpus} CPUs (${i.cpuModel}), node ${i.node}`,
    i.haproxy ? `, HAProxy ${i.haproxy}` : "",
    i.kubernetes ? `, Kubernetes ${i.kubernetes}` : "",
    i.dataplane ? `; data plane: ${i.dataplane}` : "",
    i.onCluster ? "; the cluster, the data plane and the client share the machine." : "; translate() alone, in this process.",
  ].join("");
}

// ---------------------------------------------------------------------------------------------
// Objects: the same manifests go to the cluster and into the in-memory snapshot.

const GW_API = GATEWAY_API_VERSION;
const GATEWAY = "web";
const ECHO = "echo";
const ECHO_PORT = 8080;
/** The port echo-basic answers on (test/support/echoBackend.ts). */
const ECHO_TARGET_PORT = 3000;
const DOMAIN = "bench.test";

function gatewayClass(): KubeObject {
  return { apiVersion: GW_API, kind: "GatewayClass", metadata: { name: GATEWAY_CLASS }, spec: { controllerName: CONTROLLER_NAME } };
}

function gateway(namespace: string): KubeObject {
  return {
    apiVersion: GW_API, kind: "Gateway", metadata: { name: GATEWAY, namespace },
    spec: { gatewayClassName: GATEWAY_CLASS, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
  };
}

/** One echo-basic pod, ready on /health. */
const echoDeployment = (namespace: string) => echoBasicDeployment(namespace, ECHO, 1) as KubeObject;

const echoService = (namespace: string) => echoBasicService(namespace, ECHO, ECHO_PORT) as KubeObject;

/** What the EndpointSlice controller writes for the echo Service with its one pod ready. */
function echoEndpointSlice(namespace: string): KubeObject {
  return {
    apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
    metadata: { name: `${ECHO}-bench`, namespace, labels: { "kubernetes.io/service-name": ECHO } },
    addressType: "IPv4",
    ports: [{ name: "", port: ECHO_TARGET_PORT, protocol: "TCP" }],
    endpoints: [{ addresses: ["10.244.0.10"], conditions: { ready: true } }],
  };
}

function httpRoute(namespace: string, name: string, hostname: string, path = "/"): KubeObject {
  return {
    apiVersion: GW_API, kind: "HTTPRoute", metadata: { name, namespace },
    spec: {
      parentRefs: [{ name: GATEWAY }], hostnames: [hostname],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: path } }], backendRefs: [{ name: ECHO, port: ECHO_PORT }] }],
    },
  };
}

const backgroundHost = (i: number) => `bg-${i}.${DOMAIN}`;
const backgroundRoute = (namespace: string, i: number) => httpRoute(namespace, `bg-${i}`, backgroundHost(i));
const probeHost = (k: number) => `probe-${k}.${DOMAIN}`;
const probeRoute = (namespace: string, k: number) => httpRoute(namespace, `probe-${k}`, probeHost(k));
/** Background route i moved to another host name and path. */
const editedHost = (i: number) => `bg-${i}-edited.${DOMAIN}`;
const editedPath = (i: number) => `/edited-${i}`;
const editedRoute = (namespace: string, i: number) => httpRoute(namespace, `bg-${i}`, editedHost(i), editedPath(i));

/** The objects of a run with `routes` background routes, as the controller's snapshot holds them. */
export function benchSnapshot(routes: number, namespace = "bench"): Snapshot {
  const created = Date.UTC(2026, 0, 1);
  const stored = (o: KubeObject, i: number): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, uid: `uid-${o.kind}-${i}`, generation: 1, creationTimestamp: new Date(created + i * 1000).toISOString() },
  });
  return {
    ...emptySnapshot(),
    gatewayClasses: [stored(gatewayClass(), 0)],
    gateways: [stored(gateway(namespace), 0)],
    httpRoutes: Array.from({ length: routes }, (_, i) => stored(backgroundRoute(namespace, i), i)),
    services: [stored(echoService(namespace), 0)],
    endpointSlices: [stored(echoEndpointSlice(namespace), 0)],
    addresses: { [addressKey("Gateway", namespace, GATEWAY)]: ["10.245.0.1"] },
  };
}

/** translate() over the snapshot: `warmups` runs untimed, then `runs` timed ones (ms). */
export function timeTranslate(routes: number, runs: number, warmups = 3): TranslateRow {
  const snapshot = benchSnapshot(routes);
  let irRoutes = 0;
  const times: number[] = [];
  for (let i = 0; i < warmups + runs; i++) {
    const started = performance.now();
    const result = translate(snapshot, { controllerName: CONTROLLER_NAME });
    const elapsed = performance.now() - started;
    if (i >= warmups) times.push(elapsed);
    irRoutes = result.dataplanes[0]?.ir.routes.length ?? 0;
  }
  return { routes, irRoutes, runs: times };
}

const isTrue = (conditions: any[] | undefined, type: string, generation: number | undefined) =>
  (conditions ?? []).some((c) => c.type === type && c.status === "True" && c.observedGeneration === generation);

export const isProgrammed = (gw: any) => isTrue(gw?.status?.conditions, "Programmed", gw?.metadata?.generation);

/** HTTPRoutes our controller accepted at their current generation. */
export function acceptedRoutes(routes: readonly any[]): number {
  return routes.filter((r) =>
    (r.status?.parents ?? []).some((p: any) => p.controllerName === CONTROLLER_NAME && isTrue(p.conditions, "Accepted", r.metadata?.generation)),
  ).length;
}

// ---------------------------------------------------------------------------------------------
// I/O: HTTP through the Gateway, the API server

const TIMEOUT = "timeout";
const REQUEST_TIMEOUT_MS = 2_000;
const POLL_MS = 10;
const CHANGE_TIMEOUT_MS = 60_000;
/** A phase stops after this many failed changes: each can cost a minute. */
const MAX_FAILURES = 5;
/** Removal is done when this many requests in a row answer 404: the data plane has two replicas. */
const REMOVED_IN_A_ROW = 5;
const FIELD_MANAGER = "agc-bench";
/** Between a load loop's requests: bounds the new connections per second (and the client's ports in use). */
const LOAD_PAUSE_MS = 5;

export interface Answer {
  status?: number;
  /** An error code, or TIMEOUT. */
  error?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (m: string) => console.error(`propagation: ${m}`);

let interrupted = false;
class Interrupted extends Error {}
/** Thrown by a waitFor probe when waiting longer cannot help (an image that is not there). */
class GiveUp extends Error {}
const checkInterrupted = () => {
  if (interrupted) throw new Interrupted("interrupted");
};

/** One GET through the Gateway; never rejects. `agent: false` opens a new connection. */
function get(address: string, host: string, path: string, agent: http.Agent | false, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Answer> {
  return new Promise((resolve) => {
    let timedOut = false;
    let settled = false;
    const settle = (a: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(a);
    };
    const req = http.get({ host: address, port: 80, path, headers: { host }, agent }, (res) => {
      res.resume();
      res.on("end", () => settle({ status: res.statusCode }));
      // Closed before the end of the body: cut by the deadline or by the other side.
      res.on("close", () => settle({ error: timedOut ? TIMEOUT : "closed mid-answer" }));
      res.on("error", () => undefined);
    });
    // A deadline for the whole exchange, not only for a silent socket.
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, timeoutMs);
    req.on("error", (e: NodeJS.ErrnoException) => settle({ error: timedOut ? TIMEOUT : (e.code ?? e.message) }));
  });
}

/**
 * Polls every POLL_MS on new connections (a kept-alive one could stay on an old HAProxy worker)
 * until `done` holds `inARow` times in a row; the time of that answer, or undefined at the deadline.
 */
async function pollUntil(address: string, host: string, path: string, done: (a: Answer) => boolean, deadline: number, inARow = 1): Promise<number | undefined> {
  let streak = 0;
  while (performance.now() < deadline) {
    checkInterrupted();
    const answer = await get(address, host, path, false, Math.max(1, Math.min(REQUEST_TIMEOUT_MS, deadline - performance.now())));
    streak = done(answer) ? streak + 1 : 0;
    if (streak >= inARow) return performance.now();
    await sleep(POLL_MS);
  }
  return undefined;
}

/** Waits until `probe` answers something other than undefined; throws naming `what` at the deadline. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    checkInterrupted();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      if (e instanceof GiveUp) throw new Error(`${what}: ${e.message}`);
      last = ` (last error: ${(e as Error).message})`;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${last}`);
    await sleep(intervalMs);
  }
}

/** Runs `each` over the items, `limit` at a time. */
async function withConcurrency<T>(items: readonly T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      checkInterrupted();
      await each(items[next++]);
    }
  }));
}

const PLURALS: Record<string, string> = {
  GatewayClass: "gatewayclasses", Gateway: "gateways", HTTPRoute: "httproutes", Deployment: "deployments", Service: "services",
};
const objectPath = (o: KubeObject) => resourcePath(o.apiVersion!, PLURALS[o.kind!], o.metadata.namespace, o.metadata.name);
const apply = (client: KubeClient, o: KubeObject) => client.apply(objectPath(o), o, FIELD_MANAGER, { force: true });

function haproxyVersion(): Promise<string | undefined> {
  // `agc images` puts this machine's HAProxy binary into the data plane image.
  return new Promise((resolve) => {
    execFile("/usr/sbin/haproxy", ["-v"], { timeout: 5_000 }, (err, stdout) => resolve(err ? undefined : String(stdout).split("\n")[0].split(" ")[2]));
  });
}

async function runInfo(client?: KubeClient): Promise<RunInfo> {
  const cpus = os.cpus();
  const info: RunInfo = { date: new Date().toISOString(), cpus: cpus.length, cpuModel: cpus[0]?.model ?? "unknown", node: process.version, onCluster: Boolean(client) };
  if (!client) return info; // translate() alone: no HAProxy, no cluster
  info.haproxy = await haproxyVersion();
  info.kubernetes = (await client.get("/version").catch(() => undefined))?.gitVersion;
  return info;
}

/** The data plane the controller made for the Gateway: its replicas and image. */
async function dataplaneDescription(client: KubeClient, namespace: string): Promise<string | undefined> {
  const deployments = (await client.get(resourcePath("apps/v1", "deployments", namespace)).catch(() => ({ items: [] }))).items ?? [];
  const dp = deployments.find((d: any) => d.metadata.name !== ECHO);
  return dp ? `${dp.spec?.replicas} replicas of ${dp.spec?.template?.spec?.containers?.[0]?.image}` : undefined;
}

// ---------------------------------------------------------------------------------------------
// The measurements on the cluster

interface Bench {
  client: KubeClient;
  ns: string;
  address: string;
  /** Background routes created so far: bg-0 .. bg-(created-1). */
  created: number;
  /** Probe routes used so far: each change gets a host name never served before. */
  probes: number;
}

async function setUp(client: KubeClient, ns: string): Promise<void> {
  if (!(await client.find("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/httproutes.gateway.networking.k8s.io"))) {
    throw new Error("no Gateway API CRDs in this cluster: is it the one `agc cluster up` started (agc cluster status)?");
  }
  const classPath = objectPath(gatewayClass());
  const existing = await client.find(classPath);
  if (!existing) {
    log(`GatewayClass ${GATEWAY_CLASS} is missing: creating it (it stays after the run)`);
    await apply(client, gatewayClass());
  } else if (existing.spec?.controllerName !== CONTROLLER_NAME) {
    throw new Error(`GatewayClass ${GATEWAY_CLASS} belongs to ${existing.spec?.controllerName}, not ${CONTROLLER_NAME}`);
  }
  await waitFor(`GatewayClass ${GATEWAY_CLASS} Accepted (is the controller running? agc cluster status)`,
    async () => {
      const gc = await client.get(classPath);
      return isTrue(gc.status?.conditions, "Accepted", gc.metadata.generation) ? true : undefined;
    }, 60_000);
  await client.ensureNamespace(ns);
  await apply(client, echoDeployment(ns));
  await apply(client, echoService(ns));
  await apply(client, gateway(ns));
  await waitFor("the echo pod ready (its image comes from `agc images`)", async () => {
    const d = await client.get(objectPath(echoDeployment(ns)));
    if ((d.status?.availableReplicas ?? 0) >= 1) return true;
    const pods = (await client.get(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${ECHO}`)).items ?? [];
    const waiting = pods.flatMap((p: any) => (p.status?.containerStatuses ?? []).map((c: any) => c.state?.waiting?.reason)).filter(Boolean);
    if (waiting.some((r: string) => /ErrImageNeverPull|ImagePullBackOff|CrashLoopBackOff/.test(r))) throw new GiveUp(`echo pod: ${waiting.join(", ")}`);
    return undefined;
  }, 180_000);
}

/** Adds background routes up to `routes`, then waits until they are all accepted and the last is served. */
async function growTo(b: Bench, routes: number): Promise<void> {
  const indices = Array.from({ length: routes - b.created }, (_, j) => b.created + j);
  let done = 0;
  // Batches of 100, 16 applies in flight: bounded load on the API server, a progress line per batch.
  for (let start = 0; start < indices.length; start += 100) {
    await withConcurrency(indices.slice(start, start + 100), 16, async (i) => {
      await apply(b.client, backgroundRoute(b.ns, i));
      done++;
    });
    log(`background routes: ${b.created + done}/${routes} applied`);
  }
  b.created = routes;
  const timeoutMs = 120_000 + routes * 300;
  await waitFor(`${routes} background routes Accepted`, async () => {
    const items = (await b.client.get(resourcePath(GW_API, "httproutes", b.ns))).items ?? [];
    const accepted = acceptedRoutes(items.filter((r: any) => r.metadata.name.startsWith("bg-")));
    return accepted >= routes ? true : undefined;
  }, timeoutMs, 2_000);
  if (!b.address) {
    b.address = await waitFor("the Gateway Programmed with an address", async () => {
      const gw = await b.client.get(objectPath(gateway(b.ns)));
      return isProgrammed(gw) && gw.status?.addresses?.[0]?.value ? String(gw.status.addresses[0].value) : undefined;
    }, 180_000);
    log(`Gateway address ${b.address}`);
  }
  const last = routes - 1;
  if ((await pollUntil(b.address, backgroundHost(last), "/", (a) => a.status === 200, performance.now() + timeoutMs)) === undefined) {
    throw new Error(`background route bg-${last} not served within ${timeoutMs / 1000} s`);
  }
}

/** CHANGES new routes, one at a time: apply, poll until 200, delete, poll until 404 again. */
async function measureChanges(b: Bench, changes: number): Promise<PropagationRow> {
  const row: PropagationRow = { routes: b.created, servedMs: [], applyMs: [], notServed: 0, notRemoved: 0 };
  for (let c = 0; c < changes; c++) {
    if (row.notServed + row.notRemoved >= MAX_FAILURES) {
      row.stopped = `${MAX_FAILURES} failures`;
      break;
    }
    const k = b.probes++;
    const route = probeRoute(b.ns, k);
    const before = await get(b.address, probeHost(k), "/", false);
    if (before.status === 200) throw new Error(`${probeHost(k)} answered 200 before its route existed`);
    const started = performance.now();
    try {
      await apply(b.client, route);
    } catch (e) {
      log(`change ${c}: apply failed: ${(e as Error).message}`);
      row.notServed++;
      continue;
    }
    row.applyMs.push(performance.now() - started);
    const served = await pollUntil(b.address, probeHost(k), "/", (a) => a.status === 200, started + CHANGE_TIMEOUT_MS);
    if (served === undefined) {
      log(`change ${c}: ${probeHost(k)} not served within ${CHANGE_TIMEOUT_MS / 1000} s`);
      row.notServed++;
    } else {
      row.servedMs.push(served - started);
    }
    // Back to N routes before the next change, so every change is measured against the same set.
    const deleted = await b.client.remove(objectPath(route)).then(() => true, (e) => {
      log(`change ${c}: delete failed: ${e.message}`);
      return false;
    });
    const removed = deleted ? await pollUntil(b.address, probeHost(k), "/", (a) => a.status === 404, performance.now() + CHANGE_TIMEOUT_MS, REMOVED_IN_A_ROW) : undefined;
    if (removed === undefined) {
      if (deleted) log(`change ${c}: ${probeHost(k)} still served ${CHANGE_TIMEOUT_MS / 1000} s after its route was deleted`);
      row.notRemoved++;
    }
    if ((c + 1) % 10 === 0) log(`${b.created} routes: ${c + 1}/${changes} changes, latest ${num(row.servedMs[row.servedMs.length - 1])} ms`);
  }
  return row;
}

export interface EditsResult {
  rows: LoadRow[];
  edits: number;
  editMs: number[];
  notServed: number;
  seconds: number;
  steadyHost: string;
  routes: number;
}

/** Requests on bg-0 from kept-alive and new connections, while background routes 1..edits are edited one after another. */
async function editsUnderLoad(b: Bench, edits: number, loadSeconds: number): Promise<EditsResult> {
  const steadyHost = backgroundHost(0);
  const editCount = Math.min(edits, b.created - 1);
  const kinds = [
    { connections: "kept alive", agent: () => new http.Agent({ keepAlive: true, maxSockets: 1 }) as http.Agent | false },
    { connections: "new per request", agent: () => false as const },
  ];
  const LOOPS_PER_KIND = 2;
  let stop = false;
  const rows: LoadRow[] = kinds.map((k) => ({ connections: k.connections, loops: LOOPS_PER_KIND, tally: emptyTally() }));
  const loops = kinds.flatMap((kind, n) => Array.from({ length: LOOPS_PER_KIND }, async () => {
    const agent = kind.agent();
    while (!stop && !interrupted) {
      addAnswer(rows[n].tally, await get(b.address, steadyHost, "/steady", agent));
      await sleep(LOAD_PAUSE_MS);
    }
    if (agent) agent.destroy();
  }));
  const started = performance.now();
  const editMs: number[] = [];
  let notServed = 0;
  // Edits stop at this deadline whatever is left: each may take up to a minute.
  const editsDeadline = started + Math.max(loadSeconds * 1000, 300_000);
  try {
    await sleep(1000); // a second of requests before the first edit
    for (let i = 1; i <= editCount && performance.now() < editsDeadline; i++) {
      checkInterrupted();
      const t0 = performance.now();
      const applied = await apply(b.client, editedRoute(b.ns, i)).then(() => true, (e) => {
        log(`edit ${i}: apply failed: ${e.message}`);
        return false;
      });
      const served = applied ? await pollUntil(b.address, editedHost(i), editedPath(i), (a) => a.status === 200, t0 + CHANGE_TIMEOUT_MS) : undefined;
      if (served === undefined) notServed++;
      else editMs.push(served - t0);
    }
    log(`${editMs.length} edits served under load`);
    const left = started + loadSeconds * 1000 - performance.now();
    if (left > 0) await sleep(left);
  } finally {
    stop = true;
    await Promise.all(loops);
  }
  return { rows, edits: editCount, editMs, notServed, seconds: (performance.now() - started) / 1000, steadyHost, routes: b.created };
}

export function editsSummary(r: EditsResult): string {
  const s = summarize(r.editMs);
  return `${r.edits} of the ${r.routes} background routes edited one after another (host name and path), each until served, ` +
    `while the loops sent requests to ${r.steadyHost} for ${r.seconds.toFixed(1)} s: edit to served p50 ${num(s.p50)} ms, max ${num(s.max)} ms; ` +
    `${r.notServed} edits not served within ${CHANGE_TIMEOUT_MS / 1000} s.`;
}

// ---------------------------------------------------------------------------------------------

function printTranslate(rows: TranslateRow[], warmups: number): void {
  console.log(`\n## translate() time (in-memory snapshot: GatewayClass, Gateway, the HTTPRoutes, Service, EndpointSlice)\n`);
  console.log(translateTable(rows));
  console.log(`\n(${warmups} warm-up runs, then the timed ones; median is the nearest-rank p50.)`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const warmups = 3;
  const translateRows = () => options.routeCounts.map((n) => {
    log(`timing translate() at ${n} routes`);
    return timeTranslate(n, options.translateRuns, warmups);
  });
  if (options.translateOnly) {
    const rows = translateRows();
    console.log(`# pulumi-agc route propagation benchmark\n\n\`${commandLine(options)}\`\n\n${headerLine(await runInfo())}`);
    printTranslate(rows, warmups);
    return;
  }

  const local = clusterLayout(stateDir()).kubeconfig;
  const kubeconfig = chooseKubeconfig(options.kubeconfig, process.env.KUBECONFIG, local);
  if (kubeconfig === local && !fs.existsSync(local)) {
    throw new Error(`no kubeconfig at ${local}: start the local cluster (agc cluster up), or pass --kubeconfig FILE`);
  }
  const client = KubeClient.fromKubeconfig(kubeconfig);
  log(`API server ${client.creds.server}`);
  const ns = `bench-propagation-${Date.now().toString(36)}`;
  let deleting: Promise<void> | undefined;
  const cleanUp = () => (deleting ??= client.remove(`/api/v1/namespaces/${ns}`).catch((e) => log(`could not delete namespace ${ns}: ${e.message}`)));
  const onSignal = () => {
    if (interrupted) process.exit(130); // a second Ctrl-C: leave now
    interrupted = true;
    log(`interrupted: deleting namespace ${ns}`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const propagation: PropagationRow[] = [];
  let edits: EditsResult | undefined;
  const bench: Bench = { client, ns, address: "", created: 0, probes: 0 };
  let info: RunInfo | undefined;
  try {
    log(`namespace ${ns}`);
    await setUp(client, ns);
    info = await runInfo(client);
    for (const routes of options.routeCounts) {
      try {
        await growTo(bench, routes);
      } catch (e) {
        if (e instanceof Interrupted) throw e;
        log(`setting up ${routes} routes failed: ${(e as Error).message}`);
        propagation.push({ routes, servedMs: [], applyMs: [], notServed: 0, notRemoved: 0, stopped: `set-up failed: ${(e as Error).message}` });
        break;
      }
      info.dataplane ??= await dataplaneDescription(client, ns);
      log(`${routes} background routes served; measuring ${options.changes} changes`);
      propagation.push(await measureChanges(bench, options.changes));
    }
    if (bench.created > 1 && !propagation.some((r) => r.stopped?.startsWith("set-up"))) {
      log(`requests for ${options.loadSeconds} s while ${Math.min(options.edits, bench.created - 1)} routes are edited`);
      edits = await editsUnderLoad(bench, options.edits, options.loadSeconds);
    }
  } finally {
    if (!interrupted) {
      log(`deleting namespace ${ns}`);
      await cleanUp();
      await waitFor(`namespace ${ns} gone`, async () => ((await client.find(`/api/v1/namespaces/${ns}`)) ? undefined : true), 120_000, 2_000)
        .catch((e) => log(`${e.message}; it is still terminating`));
      client.close();
    }
  }
  const rows = translateRows();

  console.log(`# pulumi-agc route propagation benchmark\n\n\`${commandLine(options)}\`\n\n${headerLine(info!)}`);
  console.log(`\n## HTTPRoute applied -> first 200 through the Gateway\n`);
  console.log(propagationTable(propagation));
  console.log(`\n(From the start of the apply call to the first 200, polling every ${POLL_MS} ms with a new connection per request; ` +
    `each probe route is deleted, and answers 404 ${REMOVED_IN_A_ROW} times in a row, before the next.)`);
  printTranslate(rows, warmups);
  if (edits) {
    console.log(`\n## Requests on one route while other routes are edited\n`);
    console.log(loadTable(edits.rows));
    console.log(`\n${editsSummary(edits)}`);
  }
}

if (require.main === module) {
  main().then(() => process.exit(0), (e) => {
    // Interrupted: the signal handler exits once the namespace's deletion is sent.
    if (interrupted) return;
    console.error(e);
    process.exit(1);
  });
}
