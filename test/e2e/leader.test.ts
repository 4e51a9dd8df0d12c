// Two controller replicas with leader election against the real API server: one leads and
// reconciles, the other stands by, and takes over when the leader dies.
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { packageRoot } from "../../cli/paths";
import { KubeClient } from "../../kube/client";
import { testLayout } from "../support/localCluster";

jest.setTimeout(120_000);

const ns = `leader-${Date.now().toString(36)}`;
const LEASE = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/alb-controller`;

interface Replica {
  child: ChildProcess;
  output: string;
}

function startReplica(): Replica {
  const child = spawn(process.execPath, [
    path.join(packageRoot, "bin", "agc.js"), "controller", "--kubeconfig", testLayout().kubeconfig,
    "--leader-elect", "--lease-namespace", ns, "--lease-seconds", "3", "--dns-zone", "alb.leader.test", "--namespaces", ns,
  ]);
  const replica: Replica = { child, output: "" };
  child.stderr!.on("data", (c) => (replica.output += c));
  return replica;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let client: KubeClient;
const replicas: Replica[] = [];

beforeAll(() => {
  client = KubeClient.fromKubeconfig(testLayout().kubeconfig);
});

afterAll(async () => {
  for (const r of replicas) r.child.kill("SIGKILL");
  await client.remove(`/api/v1/namespaces/${ns}`);
  client.close();
});

async function provisioned(name: string): Promise<Record<string, any>> {
  await client.create(`/apis/alb.agc.dev/v1alpha1/namespaces/${ns}/trafficcontrollers`, {
    apiVersion: "alb.agc.dev/v1alpha1", kind: "TrafficController", metadata: { name }, spec: { location: "westeurope" },
  });
  return until(`${name} Succeeded`, async () => {
    const tc = await client.get(`/apis/alb.agc.dev/v1alpha1/namespaces/${ns}/trafficcontrollers/${name}`);
    return tc.status?.provisioningState === "Succeeded" ? tc : undefined;
  });
}

test("one replica leads and reconciles; the other takes over when it dies", async () => {
  replicas.push(startReplica());
  await until("the first replica leads", () => replicas[0]!.output.includes("leading") || undefined);
  replicas.push(startReplica());
  await until("the second replica stands by", () => replicas[1]!.output.includes("standing by") || undefined);

  const lease = await client.get(LEASE);
  expect(lease.spec.holderIdentity).toMatch(new RegExp(`_${replicas[0]!.child.pid}$`));
  expect((await provisioned("gw-1")).status.configurationEndpoints[0]).toMatch(/\.config\.alb\.leader\.test$/);
  expect(replicas[1]!.output).not.toContain("leading");

  replicas[0]!.child.kill("SIGKILL");
  await until("the second replica leads", () => replicas[1]!.output.includes("leading") || undefined);
  const taken = await client.get(LEASE);
  expect(taken.spec.holderIdentity).toMatch(new RegExp(`_${replicas[1]!.child.pid}$`));
  expect(taken.spec.leaseTransitions).toBe(1);
  await provisioned("gw-2");
});
