// `agc cluster` as a user runs it, with its own state directory and ports: up (twice: it is
// idempotent), status, env, `agc images`, a pod on the real node, recovery after kill -9, and
// down, which must leave the machine as up found it. One node runs per machine, so this
// project runs on its own (jest -c jest.host.config.js), never beside the e2e cluster.
// Needs the build (`npm run build`) and the toolchain.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KubeClient } from "../../kube/client";
import { eventually } from "../dataplane/harness";
import { agcWithState } from "../support/agcCommand";
import { hostSnapshot, HostSnapshot, processesMentioning } from "../support/hostSnapshot";

jest.setTimeout(600_000);

const PORT_BASE = 19443;
const state = fs.mkdtempSync(path.join(os.tmpdir(), "agc-cluster-cli-"));
const kubeconfig = path.join(state, "kubeconfig");
const agc = agcWithState(state);
const pidOf = (name: string) => Number(fs.readFileSync(path.join(state, "cluster", `${name}.pid`), "utf8"));

let before: HostSnapshot;

beforeAll(() => {
  before = hostSnapshot(state);
});

const other = fs.mkdtempSync(path.join(os.tmpdir(), "agc-cluster-other-"));
const agcOther = agcWithState(other);

afterAll(async () => {
  await agc("cluster", "down");
  await agcOther("cluster", "down");
  fs.rmSync(state, { recursive: true, force: true });
  fs.rmSync(other, { recursive: true, force: true });
});

test("up starts a ready node, no controller process, and a second up starts nothing", async () => {
  const first = await agc("cluster", "up", "--port-base", String(PORT_BASE));
  expect({ code: first.code, stderr: first.code ? first.stderr : "" }).toEqual({ code: 0, stderr: "" });
  for (const name of ["etcd", "containerd", "kube-apiserver", "kubelet", "kube-proxy"]) expect(first.stderr).toMatch(new RegExp(`started ${name} \\(pid`));
  expect(first.stderr).toMatch(/node agc-node-1 is Ready at 10\.244\.0\.1/);
  // The controller runs as pods, installed on request; up says how.
  expect(first.stderr).not.toMatch(/started agc-controller/);
  expect(first.stderr).toContain("agc images && agc controller install");

  const again = await agc("cluster", "up");
  expect(again.code).toBe(0);
  expect(again.stderr).not.toMatch(/started /);
  expect(again.stderr).toMatch(/kubelet already running/);
});

