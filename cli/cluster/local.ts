// The local Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok (nodes and pods without a kubelet), each a process on loopback with
// its state, logs and pid under <state>/cluster.
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { KubeClient } from "../../kube/client";
import { packageRoot } from "../paths";
import { adminKubeconfig, ensurePki } from "./pki";

export interface ClusterPorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

export const DEFAULT_PORT_BASE = 16443;

/** The API server listens on the base port, etcd on the next two. */
export function portsFrom(base: number): ClusterPorts {
  return { apiserver: base, etcdClient: base + 1, etcdPeer: base + 2 };
}

/** The fake node kwok manages; pods scheduled to it become Running and Ready. */
export const NODE_NAME = "agc-node-1";

export interface ClusterLayout {
  dir: string;
  kubeconfig: string;
  logs: string;
  ports: ClusterPorts;
}

/**
 * Where a cluster lives. The ports are those it was started with (kept in ports.json), else
 * those of `portBase`, else the defaults.
 */
export function clusterLayout(stateDir: string, portBase?: number): ClusterLayout {
  const dir = path.join(stateDir, "cluster");
  let ports = portsFrom(portBase ?? DEFAULT_PORT_BASE);
  if (portBase === undefined) {
    try {
      ports = JSON.parse(fs.readFileSync(path.join(dir, "ports.json"), "utf8")) as ClusterPorts;
    } catch {
      /* never started: defaults */
    }
  }
  return {
    dir,
    kubeconfig: path.join(stateDir, "kubeconfig"),
    logs: path.join(stateDir, "cluster", "logs"),
    ports,
  };
}

type Log = (msg: string) => void;

interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
}

/** The ALB controller as a local process, the way the embedded default runs it. */
function controllerSpec(layout: ClusterLayout): ProcessSpec {
  return {
    name: "agc-controller",
    command: process.execPath,
    args: [path.join(packageRoot, "bin", "agc.js"), "controller", "--kubeconfig", layout.kubeconfig],
  };
}

/** Newest first: the order `down` stops them in. */
const PROCESS_NAMES = ["agc-controller", "kwok", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"];

function processSpecs(bin: string, layout: ClusterLayout, pkiDir: string): ProcessSpec[] {
  const { ports, dir } = layout;
  const pki = (f: string) => path.join(pkiDir, f);
  const kubeconfig = layout.kubeconfig;
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
        "--bind-address=127.0.0.1", `--secure-port=${ports.apiserver}`, "--advertise-address=127.0.0.1",
        // The kubernetes Service would need a routable address; nothing here dials it.
        "--endpoint-reconciler-type=none",
        `--tls-cert-file=${pki("apiserver.crt")}`, `--tls-private-key-file=${pki("apiserver.key")}`,
        `--client-ca-file=${pki("ca.crt")}`,
        `--service-account-key-file=${pki("sa.pub")}`, `--service-account-signing-key-file=${pki("sa.key")}`,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-cluster-ip-range=10.96.0.0/16", "--authorization-mode=Node,RBAC", "--allow-privileged=true",
        "--enable-priority-and-fairness=false", "--profiling=false", "--v=1",
      ],
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
        // nodelifecycle stays on: it lifts the not-ready taint once kwok reports the node Ready.
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
      name: "kwok",
      command: path.join(bin, "kwok"),
      args: [
        `--kubeconfig=${kubeconfig}`, "--manage-all-nodes=false",
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom",
        "--cidr=10.244.0.0/16", "--node-ip=127.0.0.1", "--server-address=",
      ],
    },
  ];
}

const pidFile = (layout: ClusterLayout, name: string) => path.join(layout.dir, `${name}.pid`);

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a pid still runs the process we started: after a reboot a pid file may name an
 * unrelated process, which `down` must never signal. Where /proc is missing, liveness decides.
 */
function runsOurProcess(pid: number, name: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes(name === "agc-controller" ? "controller" : name);
  } catch {
    return true;
  }
}

function readPid(layout: ClusterLayout, name: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(layout, name), "utf8").trim());
    return pid > 0 && runsOurProcess(pid, name) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function portIsFree(port: number): Promise<boolean> {
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
  const child = spawn(spec.command, spec.args, { detached: true, stdio: ["ignore", out, out] });
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

function fakeNode(): object {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: NODE_NAME,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: { "kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok" },
    },
    spec: {},
  };
}

