// The local Kubernetes cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
// containerd, the kubelet and kube-proxy, each a process with its state, logs and pid under
// <state>/cluster, and one real node whose pods join the bridge of node.ts.
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { KubeClient } from "../../kube/client";
import { buildImages, ctr, imageCacheDir, importImages } from "../images/build";
import { pauseImage } from "../images/specs";
import { HostRecord, ensureBridge, readHostRecord, reclaimAbandonedNode, recordHost, restoreHost } from "./host";
import {
  GATEWAY_ADDRESS_POOL, NODE_NAME, NODE_NETWORK, NodePaths, RESOLV_CONF, cniConflist, containerdConfig, kubeProxyConfig, kubeletConfig, nodePaths,
} from "./node";
import { Pki, adminKubeconfig, ensurePki, nodeKubeconfig } from "./pki";

export interface ClusterPorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  kubelet: number;
  kubeletHealthz: number;
  kubeProxyMetrics: number;
  kubeProxyHealthz: number;
}

export const DEFAULT_PORT_BASE = 16443;

/** The API server listens on the base port, etcd, the kubelet and kube-proxy on the next six. */
function portsFrom(base: number): ClusterPorts {
  return {
    apiserver: base, etcdClient: base + 1, etcdPeer: base + 2,
    kubelet: base + 3, kubeletHealthz: base + 4, kubeProxyMetrics: base + 5, kubeProxyHealthz: base + 6,
  };
}

export interface ClusterLayout {
  dir: string;
  kubeconfig: string;
  logs: string;
  ports: ClusterPorts;
  node: NodePaths;
}

/** The API server's address on the bridge: pods and the kubelet reach it there. */
export const apiServerUrl = (layout: ClusterLayout) => `https://${NODE_NETWORK.nodeAddress}:${layout.ports.apiserver}`;

const bridgeKubeconfig = (layout: ClusterLayout) => path.join(layout.dir, "admin-bridge.kubeconfig");

/**
 * The host's kubeconfig names 127.0.0.1 (forwarded to the bridge address by `api-loopback`):
 * while the cluster is down, a client using it is refused on loopback, where the bridge
 * address would have been sent to the default route, off the machine.
 */
export const hostApiServerUrl = (layout: ClusterLayout) => `https://127.0.0.1:${layout.ports.apiserver}`;

/**
 * Where a cluster lives. The ports are those it was started with (kept in ports.json), else
 * those of `portBase`, else the defaults.
 */
export function clusterLayout(stateDir: string, portBase?: number): ClusterLayout {
  const dir = path.join(stateDir, "cluster");
  let ports = portsFrom(portBase ?? DEFAULT_PORT_BASE);
  if (portBase === undefined) {
    try {
      ports = portsFrom((JSON.parse(fs.readFileSync(path.join(dir, "ports.json"), "utf8")) as ClusterPorts).apiserver);
    } catch {
      /* never started: defaults */
    }
  }
  return {
    dir,
    kubeconfig: path.join(stateDir, "kubeconfig"),
    logs: path.join(stateDir, "cluster", "logs"),
    ports,
    node: nodePaths(dir),
  };
}

type Log = (msg: string) => void;

interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** In the order `up` starts them. */
const PROCESS_NAMES = ["etcd", "containerd", "kube-apiserver", "api-loopback", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy"];

/**
 * containerd pulls nothing on this machine (images come from `agc images`); were it asked to,
 * this proxy (no listener) refuses the connection before any name is looked up.
 */
const NO_PULLS = { HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9", NO_PROXY: "", https_proxy: "", http_proxy: "", no_proxy: "" };

function processSpecs(bin: string, layout: ClusterLayout, pkiDir: string): ProcessSpec[] {
  const { ports, dir, node } = layout;
  const pki = (f: string) => path.join(pkiDir, f);
  const kubeconfig = bridgeKubeconfig(layout);
  return [
    {
      name: "etcd",
      command: path.join(bin, "etcd"),
      args: [
        "--name=agc", `--data-dir=${path.join(dir, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`, `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=agc=http://127.0.0.1:${ports.etcdPeer}`,
        "--quota-backend-bytes=2147483648", "--logger=zap", "--log-level=warn",
      ],
    },
    {
      name: "kube-apiserver",
      command: path.join(bin, "kube-apiserver"),
      args: [
        `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
        // On the bridge: the kubernetes Service's endpoint, which pods reach; it refuses loopback.
        `--bind-address=${NODE_NETWORK.nodeAddress}`, `--secure-port=${ports.apiserver}`, `--advertise-address=${NODE_NETWORK.nodeAddress}`,
        // The node's name is not in any resolver: looking it up would leave the machine.
        "--kubelet-preferred-address-types=InternalIP",
        `--kubelet-client-certificate=${pki("admin.crt")}`, `--kubelet-client-key=${pki("admin.key")}`,
        `--tls-cert-file=${pki("apiserver.crt")}`, `--tls-private-key-file=${pki("apiserver.key")}`,
        `--client-ca-file=${pki("ca.crt")}`,
        `--service-account-key-file=${pki("sa.pub")}`, `--service-account-signing-key-file=${pki("sa.key")}`,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-cluster-ip-range=${NODE_NETWORK.serviceCidr}`, "--authorization-mode=Node,RBAC", "--allow-privileged=true",
        "--enable-priority-and-fairness=false", "--profiling=false", "--v=1",
      ],
    },
    {
      // The API server binds one address, the bridge's; this carries loopback connections there.
      name: "api-loopback",
      command: "/usr/bin/socat",
      args: [`TCP-LISTEN:${ports.apiserver},bind=127.0.0.1,reuseaddr,fork`, `TCP:${NODE_NETWORK.nodeAddress}:${ports.apiserver}`],
    },
    {
      name: "kube-controller-manager",
      command: path.join(bin, "kube-controller-manager"),
      args: [
        `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
        "--bind-address=127.0.0.1", "--secure-port=0", "--leader-elect=false",
        `--service-account-private-key-file=${pki("sa.key")}`, `--root-ca-file=${pki("ca.crt")}`,
        `--cluster-signing-cert-file=${pki("ca.crt")}`, `--cluster-signing-key-file=${pki("ca.key")}`,
        "--use-service-account-credentials=false",
        // nodelifecycle stays on: it lifts the not-ready taint once the kubelet reports Ready.
        // The service (load balancer) controller stays off: gateway addresses are handed out by ours.
        "--controllers=*,-nodeipam,-cloud-node-lifecycle,-service,-route,-persistentvolume-binder",
        "--profiling=false", "--v=1",
      ],
    },
    {
      name: "kube-scheduler",
      command: path.join(bin, "kube-scheduler"),
      args: [
        `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
        "--bind-address=127.0.0.1", "--secure-port=0", "--leader-elect=false", "--profiling=false", "--v=1",
      ],
    },
    {
      name: "containerd",
      command: "/usr/bin/containerd",
      args: ["--config", node.containerdConfig, "--log-level", "warn"],
      env: NO_PULLS,
    },
    {
      name: "kubelet",
      command: path.join(bin, "kubelet"),
      args: [
        `--config=${node.kubeletConfig}`, `--kubeconfig=${node.kubeletKubeconfig}`, `--root-dir=${node.kubeletRoot}`,
        `--cert-dir=${path.join(node.kubeletRoot, "pki")}`,
        `--hostname-override=${NODE_NAME}`, `--node-ip=${NODE_NETWORK.nodeAddress}`, "--v=1",
      ],
    },
    {
      name: "kube-proxy",
      command: path.join(bin, "kube-proxy"),
      args: [`--config=${node.kubeProxyConfig}`, "--v=1"],
    },
  ];
}

const pidFile = (layout: ClusterLayout, name: string) => path.join(layout.dir, `${name}.pid`);

/** Running: a zombie (exited, not yet reaped by init) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces, the state follows its ")".
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** What a process's first arguments contain when its name does not appear there. */
const COMMAND_MARKERS: Record<string, string> = { "api-loopback": "socat" };

/**
 * Whether a pid still runs the process we started: after a reboot a pid file may name an
 * unrelated process, which `down` must never signal. A zombie's cmdline is empty, so it counts
 * as gone. Where /proc is missing, liveness decides.
 */
function runsOurProcess(pid: number, name: string): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return isAlive(pid); // no such process, or no /proc here
  }
  const marker = COMMAND_MARKERS[name] ?? name;
  return cmdline.split("\0").slice(0, 3).some((arg) => arg.includes(marker));
}

