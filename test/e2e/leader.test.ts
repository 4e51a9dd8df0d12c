// Controller replicas with leader election against the real API server, under faults: one
// leads and reconciles, the other stands by and takes over when the leader dies, freezes or is
// cut off (every status write recorded: never two writers); a controller killed in the middle
// of a pass leaves nothing its successor cannot finish.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packageRoot } from "../../cli/paths";
import { KubeClient } from "../../kube/client";
import { eventually, sleep } from "../dataplane/harness";
import { testClient, testLayout } from "../support/localCluster";
import { StatusWrite, recordingProxy } from "../support/recordingProxy";

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
    // The statuses are what these tests look at: no data plane pods for the dozens of gateways.
    "--dataplane-replicas", "0",
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

const TC_PATH = `/apis/alb.agc.dev/v1alpha1/namespaces/${ns}/trafficcontrollers`;
const gatewayObject = (name: string) => ({ apiVersion: "alb.agc.dev/v1alpha1", kind: "TrafficController", metadata: { name }, spec: { location: "westeurope" } });
const succeeded = (o: Record<string, any>) => o.status?.provisioningState === "Succeeded";
const accepted = (w: StatusWrite) => w.statusCode < 300;

/** Stops every replica still running: each test starts from none. */
async function stopReplicas(): Promise<void> {
  for (const r of replicas) if (running(r)) r.child.kill("SIGKILL");
  await Promise.all(replicas.map(exited));
}

/** Waits until every object at `listPath` named in `names` has Succeeded; returns them by name. */
async function allSucceeded(listPath: string, names: string[], what: string): Promise<Map<string, Record<string, any>>> {
  return eventually(what, async () => {
    const items: Record<string, any>[] = (await client.get(listPath)).items;
    const byName = new Map(items.map((o) => [o.metadata.name as string, o]));
    return names.every((n) => byName.has(n) && succeeded(byName.get(n)!)) ? byName : undefined;
  }, 90_000, 250);
}

test("a leader cut off from the API server stops writing before another replica takes over: every status write recorded, never two writers", async () => {
  await stopReplicas();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-leader-"));
  const cutOffFront = await recordingProxy("cut-off", dir);
  const successorFront = await recordingProxy("successor", dir);
  let creating = true;
  const created: string[] = [];
  try {
    const cutOff = startReplica("alb.cut.test", cutOffFront.kubeconfig);
    replicas.push(cutOff);
    await until("the replica cut off later leads", () => cutOff.output.includes("leading") || undefined);
    const successor = startReplica("alb.successor.test", successorFront.kubeconfig);
    replicas.push(successor);
    await until("the successor stands by", () => successor.output.includes("standing by") || undefined);

    // Gateways keep coming throughout, five a second: each is a status write by whoever leads.
    const creator = (async () => {
      for (let i = 0; creating; i++) {
        await client.create(TC_PATH, gatewayObject(`steady-${i}`));
        created.push(`steady-${i}`);
        await sleep(200);
      }
    })();
    await until("the leader writes statuses", () => cutOffFront.writes.filter(accepted).length >= 3 || undefined);
    cutOffFront.partition();
    await until("the successor leads", () => successor.output.includes("leading") || undefined);
    // The network heals: a leader that had not stepped down would write again now.
    cutOffFront.heal();
    await until("the successor writes statuses", () => successorFront.writes.filter(accepted).length >= 3 || undefined);
    await sleep(2_000);
    creating = false;
    await creator;

    // Nothing lost: every gateway created before, during and after the handover is Succeeded.
    await allSucceeded(TC_PATH, created, `all ${created.length} gateways Succeeded`);
    expect(cutOff.child.exitCode).toBe(1);
    expect(cutOff.output).toContain("lost the lease");
    // Never two writers: the last write of the old leader to reach the API server was answered
    // before the new leader sent its first.
    const lastOfCutOff = Math.max(...cutOffFront.writes.filter(accepted).map((w) => w.answeredAt));
    const firstOfSuccessor = Math.min(...successorFront.writes.filter(accepted).map((w) => w.sentAt));
    expect(lastOfCutOff).toBeLessThan(firstOfSuccessor);
  } finally {
    creating = false;
    await cutOffFront.close();
    await successorFront.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a controller killed in the middle of a pass loses nothing: the next one completes every status, keeping what was written", async () => {
  await stopReplicas();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-leader-"));
  const front = await recordingProxy("victim", dir);
  const base = `/apis/alb.agc.dev/v1alpha1/namespaces/${ns}`;
  const names = Array.from({ length: 12 }, (_, i) => `mid-${i}`);
  try {
    // A /20 (16 blocks of 256) and twelve gateways, each with an association and a frontend,
    // there before the controller starts: its first pass writes 37 statuses.
    await client.create(`${base}/subnetdelegations`, {
      apiVersion: "alb.agc.dev/v1alpha1", kind: "SubnetDelegation", metadata: { name: "mid-subnet" },
      spec: { location: "westeurope", virtualNetworkName: "mid", virtualNetworkAddressSpace: ["10.7.0.0/16"], addressPrefix: "10.7.0.0/20" },
    });
    for (const name of names) {
      await client.create(TC_PATH, gatewayObject(name));
      await client.create(`${base}/associations`, {
        apiVersion: "alb.agc.dev/v1alpha1", kind: "Association", metadata: { name },
        spec: { trafficControllerRef: { name }, associationType: "subnets", subnetRef: { name: "mid-subnet" } },
      });
      await client.create(`${base}/frontends`, {
        apiVersion: "alb.agc.dev/v1alpha1", kind: "Frontend", metadata: { name }, spec: { trafficControllerRef: { name } },
      });
    }
    const victim = startReplica("alb.faults.test", front.kubeconfig);
    replicas.push(victim);
    front.onWrite = (w) => accepted(w) && victim.child.kill("SIGKILL"); // right after its first status write
    await exited(victim);

    const partial = (await client.get(`${base}/associations`)).items.filter((a: any) => a.metadata.name.startsWith("mid-"));
    const writtenBefore = new Map<string, string>(partial.filter(succeeded).map((a: any) => [a.metadata.name, a.status.allocatedPrefix]));
    expect(front.writes.filter(accepted).length).toBeGreaterThanOrEqual(1);
    // Killed mid-pass indeed: not every association had its status yet.
    expect(writtenBefore.size).toBeLessThan(names.length);

    replicas.push(startReplica("alb.faults.test"));
    await allSucceeded(TC_PATH, names, "every gateway Succeeded");
    const associations = await allSucceeded(`${base}/associations`, names, "every association Succeeded");
    const frontends = await allSucceeded(`${base}/frontends`, names, "every frontend Succeeded");
    // One block each, no block twice, all inside the /20; what the killed one wrote is kept.
    const blocks = names.map((n) => associations.get(n)!.status.allocatedPrefix as string);
    expect(new Set(blocks).size).toBe(names.length);
    for (const b of blocks) expect(b).toMatch(/^10\.7\.([0-9]|1[0-5])\.0\/24$/);
    for (const [name, block] of writtenBefore) expect(associations.get(name)!.status.allocatedPrefix).toBe(block);
    const fqdns = names.map((n) => frontends.get(n)!.status.fqdn as string);
    expect(new Set(fqdns).size).toBe(names.length);
    for (const f of fqdns) expect(f).toMatch(/\.alb\.faults\.test$/);
  } finally {
    await front.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
