// `agc dataplane --ir FILE | --configmap NAMESPACE/NAME`: runs HAProxy and keeps it in line
// with the IR document, until SIGINT/SIGTERM.
import * as os from "os";
import * as path from "path";
import { KubeClient } from "../../kube/client";
import { DataplaneAgent } from "../../dataplane/agent";
import { parseConfigMapRef } from "../../dataplane/configmap";
import { DEFAULT_HAPROXY, DEFAULT_RELOAD_TIMEOUT_MS } from "../../dataplane/haproxy";
import { followGatewayInCluster, ObjectRef, podRef } from "../../dataplane/in-cluster";
import { IR_CONFIGMAP_KEY, IR_REVISION_ANNOTATION } from "../../model/ir";
import { DEFAULT_OLD_WORKER_TIMEOUT_MS, DEFAULT_RETRY_BACKOFF } from "../../dataplane/policy";
import { parseFlags } from "./render";

export const summary = "run the data plane: HAProxy kept in line with an IR document";

const DEFAULT_ADMIN_PORT = 9901;
const DEFAULT_DRAIN_SECONDS = 10;

export const HELP = `usage: agc dataplane (--ir FILE | --configmap NAMESPACE/NAME) [options]
       agc dataplane proxy --runtime-dir DIR [options]   (HAProxy's own process; see its --help)

Where the IR comes from (exactly one):
  --ir FILE                        an IR document on disk; changes to the file apply as they happen.
                                   Certificates must be files (certificateFile, keyFile).
  --configmap NAMESPACE/NAME       the IR the controller publishes: key '${IR_CONFIGMAP_KEY}' of that ConfigMap,
                                   followed through a watch. Certificates may name kubernetes.io/tls
                                   Secrets; the agent reads them (tls.crt, tls.key), follows their changes
                                   and writes each as one PEM file, mode 0600, under --runtime-dir.

Options (default in brackets):
  --kubeconfig PATH                with --configmap: credentials [$KUBECONFIG, then ~/.kube/config, then
                                   the pod's service account]
  --pod NAMESPACE/NAME             with --configmap: once HAProxy serves an IR, record its revision on this
                                   pod as annotation ${IR_REVISION_ANNOTATION} [$POD_NAMESPACE/$POD_NAME when
                                   both are set (downward API), else not recorded]
  --runtime-dir DIR                configuration generations, maps, certificates, sockets
                                   [$TMPDIR/agc-dataplane-<pid>]
  --admin-port PORT                admin HTTP on 127.0.0.1; 0 picks a free port [${DEFAULT_ADMIN_PORT}]
  --probe-port PORT                /healthz, /readyz and /backends on every address, for the
                                   kubelet's HTTP probes and health from outside the pod [none]
  --haproxy PATH                   the HAProxy 2.6+ binary (with --external-haproxy: only to check
                                   configurations) [${DEFAULT_HAPROXY}]
  --external-haproxy               do not start HAProxy: 'agc dataplane proxy --runtime-dir DIR' runs it
                                   on the same --runtime-dir. The agent waits for its master, adopts it
                                   (one seamless reload with the current IR), drives it through the
                                   master socket, and leaves it serving when it stops or dies.
                                   Old workers are stopped by HAProxy (hard-stop-after). [off]
  --drain-seconds N                on SIGTERM/SIGINT, open connections get up to N s to finish (not with
                                   --external-haproxy: HAProxy keeps serving) [${DEFAULT_DRAIN_SECONDS}]
  --reload-timeout-seconds N       a reload that shows no new worker within N s has failed, and is
                                   retried [${DEFAULT_RELOAD_TIMEOUT_MS / 1000}]
  --old-worker-timeout-seconds N   after a reload, old workers keep their connections (WebSockets, long
                                   downloads) for up to N s, then are stopped [${DEFAULT_OLD_WORKER_TIMEOUT_MS / 1000}]
  --retry-max-seconds N            restarts of a crashing HAProxy and retries of a failed reload wait
                                   ${DEFAULT_RETRY_BACKOFF.initialMs / 1000} s, doubling up to N s [${DEFAULT_RETRY_BACKOFF.maxMs / 1000}]

Admin endpoints:
  /healthz    200; 503 with a reason while HAProxy, once started, is not running
  /readyz     200 with the gateway and the IR revision served; 503 with a reason until a configuration
              serves and while HAProxy is not running. A refused or failing newer IR, and certificates
              left out (a Secret missing), are listed without making it unready: the last good
              configuration keeps serving.
  /backends   health per cluster and endpoint

Access log lines (JSON, one per request, with the x-request-id) go to stdout; everything else to stderr.`;