test("status shows each part: processes, the API, the node and its versions, the bridge, the gateway pool", async () => {
  const r = await agc("cluster", "status");
  expect(r.code).toBe(0);
  for (const name of ["etcd", "containerd", "kube-apiserver", "api-loopback", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy"]) {
    expect(r.stdout).toMatch(new RegExp(`^${name} +running \\(pid \\d+\\)$`, "m"));
  }
  expect(r.stdout).toContain(`ready at https://10.244.0.1:${PORT_BASE} (and https://127.0.0.1:${PORT_BASE})`);
  expect(r.stdout).toMatch(/agc-node-1 \(Ready, 10\.244\.0\.1, kubelet v1\.33\.13, containerd:\/\/1\.6\.\d+/);
  expect(r.stdout).toMatch(/^bridge +agc0 10\.244\.0\.1\/24$/m);
  expect(r.stdout).toMatch(/^gateway addresses +10\.245\.0\.0\/24$/m);
});

test("env prints exports a shell can evaluate, the gateway address pool among them", async () => {
  const r = await agc("cluster", "env");
  const shown = await new Promise<string>((resolve) => {
    const sh = spawn("sh", ["-c", `${r.stdout}\nprintf '%s|%s|%s' "$KUBECONFIG" "$PULUMI_BACKEND_URL" "$AGC_GATEWAY_ADDRESS_POOL"`]);
    let out = "";
    sh.stdout.on("data", (c) => (out += c));
    sh.on("close", () => resolve(out));
  });
  expect(shown).toBe(`${kubeconfig}|file://${path.join(state, "pulumi-state")}|10.245.0.0/24`);
});

test("agc images imports the echo image once; a pod of it runs, and survives kill -9 of the node's parts", async () => {
  const first = await agc("images", "echo-basic");
  expect(first.code).toBe(0);
  const second = await agc("images", "echo-basic");
  expect(second.stderr).toMatch(/echo-basic: already in containerd/);

  const kube = KubeClient.fromKubeconfig(kubeconfig);
  try {
    await kube.create("/api/v1/namespaces/default/pods", {
      metadata: { name: "echo" },
      spec: {
        containers: [{
          name: "echo", image: "registry.k8s.io/gateway-api/echo-basic:v1.5.1", imagePullPolicy: "Never",
          readinessProbe: { httpGet: { path: "/health", port: 3000 }, periodSeconds: 1 },
        }],
      },
    });
    const ready = (p: any) => (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
    const pod = await eventually("pod echo Ready", async () => {
      const p = await kube.get("/api/v1/namespaces/default/pods/echo");
      return ready(p) ? p : undefined;
    }, 120_000, 250);

    // While it runs, the machine carries the node: the snapshot sees it (so it can see leftovers).
    const during = hostSnapshot(state);
    expect(during.links).toContain("agc0");
    expect(during.chains).toContain("ipv4 nat KUBE-SERVICES");
    expect(during.cgroups).toContain("memory/kubepods");
    expect(during.sysctls["net/ipv4/ip_forward"]).toBe("1");

    for (const name of ["containerd", "kubelet", "kube-proxy", "kube-apiserver"]) process.kill(pidOf(name), "SIGKILL");
    const recovered = await agc("cluster", "up");
    expect({ code: recovered.code, stderr: recovered.code ? recovered.stderr : "" }).toEqual({ code: 0, stderr: "" });
    for (const name of ["containerd", "kubelet", "kube-proxy", "kube-apiserver"]) expect(recovered.stderr).toMatch(new RegExp(`started ${name} \\(pid`));
    const after = await eventually("pod echo Ready again", async () => {
      const p = await kube.get("/api/v1/namespaces/default/pods/echo");
      return ready(p) ? p : undefined;
    }, 120_000, 250);
    expect(after.status.podIP).toBe(pod.status.podIP);
  } finally {
    kube.close();
  }
});

test("agc controller install runs the controller as pods: the bootstrap and two replicas ready, GatewayClass agc Accepted", async () => {
  expect((await agc("images")).code).toBe(0);
  const r = await agc("controller", "install", "--kubeconfig", kubeconfig);
  expect({ code: r.code, stderr: r.code ? r.stderr : "" }).toEqual({ code: 0, stderr: "" });
  expect(r.stderr).toMatch(/applied Deployment agc-system\/alb-controller\n/);
  expect(r.stderr).toMatch(/the ALB controller runs in agc-system/);
  const kube = KubeClient.fromKubeconfig(kubeconfig);
  try {
    const pods = (await kube.get("/api/v1/namespaces/agc-system/pods")).items;
    const ready = pods.filter((p: any) => (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True"));
    expect(ready.map((p: any) => p.metadata.labels["app.kubernetes.io/name"]).sort()).toEqual(["alb-controller", "alb-controller", "alb-controller-bootstrap"]);
    const gatewayClass = await kube.get("/apis/gateway.networking.k8s.io/v1/gatewayclasses/agc");
    expect(gatewayClass.status.conditions.find((c: any) => c.type === "Accepted").status).toBe("True");
  } finally {
    kube.close();
  }
  // Again: nothing to change, already rolled out.
  const again = await agc("controller", "install", "--kubeconfig", kubeconfig);
  expect(again.code).toBe(0);
});

test("down stops everything and leaves the machine as up found it", async () => {
  const r = await agc("cluster", "down");
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/host restored/);
  expect(hostSnapshot(state)).toEqual(before);
  const status = await agc("cluster", "status");
  expect(status.code).toBe(1);
  expect(status.stdout).toContain("not answering");
});

/** SIGKILL to every process of the cluster in `dir` and its pods, as when the machine stops under it. */
function killEverything(dir: string): number {
  const pids = new Set(processesMentioning(dir).map((p) => p.pid));
  const walk = (cg: string) => {
    if (!fs.existsSync(cg)) return;
    for (const p of fs.readFileSync(path.join(cg, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) pids.add(Number(p));
    for (const e of fs.readdirSync(cg, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(cg, e.name));
  };
  for (const h of fs.readdirSync("/sys/fs/cgroup")) for (const c of ["kubepods", "k8s.io"]) walk(path.join("/sys/fs/cgroup", h, c));
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  return pids.size;
}

test("a node none of whose processes runs any more is cleared by the next up, from any state directory; a running one is not", async () => {
  expect((await agc("cluster", "up")).code).toBe(0);
  const refused = await agcOther("cluster", "up", "--port-base", String(PORT_BASE + 100));
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain(`the bridge agc0 already exists and belongs to the cluster in ${path.join(state, "cluster")}`);

  expect(killEverything(path.join(state, "cluster"))).toBeGreaterThan(5);
  const up = await agcOther("cluster", "up", "--port-base", String(PORT_BASE + 100));
  expect({ code: up.code, stderr: up.code ? up.stderr : "" }).toEqual({ code: 0, stderr: "" });
  expect(up.stderr).toContain(`the node of ${path.join(state, "cluster")} is on the machine but none of its processes runs: removing what it left`);
  expect(up.stderr).toMatch(/node agc-node-1 is Ready/);

  const down = await agcOther("cluster", "down");
  expect(down.code).toBe(0);
  expect(hostSnapshot(state)).toEqual(before);
  expect(hostSnapshot(other)).toEqual(before);
});
