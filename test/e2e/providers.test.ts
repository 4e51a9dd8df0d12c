// The dynamic providers' handlers, called directly as the engine would, against the real API
// server with the controller running in this process.
import * as pulumi from "@pulumi/pulumi";
import { installCrds } from "../../controller/bootstrap";
import { Controller } from "../../controller/run";
import { KubeClient } from "../../kube/client";
import { UNKNOWN } from "../../model/rules";
import { handlers } from "../../provider/handlers";
import { providerFor } from "../../sdk/provider";
import { testClient, testLayout } from "../support/localCluster";

jest.setTimeout(120_000);

const kubeconfig = () => testLayout().kubeconfig;
const namespace = `providers-${Date.now().toString(36)}`;
const base = () => ({ namespace, kubeconfig: kubeconfig(), timeoutSeconds: 30 });
const TC_PATH = `/apis/alb.agc.dev/v1alpha1/namespaces/${namespace}/trafficcontrollers`;

describe("provider handlers", () => {
  let client: KubeClient;
  let controller: Controller;

  beforeAll(async () => {
    client = testClient();
    await installCrds(client);
    controller = new Controller(client, { dnsZone: "alb.test.local", log: () => {}, namespaces: [namespace] });
    await controller.start();
  });

  afterAll(async () => {
    controller.stop();
    await client.remove(`/api/v1/namespaces/${namespace}`);
    client.close();
  });

  test("check skips values that are unknown at preview", async () => {
    const r = await handlers.Association.check({}, { ...base(), name: "assoc", trafficControllerId: UNKNOWN, subnetId: UNKNOWN });
    expect(r.failures ?? []).toEqual([]);
  });

  test("check reports a private frontend with its rule, property and value", async () => {
    const r = await handlers.Frontend.check({}, { ...base(), name: "fe", trafficControllerId: `${namespace}/trafficcontrollers/gw`, type: "private" });
    expect(r.failures).toHaveLength(1);
    expect(r.failures![0]!.property).toBe("type");
    expect(r.failures![0]!.reason).toMatch(/Frontend 'fe'.*private.*\[AGC010\]/);
  });

  test("check refuses a frontend id where a gateway id belongs", async () => {
    const r = await handlers.Frontend.check({}, { ...base(), name: "fe", trafficControllerId: `${namespace}/frontends/other` });
    expect(r.failures![0]!.property).toBe("trafficControllerId");
    expect(r.failures![0]!.reason).toMatch(/is the id of a Frontend, not of a TrafficController.*\[AGC019\]/);
  });

  test("create waits for the controller, and outputs what it reported", async () => {
    const gw = await handlers.TrafficController.create({ ...base(), name: "gw", location: "westeurope" });
    expect(gw.id).toBe(`${namespace}/trafficcontrollers/gw`);
    expect(gw.outs.provisioningState).toBe("Succeeded");
    expect(gw.outs.configurationEndpoints[0]).toMatch(/^[0-9a-f]{16}\.config\.alb\.test\.local$/);

    const fe = await handlers.Frontend.create({ ...base(), name: "fe", trafficControllerId: gw.id });
    expect(fe.outs.fqdn).toMatch(/^[0-9a-f]{16}\.fz[0-9a-f]{6}\.alb\.test\.local$/);

    const subnet = await handlers.SubnetDelegation.create({
      ...base(), name: "subnet", location: "westeurope", virtualNetworkName: namespace, virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/23",
    });
    const assoc = await handlers.Association.create({ ...base(), name: "assoc", trafficControllerId: gw.id, subnetId: subnet.id });
    expect(assoc.outs.allocatedPrefix).toBe("10.1.0.0/24");

    // read (refresh) reads the object and its status back.
    const read = await handlers.Frontend.read(fe.id, fe.outs);
    expect(read.id).toBe(`${namespace}/frontends/fe`);
    expect(read.props).toMatchObject({ name: "fe", namespace, trafficControllerId: `${namespace}/trafficcontrollers/gw`, provisioningState: "Succeeded", objectName: "fe" });
    expect(read.props.fqdn).toMatch(/^[0-9a-f]{16}\.fz[0-9a-f]{6}\.alb\.test\.local$/);

    // read with the id alone (import) recovers the inputs from the object.
    const imported = await handlers.Association.read(assoc.id, { kubeconfig: kubeconfig() });
    expect(imported.props).toMatchObject({ name: "assoc", namespace, trafficControllerId: gw.id, subnetId: subnet.id, associationType: "subnets", allocatedPrefix: "10.1.0.0/24" });
  });

  test("a second association on one gateway fails with the controller's rule message and leaves nothing behind", async () => {
    const subnet2 = await handlers.SubnetDelegation.create({
      ...base(), name: "subnet2", location: "westeurope", virtualNetworkName: `${namespace}-2`, virtualNetworkAddressSpace: ["10.2.0.0/16"], addressPrefix: "10.2.0.0/24",
    });
    await expect(
      handlers.Association.create({ ...base(), name: "assoc2", trafficControllerId: `${namespace}/trafficcontrollers/gw`, subnetId: subnet2.id }),
    ).rejects.toThrow(/Association 'assoc2' failed: .*gateway 'gw' already has 1 association \(assoc\); at most 1 is allowed per gateway \[AGC001\]/);
    expect(await client.find(`/apis/alb.agc.dev/v1alpha1/namespaces/${namespace}/associations/assoc2`)).toBeUndefined();
  });

  test("diff: a new subnet replaces an association; tags alone update it", async () => {
    const olds = { ...base(), name: "assoc", trafficControllerId: `${namespace}/trafficcontrollers/gw`, subnetId: `${namespace}/subnetdelegations/subnet` };
    const moved = await handlers.Association.diff("id", olds, { ...olds, subnetId: `${namespace}/subnetdelegations/subnet2` });
    expect(moved).toMatchObject({ changes: true, replaces: ["subnetId"], deleteBeforeReplace: true });
    const tagged = await handlers.Association.diff("id", olds, { ...olds, tags: { env: "prod" } });
    expect(tagged).toMatchObject({ changes: true, replaces: [] });
    const unknownParent = await handlers.Association.diff("id", olds, { ...olds, trafficControllerId: UNKNOWN });
    expect(unknownParent.replaces).toEqual(["trafficControllerId"]);
  });

  test("create over an object that already exists fails, naming it, and leaves it as it was", async () => {
    await expect(handlers.TrafficController.create({ ...base(), name: "gw", location: "northeurope" })).rejects.toThrow(
      new RegExp(`TrafficController 'gw' already exists in namespace '${namespace}' \\(created .*\\); choose another name, or import it with \`pulumi import\``),
    );
    expect((await client.get(`${TC_PATH}/gw`)).spec.location).toBe("westeurope");
  });

  test("update applies the new inputs and waits for the controller", async () => {
    const olds = { ...base(), name: "upd", location: "westeurope", tags: { env: "dev" } };
    const created = await handlers.TrafficController.create(olds);
    const news = { ...olds, tags: { env: "prod", team: "edge" } };
    const updated = await handlers.TrafficController.update(created.id, created.outs, news);
    expect(updated.outs).toMatchObject({ name: "upd", tags: { env: "prod", team: "edge" }, provisioningState: "Succeeded" });
    const obj = await client.get(`${TC_PATH}/upd`);
    expect(obj.spec.tags).toEqual({ env: "prod", team: "edge" });
    expect(obj.metadata.generation).toBe(2);
    expect(obj.status.observedGeneration).toBe(2);
  });

  test("update does not take a field another manager set; patchForce does", async () => {
    // Someone else sets the region with their own field manager.
    await client.apply(`${TC_PATH}/upd`, { apiVersion: "alb.agc.dev/v1alpha1", kind: "TrafficController", metadata: { name: "upd", namespace }, spec: { location: "northeurope" } }, "ops-script", { force: true });
    const inputs = { ...base(), name: "upd", location: "westeurope", tags: { env: "prod", team: "edge" } };
    await expect(handlers.TrafficController.update(`${namespace}/trafficcontrollers/upd`, inputs, inputs)).rejects.toThrow(
      /TrafficController 'upd': fields this program sets are managed by another field manager: \.spec\.location \(conflict with "ops-script".*\)\. .*pulumi\.com\/patchForce: "true"/,
    );
    expect((await client.get(`${TC_PATH}/upd`)).spec.location).toBe("northeurope");
    const forced = { ...inputs, annotations: { "pulumi.com/patchForce": "true" } };
    await handlers.TrafficController.update(`${namespace}/trafficcontrollers/upd`, inputs, forced);
    expect((await client.get(`${TC_PATH}/upd`)).spec.location).toBe("westeurope");
  });

  test("read of an object that is gone returns no id, so refresh drops it", async () => {
    const read = await handlers.TrafficController.read(`${namespace}/trafficcontrollers/never-made`, { ...base(), name: "never-made", location: "westeurope" });
    expect(read.id).toBeUndefined();
  });

  test("delete fails, naming the finalizer, when the object is still there at its deadline", async () => {
    await client.create(TC_PATH, {
      apiVersion: "alb.agc.dev/v1alpha1", kind: "TrafficController", metadata: { name: "held", namespace, finalizers: ["agc.test/hold"] }, spec: { location: "westeurope" },
    });
    try {
      await expect(handlers.TrafficController.delete(`${namespace}/trafficcontrollers/held`, { ...base(), name: "held", timeoutSeconds: 2 })).rejects.toThrow(
        /^TrafficController 'held' is still there 2 s after it was deleted \(deletion started .*; waiting for finalizers agc\.test\/hold\)$/,
      );
    } finally {
      await client.mergePatch(`${TC_PATH}/held`, { metadata: { finalizers: null } });
    }
  });

  test("deleting a gateway with children is refused, naming them", async () => {
    await expect(handlers.TrafficController.delete(`${namespace}/trafficcontrollers/gw`, { ...base(), name: "gw", timeoutSeconds: 2 })).rejects.toThrow(
      /TrafficController 'gw' still has children: Frontend 'fe', Association 'assoc'/,
    );
  });

  test("the provider survives the engine's serialize-and-reload round trip", async () => {
    // The engine serializes the provider object a resource was constructed with.
    const original = providerFor("Frontend");
    const serialized = await pulumi.runtime.serializeFunction(() => original);
    // What the dynamic provider host does with the text it finds in state.
    const mod = { exports: {} as Record<string, () => pulumi.dynamic.ResourceProvider> };
    new Function("exports", "require", "module", serialized.text)(mod.exports, require, mod);
    const provider = mod.exports[serialized.exportName]!();
    const r = await provider.check!({}, { ...base(), name: "fe", trafficControllerId: `${namespace}/trafficcontrollers/gw`, type: "private" });
    expect(r.failures![0]!.reason).toMatch(/\[AGC010\]/);
    expect(serialized.text).not.toMatch(/KubeClient|checkInventory/); // no library inlined
  });

  // Last: it stops the controller.
  test("create fails when the controller does not answer within timeoutSeconds, saying what to check", async () => {
    controller.stop();
    await expect(handlers.TrafficController.create({ ...base(), name: "unanswered", location: "westeurope", timeoutSeconds: 2 })).rejects.toThrow(
      "TrafficController 'unanswered' was not provisioned within 2 s (state: no status). Is the ALB controller running?",
    );
  });
});