const isReady = (node: any) => (node?.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
/** Ready, and the not-ready taint lifted, so pods can be scheduled. */
const isSchedulable = (node: any) => isReady(node) && !(node?.spec?.taints ?? []).some((t: any) => t.key === "node.kubernetes.io/not-ready");

export interface UpOptions {
  /** Also run the ALB controller (`agc controller`) as a local process. */
  controller?: boolean;
}

/** Starts whatever is not running yet and returns when /readyz answers and the node is Ready. */
export async function clusterUp(bin: string, layout: ClusterLayout, log: Log, options: UpOptions = {}): Promise<void> {
  fs.mkdirSync(layout.logs, { recursive: true });
  fs.writeFileSync(path.join(layout.dir, "ports.json"), JSON.stringify(layout.ports));
  const pki = ensurePki(path.join(layout.dir, "pki"));
  fs.writeFileSync(layout.kubeconfig, adminKubeconfig(pki, `https://127.0.0.1:${layout.ports.apiserver}`), { mode: 0o600 });
  const specs = processSpecs(bin, layout, pki.dir);
  const missingTools = specs.filter((s) => !fs.existsSync(s.command)).map((s) => s.command);
  if (missingTools.length) throw new Error(`missing tools: ${missingTools.join(", ")}; run \`agc toolchain\` first`);

  const portOwners: Array<[string, number]> = [
    ["etcd", layout.ports.etcdClient], ["etcd", layout.ports.etcdPeer], ["kube-apiserver", layout.ports.apiserver],
  ];
  const taken: string[] = [];
  for (const [name, port] of portOwners) {
    if (!readPid(layout, name) && !(await portIsFree(port))) taken.push(`127.0.0.1:${port} (for ${name})`);
  }
  if (taken.length) {
    throw new Error(`ports already in use by another program: ${taken.join(", ")}; stop that program, or choose other ports with --port-base`);
  }

  const client = KubeClient.fromKubeconfig(layout.kubeconfig);
  const died = (name: string) => () => (readPid(layout, name) ? undefined : `${name} exited; see ${path.join(layout.logs, name + ".log")}`);
  try {
    const start = (name: string) => {
      const spec = specs.find((s) => s.name === name)!;
      if (readPid(layout, name)) log(`${name} already running`);
      else startProcess(spec, layout, log);
    };
    start("etcd");
    start("kube-apiserver");
    await waitFor("kube-apiserver /readyz", 120_000, async () => ((await client.request("/readyz", { timeoutMs: 5000 })) ? true : undefined), died("kube-apiserver"));
    log("kube-apiserver is ready");
    for (const name of ["kube-controller-manager", "kube-scheduler", "kwok"]) start(name);
    if (!(await client.find(`/api/v1/nodes/${NODE_NAME}`))) await client.create("/api/v1/nodes", fakeNode());
    await waitFor(`node ${NODE_NAME} Ready`, 60_000, async () => (isSchedulable(await client.get(`/api/v1/nodes/${NODE_NAME}`)) ? true : undefined), died("kwok"));
    await waitFor("the default ServiceAccount", 60_000, async () => ((await client.find("/api/v1/namespaces/default/serviceaccounts/default")) ? true : undefined), died("kube-controller-manager"));
    log(`node ${NODE_NAME} is Ready; kubeconfig: ${layout.kubeconfig}`);
    if (options.controller) {
      if (readPid(layout, "agc-controller")) log("agc-controller already running");
      else startProcess(controllerSpec(layout), layout, log);
      // Ready when it has installed the CRDs (its first step).
      await waitFor("agc-controller", 60_000, async () => ((await client.find("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/trafficcontrollers.alb.agc.dev")) ? true : undefined), died("agc-controller"));
    }
  } finally {
    client.close();
  }
}

/** Stops every process `up` started, newest first, and waits until they are gone. */
export async function clusterDown(layout: ClusterLayout, log: Log): Promise<void> {
  for (const name of PROCESS_NAMES) {
    const pid = readPid(layout, name);
    if (!pid) continue;
    try {
      process.kill(-pid, "SIGTERM"); // its process group: it was started detached
    } catch {
      process.kill(pid, "SIGTERM");
    }
    const deadline = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        process.kill(pid, "SIGKILL");
      }
    }
    fs.rmSync(pidFile(layout, name), { force: true });
    log(`stopped ${name} (pid ${pid})`);
  }
}

export interface ClusterStatus {
  processes: Array<{ name: string; pid?: number }>;
  ready: boolean;
  nodes: string[];
}

export async function clusterStatus(layout: ClusterLayout): Promise<ClusterStatus> {
  const processes = [...PROCESS_NAMES].reverse().map((name) => ({ name, pid: readPid(layout, name) }));
  let ready = false;
  let nodes: string[] = [];
  if (fs.existsSync(layout.kubeconfig) && processes.find((p) => p.name === "kube-apiserver")?.pid) {
    const client = KubeClient.fromKubeconfig(layout.kubeconfig);
    try {
      ready = (await client.request<unknown>("/readyz", { timeoutMs: 3000 })) === "ok";
      const list = await client.get("/api/v1/nodes");
      nodes = list.items.map((n: any) => `${n.metadata.name} (${isReady(n) ? "Ready" : "NotReady"})`);
    } catch {
      /* not answering: reported as not ready */
    } finally {
      client.close();
    }
  }
  return { processes, ready, nodes };
}