function readPid(layout: ClusterLayout, name: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(layout, name), "utf8").trim());
    return pid > 0 && runsOurProcess(pid, name) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function startProcess(spec: ProcessSpec, layout: ClusterLayout, log: Log): number {
  const logFile = path.join(layout.logs, `${spec.name}.log`);
  const out = fs.openSync(logFile, "a");
  // Detached: the control plane outlives `agc cluster up`; `down` stops it by pid.
  const child = spawn(spec.command, spec.args, { detached: true, stdio: ["ignore", out, out], env: { ...process.env, ...spec.env } });
  fs.closeSync(out);
  if (!child.pid) throw new Error(`could not start ${spec.name} (${spec.command})`);
  child.unref();
  fs.writeFileSync(pidFile(layout, spec.name), String(child.pid));
  log(`started ${spec.name} (pid ${child.pid}, log ${logFile})`);
  return child.pid;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, alive: () => string | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(`${what}: ${dead}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s${lastError ? ` (last error: ${lastError})` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const isReady = (node: any) => (node?.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
/** Ready, and the not-ready taint lifted, so pods can be scheduled. */
const isSchedulable = (node: any) => isReady(node) && !(node?.spec?.taints ?? []).some((t: any) => t.key === "node.kubernetes.io/not-ready");

/**
 * Writes a file `up` generates unless it already holds that text: a second `up` rewrites
 * nothing, and containerd 1.6 does not reload an edited CNI file.
 */
function writeIfChanged(file: string, text: string, mode?: number): void {
  let current: string | undefined;
  try {
    current = fs.readFileSync(file, "utf8");
  } catch {
    current = undefined; // not written yet
  }
  if (current !== text) fs.writeFileSync(file, text, { mode });
}

/** The node's configuration files, written before the processes that read them start. */
function writeNodeFiles(layout: ClusterLayout, pki: Pki): void {
  const { node, ports } = layout;
  for (const d of [node.cniConfDir, node.containerdRoot, node.containerdState, node.kubeletRoot, node.podLogs]) fs.mkdirSync(d, { recursive: true });
  writeIfChanged(node.containerdConfig, containerdConfig(node));
  writeIfChanged(path.join(node.cniConfDir, "10-agc.conflist"), JSON.stringify(cniConflist(node), null, 2));
  writeIfChanged(node.resolvConf, RESOLV_CONF);
  writeIfChanged(node.kubeletConfig, JSON.stringify(kubeletConfig(node, ports, pki.caCert), null, 2));
  writeIfChanged(node.kubeProxyConfig, JSON.stringify(kubeProxyConfig(bridgeKubeconfig(layout), ports), null, 2));
  writeIfChanged(node.kubeletKubeconfig, nodeKubeconfig(pki, apiServerUrl(layout)), 0o600);
}

async function socketAnswers(socket: string): Promise<true | undefined> {
  return new Promise((resolve) => {
    const c = net.connect(socket, () => {
      c.destroy();
      resolve(true);
    });
    c.on("error", () => resolve(undefined));
  });
}

/** Starts whatever is not running yet and returns when /readyz answers and the node is Ready. */
export async function clusterUp(bin: string, layout: ClusterLayout, log: Log): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error("agc cluster up runs a real node (containerd, the kubelet and kube-proxy set up the bridge, iptables rules, mounts and cgroups): run it as root");
  }
  fs.mkdirSync(layout.logs, { recursive: true });
  const specs = processSpecs(bin, layout, path.join(layout.dir, "pki"));
  const missingTools = specs.filter((s) => !fs.existsSync(s.command)).map((s) => s.command);
  if (missingTools.length) throw new Error(`missing tools: ${missingTools.join(", ")}; run \`agc toolchain\` first`);

  // The ports on loopback (the others are on the bridge, which `up` makes).
  const portOwners: Array<[string, number]> = [
    ["etcd", layout.ports.etcdClient], ["etcd", layout.ports.etcdPeer], ["api-loopback", layout.ports.apiserver],
    ["kubelet", layout.ports.kubeletHealthz], ["kube-proxy", layout.ports.kubeProxyMetrics], ["kube-proxy", layout.ports.kubeProxyHealthz],
  ];
  const taken: string[] = [];
  for (const [name, port] of portOwners) {
    if (!readPid(layout, name) && !(await portIsFree(port))) taken.push(`127.0.0.1:${port} (for ${name})`);
  }
  if (taken.length) {
    throw new Error(`ports already in use by another program: ${taken.join(", ")}; stop that program, or choose other ports with --port-base`);
  }

  // Before anything changes the machine: what to restore at `down`.
  await reclaimAbandonedNode(layout.dir, log);
  recordHost(layout.dir);
  ensureBridge(layout.dir);
  writeIfChanged(path.join(layout.dir, "ports.json"), JSON.stringify(layout.ports));
  const pki = ensurePki(path.join(layout.dir, "pki"));
  writeIfChanged(layout.kubeconfig, adminKubeconfig(pki, hostApiServerUrl(layout)), 0o600);
  // The control plane's own clients (controller-manager, scheduler, kube-proxy) use the bridge address.
  writeIfChanged(bridgeKubeconfig(layout), adminKubeconfig(pki, apiServerUrl(layout)), 0o600);
  writeNodeFiles(layout, pki);
  // `down` runs `kube-proxy --cleanup` with the binary that made the rules.
  writeIfChanged(path.join(layout.dir, "kube-proxy.path"), path.join(bin, "kube-proxy"));

  const client = KubeClient.fromKubeconfig(layout.kubeconfig);
  const died = (name: string) => () => (readPid(layout, name) ? undefined : `${name} exited; see ${path.join(layout.logs, name + ".log")}`);
  const start = (name: string) => {
    const spec = specs.find((s) => s.name === name)!;
    if (readPid(layout, name)) log(`${name} already running`);
    else startProcess(spec, layout, log);
  };
  try {
    start("etcd");
    start("containerd");
    start("kube-apiserver");
    start("api-loopback");
    await waitFor("containerd", 30_000, () => socketAnswers(layout.node.containerdSocket), died("containerd"));
    // The sandbox image before the kubelet: containerd would otherwise try to pull it.
    const images = await buildImages([pauseImage(bin)], imageCacheDir(), log);
    importImages(images, layout.node.containerdSocket, log);
    await waitFor("kube-apiserver /readyz", 120_000, async () => ((await client.request("/readyz", { timeoutMs: 5000 })) ? true : undefined), died("kube-apiserver"));
    log("kube-apiserver is ready");
    for (const name of ["kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy"]) start(name);
    await waitFor(`node ${NODE_NAME} Ready`, 120_000, async () => (isSchedulable(await client.find(`/api/v1/nodes/${NODE_NAME}`)) ? true : undefined), died("kubelet"));
    await waitFor("the default ServiceAccount", 60_000, async () => ((await client.find("/api/v1/namespaces/default/serviceaccounts/default")) ? true : undefined), died("kube-controller-manager"));
    log(`node ${NODE_NAME} is Ready at ${NODE_NETWORK.nodeAddress}; gateway addresses: ${GATEWAY_ADDRESS_POOL}; kubeconfig: ${layout.kubeconfig}`);
  } finally {
    client.close();
  }
}