export const FLAGS = [
  "--ir", "--configmap", "--kubeconfig", "--pod", "--runtime-dir", "--admin-port", "--probe-port", "--haproxy", "--drain-seconds",
  "--reload-timeout-seconds", "--old-worker-timeout-seconds", "--retry-max-seconds", "--external-haproxy",
];
/** Flags that take no value. */
const SWITCHES = ["--external-haproxy"];

export interface DataplaneConfig {
  source: { kind: "file"; file: string } | { kind: "configmap"; configMap: ObjectRef; pod?: ObjectRef; kubeconfig?: string };
  runtimeDir: string;
  adminPort: number;
  /** Undefined: no probe port. */
  probePort?: number;
  haproxyBin: string;
  drainSeconds: number;
  reloadTimeoutMs: number;
  oldWorkerTimeoutMs: number;
  retryMaxMs: number;
  externalHaproxy: boolean;
}

/** A number option within bounds, or the sentence saying what is wrong with it. */
export function numberFlag(flags: Record<string, string>, name: string, fallback: number, min: number, max: number, integer = false): number | string {
  if (flags[name] === undefined) return fallback;
  const n = Number(flags[name]);
  if (flags[name].trim() === "" || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    return `${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got '${flags[name]}'`;
  }
  return n;
}

/** The command line (and the pod's environment) into a configuration, or the first problem. */
export function dataplaneConfig(args: string[], env: Record<string, string | undefined>, pid: number): { ok: true; config: DataplaneConfig } | { ok: false; error: string } {
  const switches = new Set(args.filter((a) => SWITCHES.includes(a)));
  const { flags, error } = parseFlags(args.filter((a) => !SWITCHES.includes(a)), FLAGS);
  if (error) return { ok: false, error };
  if ((flags["--ir"] === undefined) === (flags["--configmap"] === undefined)) return { ok: false, error: "give exactly one of --ir FILE and --configmap NAMESPACE/NAME" };
  const numbers = {
    adminPort: numberFlag(flags, "--admin-port", DEFAULT_ADMIN_PORT, 0, 65535, true),
    probePort: numberFlag(flags, "--probe-port", -1, 1, 65535, true), // -1: none
    drainSeconds: numberFlag(flags, "--drain-seconds", DEFAULT_DRAIN_SECONDS, 0, 86_400),
    reloadTimeoutSeconds: numberFlag(flags, "--reload-timeout-seconds", DEFAULT_RELOAD_TIMEOUT_MS / 1000, 1, 3_600),
    oldWorkerTimeoutSeconds: numberFlag(flags, "--old-worker-timeout-seconds", DEFAULT_OLD_WORKER_TIMEOUT_MS / 1000, 1, 7 * 86_400),
    retryMaxSeconds: numberFlag(flags, "--retry-max-seconds", DEFAULT_RETRY_BACKOFF.maxMs / 1000, DEFAULT_RETRY_BACKOFF.initialMs / 1000, 3_600),
  };
  const bad = Object.values(numbers).find((v): v is string => typeof v === "string");
  if (bad) return { ok: false, error: bad };
  const n = numbers as Record<keyof typeof numbers, number>;
  let source: DataplaneConfig["source"];
  if (flags["--ir"] !== undefined) {
    for (const onlyInCluster of ["--pod", "--kubeconfig"]) {
      if (flags[onlyInCluster] !== undefined) return { ok: false, error: `${onlyInCluster} goes with --configmap, not --ir` };
    }
    source = { kind: "file", file: path.resolve(flags["--ir"]) };
  } else {
    const configMap = parseConfigMapRef(flags["--configmap"]);
    if (!configMap) return { ok: false, error: `--configmap must be NAMESPACE/NAME, got '${flags["--configmap"]}'` };
    const pod = podRef(flags["--pod"], env);
    if (!pod.ok) return { ok: false, error: pod.error };
    source = { kind: "configmap", configMap, pod: pod.pod, kubeconfig: flags["--kubeconfig"] };
  }
  return {
    ok: true,
    config: {
      source,
      runtimeDir: flags["--runtime-dir"] ?? path.join(os.tmpdir(), `agc-dataplane-${pid}`),
      adminPort: n.adminPort,
      ...(n.probePort >= 0 ? { probePort: n.probePort } : {}),
      haproxyBin: flags["--haproxy"] ?? DEFAULT_HAPROXY,
      drainSeconds: n.drainSeconds,
      reloadTimeoutMs: n.reloadTimeoutSeconds * 1000,
      oldWorkerTimeoutMs: n.oldWorkerTimeoutSeconds * 1000,
      retryMaxMs: n.retryMaxSeconds * 1000,
      externalHaproxy: switches.has("--external-haproxy"),
    },
  };
}

