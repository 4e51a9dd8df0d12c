// The controller's loop against the real API server: its own status writes do not make it
// reconcile again, and a replica that is not the leader writes nothing.
import { installCrds } from "../../controller/bootstrap";
import { Controller } from "../../controller/run";
import { KubeClient } from "../../kube/client";
import { eventually, sleep } from "../dataplane/harness";
import { testClient } from "../support/localCluster";

jest.setTimeout(60_000);

const namespace = `controller-${Date.now().toString(36)}`;
const TC_PATH = `/apis/alb.agc.dev/v1alpha1/namespaces/${namespace}/trafficcontrollers`;

let client: KubeClient;

beforeAll(async () => {
  client = testClient();
  await installCrds(client);
  await client.ensureNamespace(namespace);
});

afterAll(async () => {
  await client.remove(`/api/v1/namespaces/${namespace}`);
  client.close();
});

const gateway = (name: string) => ({ apiVersion: "alb.agc.dev/v1alpha1", kind: "TrafficController", metadata: { name }, spec: { location: "westeurope" } });
const succeededAt = (name: string, generation: number) => async () => {
  const tc = await client.get(`${TC_PATH}/${name}`);
  return tc.status?.provisioningState === "Succeeded" && tc.status.observedGeneration === generation ? tc : undefined;
};

test("a spec change costs one reconcile, at most two: the status it writes starts no loop", async () => {
  const controller = new Controller(client, { dnsZone: "alb.controller.test", log: () => {}, namespaces: [namespace] });
  try {
    await client.create(TC_PATH, gateway("quiet"));
    await controller.start();
    await eventually("quiet Succeeded", succeededAt("quiet", 1));
    await sleep(1_000);
    const before = controller.reconciles;
    await client.mergePatch(`${TC_PATH}/quiet`, { spec: { tags: { env: "prod" } } });
    await eventually("quiet Succeeded at generation 2", succeededAt("quiet", 2));
    await sleep(1_000);
    // One pass for the change; the echo of its own status write, when it races the write's
    // answer, may cost one more, but never starts a loop.
    const settled = controller.reconciles;
    expect(settled - before).toBeGreaterThanOrEqual(1);
    expect(settled - before).toBeLessThanOrEqual(2);
    await sleep(2_000);
    expect(controller.reconciles).toBe(settled);
  } finally {
    controller.stop();
  }
});

test("a replica that is not the leader writes no status; once it leads, it does", async () => {
  let leading = false;
  const controller = new Controller(client, { dnsZone: "alb.controller.test", log: () => {}, isLeader: () => leading, namespaces: [namespace] });
  try {
    await client.create(TC_PATH, gateway("gated"));
    await controller.start();
    await sleep(2_000);
    expect((await client.get(`${TC_PATH}/gated`)).status).toBeUndefined();
    leading = true;
    // The writes it could not make are retried by a later reconcile, without any new event.
    const tc = await eventually("gated Succeeded", succeededAt("gated", 1));
    expect(tc.status.configurationEndpoints[0]).toMatch(/\.config\.alb\.controller\.test$/);
  } finally {
    controller.stop();
  }
});