/** Stops one process: SIGTERM to its group, again after `secondTermMs`, SIGKILL at the end. */
async function stopProcess(layout: ClusterLayout, name: string, log: Log, secondTermMs = 15_000): Promise<void> {
  const pid = readPid(layout, name);
  if (!pid) {
    fs.rmSync(pidFile(layout, name), { force: true });
    return;
  }
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // its process group: it was started detached
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  };
  signal("SIGTERM");
  await waitGone(secondTermMs);
  // The API server can take over 30 s on one SIGTERM; a second one ends it.
  if (isAlive(pid)) signal("SIGTERM");
  await waitGone(5_000);
  if (isAlive(pid)) signal("SIGKILL");
  await waitGone(5_000);
  fs.rmSync(pidFile(layout, name), { force: true });
  log(`stopped ${name} (pid ${pid})`);
}

/**
 * Deletes every pod and waits until containerd runs no task: the kubelet tears the sandboxes
 * down, which runs CNI DEL (veths, addresses). Controllers that would replace them are stopped first.
 */
async function removeWorkloads(layout: ClusterLayout, log: Log): Promise<void> {
  const client = KubeClient.fromKubeconfig(layout.kubeconfig);
  try {
    const namespaces = (await client.get("/api/v1/namespaces")).items.map((n: any) => n.metadata.name as string);
    for (const ns of namespaces) {
      await client.request(`/api/v1/namespaces/${ns}/pods`, { method: "DELETE", body: { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 1 }, timeoutMs: 10_000 });
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const pods = (await client.get("/api/v1/pods")).items.length;
      const tasks = ctr(layout.node.containerdSocket, ["tasks", "ls", "-q"]).trim();
      if (!pods && !tasks) break;
      if (Date.now() > deadline) {
        log(`workloads still there after 60 s (${pods} pods, tasks: ${tasks.split("\n").length}); their processes are killed below`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    log("workloads removed");
  } catch (e) {
    log(`could not remove the workloads through the API (${(e as Error).message}); their processes are killed below`);
  } finally {
    client.close();
  }
}

/**
 * Stops everything `up` started and puts the machine back as `up` found it: workloads first
 * (so CNI DEL runs), then the node, the control plane and containerd, then the host changes.
 */
export async function clusterDown(layout: ClusterLayout, log: Log): Promise<void> {
  const record: HostRecord | undefined = readHostRecord(layout.dir);
  for (const name of ["kube-controller-manager", "kube-scheduler"]) await stopProcess(layout, name, log);
  if (readPid(layout, "kube-apiserver") && readPid(layout, "kubelet") && readPid(layout, "containerd")) await removeWorkloads(layout, log);
  for (const name of ["kube-proxy", "kubelet"]) await stopProcess(layout, name, log);
  if (record) cleanupKubeProxyRules(layout);
  for (const name of ["api-loopback", "kube-apiserver", "etcd", "containerd"]) await stopProcess(layout, name, log, name === "kube-apiserver" ? 10_000 : 15_000);
  if (record) {
    await restoreHost(layout.dir, record, log);
    log("host restored");
  }
}

/** `kube-proxy --cleanup`: its own way to remove its rules, before the chains left are removed. */
function cleanupKubeProxyRules(layout: ClusterLayout): void {
  let kubeProxy: string;
  try {
    kubeProxy = fs.readFileSync(path.join(layout.dir, "kube-proxy.path"), "utf8");
  } catch {
    return;
  }
  try {
    execFileSync(kubeProxy, ["--cleanup", `--config=${layout.node.kubeProxyConfig}`], { stdio: "ignore", timeout: 30_000 });
  } catch {
    /* what it left is removed with the chains */
  }
}

export interface ClusterStatus {
  processes: Array<{ name: string; pid?: number }>;
  ready: boolean;
  nodes: string[];
  bridge?: string;
}

export async function clusterStatus(layout: ClusterLayout): Promise<ClusterStatus> {
  const processes = PROCESS_NAMES.map((name) => ({ name, pid: readPid(layout, name) }));
  let ready = false;
  let nodes: string[] = [];
  if (fs.existsSync(layout.kubeconfig) && processes.find((p) => p.name === "kube-apiserver")?.pid) {
    const client = KubeClient.fromKubeconfig(layout.kubeconfig);
    try {
      ready = (await client.request<unknown>("/readyz", { timeoutMs: 3000 })) === "ok";
      const list = await client.get("/api/v1/nodes");
      nodes = list.items.map((n: any) => {
        const info = n.status?.nodeInfo ?? {};
        const address = (n.status?.addresses ?? []).find((a: any) => a.type === "InternalIP")?.address ?? "-";
        return `${n.metadata.name} (${isReady(n) ? "Ready" : "NotReady"}, ${address}, kubelet ${info.kubeletVersion ?? "-"}, ${info.containerRuntimeVersion ?? "-"})`;
      });
    } catch {
      /* not answering: reported as not ready */
    } finally {
      client.close();
    }
  }
  let bridge: string | undefined;
  try {
    const addr = execFileSync("ip", ["-o", "-4", "addr", "show", "dev", NODE_NETWORK.bridge], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    bridge = `${NODE_NETWORK.bridge} ${/inet (\S+)/.exec(addr)?.[1] ?? "(no address)"}`;
  } catch {
    bridge = undefined;
  }
  return { processes, ready, nodes, bridge };
}