export async function main(args: string[]): Promise<number> {
  if (args[0] === "proxy") return (require("./dataplane-proxy") as typeof import("./dataplane-proxy")).main(args.slice(1));
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const parsed = dataplaneConfig(args, process.env, process.pid);
  if (!parsed.ok) {
    console.error(`agc dataplane: ${parsed.error}\n\n${HELP}`);
    return 2;
  }
  const config = parsed.config;
  const log = (m: string) => console.error(`agc dataplane: ${m}`);
  let client: KubeClient | undefined;
  if (config.source.kind === "configmap") {
    try {
      client = KubeClient.fromKubeconfig(config.source.kubeconfig);
    } catch (e) {
      log((e as Error).message);
      return 1;
    }
  }
  const agent = new DataplaneAgent({
    runtimeDir: config.runtimeDir,
    haproxyBin: config.haproxyBin,
    adminPort: config.adminPort,
    probePort: config.probePort,
    reloadTimeoutMs: config.reloadTimeoutMs,
    oldWorkerTimeoutMs: config.oldWorkerTimeoutMs,
    retryBackoff: { initialMs: DEFAULT_RETRY_BACKOFF.initialMs, maxMs: config.retryMaxMs },
    externalHaproxy: config.externalHaproxy,
    unreadSecretReason: config.source.kind === "file" ? "Secrets are read only with --configmap; with --ir give certificateFile and keyFile" : undefined,
  });
  agent.on("applied", (r) => {
    if (r.kind === "rejected") log(`IR refused, the previous configuration keeps serving:\n  ${r.errors.join("\n  ")}`);
    else if (r.kind === "failed") log(`applying the IR failed, retrying in ${r.retryInMs} ms:\n  ${r.errors.join("\n  ")}`);
    else if (r.kind !== "unchanged") log(`applied (${r.kind}) in ${r.durationMs} ms${agent.servedRevision ? `, revision ${agent.servedRevision}` : ""}`);
  });
  agent.on("restarted", () => log("haproxy restarted with the last good configuration"));
  await agent.startAdmin();
  const stopping = new AbortController();
  process.once("SIGINT", () => stopping.abort());
  process.once("SIGTERM", () => stopping.abort());
  const admin = `admin on http://127.0.0.1:${agent.adminAddress?.port}/readyz`;
  if (config.source.kind === "file") {
    const first = await agent.watchFile(config.source.file);
    if (first.kind === "rejected") {
      await agent.stop();
      return 1;
    }
    log(`serving; ${admin}`);
    await new Promise<void>((resolve) => stopping.signal.addEventListener("abort", () => resolve(), { once: true }));
  } else {
    const { configMap, pod } = config.source;
    log(`following ConfigMap ${configMap.namespace}/${configMap.name}${pod ? `, recording the served revision on pod ${pod.namespace}/${pod.name}` : ""}; ${admin}`);
    await followGatewayInCluster({ client: client!, agent, configMap, pod, log, signal: stopping.signal });
    client!.close();
  }
  log(config.externalHaproxy ? "stopping; haproxy keeps serving the last configuration" : `stopping; open connections get up to ${config.drainSeconds} s`);
  await agent.stop(config.drainSeconds * 1000);
  return 0;
}
