// Two controller replicas with leader election against the real API server: one leads and
// reconciles, the other stands by, and takes over when the leader dies.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { packageRoot } from "../../cli/paths";
import { KubeClient } from "../../kube/client";
import { eventually } from "../dataplane/harness";
import { testClient, testKubeconfigAt, testLayout } from "../support/localCluster";

jest.setTimeout(120_000);

const ns = `leader-${Date.now().toString(36)}`;
const LEASE = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/alb-controller`;

interface Replica {
  child: ChildProcess;
  output: string;
}

const running = (r: Replica) => r.child.exitCode === null && r.child.signalCode === null;
const exited = (r: Replica) => new Promise<number | null>((resolve) => (running(r) ? r.child.once("exit", resolve) : resolve(r.child.exitCode)));

function startReplica(dnsZone = "alb.leader.test", kubeconfig = testLayout().kubeconfig): Replica {
  const child = spawn(process.execPath, [
    path.join(packageRoot, "bin", "agc.js"), "controller", "--kubeconfig", kubeconfig,
    "--leader-elect", "--lease-namespace", ns, "--lease-seconds", "3", "--dns-zone", dnsZone, "--namespaces", ns,
  ]);
  const replica: Replica = { child, output: "" };
  child.stderr!.on("data", (c) => (replica.output += c));
  return replica;
}

/** This file's waits: up to 30 s each, looked at every 200 ms. */
const until = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) => eventually<T>(what, probe, 30_000, 200);

let client: KubeClient;
const replicas: Replica[] = [];

beforeAll(() => {
  client = testClient();
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
  try {
    return await until(`${name} Succeeded`, async () => {
      const tc = await client.get(`/apis/alb.agc.dev/v1alpha1/namespaces/${ns}/trafficcontrollers/${name}`);
      return tc.status?.provisioningState === "Succeeded" ? tc : undefined;
    });
  } catch (e) {
    // What the replicas said is what tells why.
    const said = replicas.map((r, i) => `replica ${i} (pid ${r.child.pid}, ${running(r) ? "running" : "exited"}):\n${r.output.split("\n").slice(-15).join("\n")}`).join("\n");
    throw new Error(`${(e as Error).message}\n${said}`);
  }
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

test("a leader frozen past its renew deadline writes nothing when it wakes, and exits", async () => {
  // The previous test leaves replicas[1] leading; stop it for a clean start.
  replicas[1]!.child.kill("SIGKILL");
  await exited(replicas[1]!);
  const frozen = startReplica("alb.frozen.test");
  replicas.push(frozen);
  await until("the frozen-to-be replica leads", () => frozen.output.includes("leading") || undefined);
  const successor = startReplica("alb.successor.test");
  replicas.push(successor);
  await until("the successor stands by", () => successor.output.includes("standing by") || undefined);

  frozen.child.kill("SIGSTOP"); // a process paused (a long GC, a frozen VM) keeps its connections
  await until("the successor leads", () => successor.output.includes("leading") || undefined);
  const gw = await provisioned("during-freeze");
  expect(gw.status.configurationEndpoints[0]).toMatch(/\.config\.alb\.successor\.test$/);

  frozen.child.kill("SIGCONT");
  expect(await exited(frozen)).toBe(1);
  expect(frozen.output).toContain("lost the lease");
  expect(frozen.output).not.toContain("during-freeze");
  const after = await client.get(`/apis/alb.agc.dev/v1alpha1/namespaces/${ns}/trafficcontrollers/during-freeze`);
  expect(after.status.configurationEndpoints[0]).toMatch(/\.config\.alb\.successor\.test$/);
  expect(after.metadata.resourceVersion).toBe(gw.metadata.resourceVersion);
});

/**
 * A TCP relay to the API server that can be partitioned: it then forwards nothing, in either
 * direction, and closes nothing (a cut network, not a refused connection).
 */
async function partitionableRelay(target: number): Promise<{ port: number; partition(): void; close(): Promise<void> }> {
  let partitioned = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, "127.0.0.1");
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on("data", (chunk) => !partitioned && to.write(chunk));
      from.on("error", () => to.destroy());
      from.on("close", () => to.destroy());
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    partition: () => void (partitioned = true),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

test("a leader cut off from the API server stops before another replica takes over", async () => {
  for (const r of replicas) if (running(r)) r.child.kill("SIGKILL");
  await Promise.all(replicas.map(exited));
  const relay = await partitionableRelay(testLayout().ports.apiserver);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-leader-"));
  const viaRelay = path.join(dir, "kubeconfig");
  fs.writeFileSync(viaRelay, testKubeconfigAt(relay.port));
  try {
    const cutOff = startReplica("alb.cut.test", viaRelay);
    replicas.push(cutOff);
    await until("the replica behind the relay leads", () => cutOff.output.includes("leading") || undefined);
    const successor = startReplica("alb.successor.test");
    replicas.push(successor);
    await until("the successor stands by", () => successor.output.includes("standing by") || undefined);

    relay.partition();
    await until("the successor leads", () => successor.output.includes("leading") || undefined);
    // Lease 3 s, renew deadline 2 s: the old leader gave up before the lease could pass on.
    expect(cutOff.child.exitCode).toBe(1);
    expect(cutOff.output).toContain("lost the lease");
  } finally {
    await relay.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
