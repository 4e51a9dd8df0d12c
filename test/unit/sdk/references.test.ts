// How a reference input is followed back to the resource it names. The Outputs here are real
// @pulumi/pulumi Outputs with real resource dependencies; the engine behind them is Pulumi's
// own mock monitor (runtime.setMocks), used only to make resources whose id is unknown, as at
// preview. That preview refuses such programs is shown with the real engine by
// examples/invalid/agc003-transformed-ids (test/e2e/examples.test.ts).
import * as pulumi from "@pulumi/pulumi";
import { DeclaredResource, Trace, knownValue, resolveInput, traceReference } from "../../../sdk/references";
import { UNKNOWN } from "../../../model/rules";

/** The ids of new resources are unknown, as at preview: the mock returns no id. */
pulumi.runtime.setMocks(
  { newResource: (args) => ({ id: args.inputs.knownId, state: {} }), call: () => ({}) },
  "project",
  "stack",
  true,
);

class TestResource extends pulumi.CustomResource {}

const declared = new Map<pulumi.Resource, DeclaredResource>();

function declare(kind: DeclaredResource["kind"], name: string, knownId?: string): pulumi.CustomResource {
  const resource = new TestResource(`test:index:${kind}`, name, { knownId });
  declared.set(resource, { kind, key: `agc-system/${kind.toLowerCase()}s/${name}`, name });
  return resource;
}

const trace = (input: unknown, kind: DeclaredResource["kind"] = "TrafficController"): Promise<Trace> =>
  traceReference(input, kind, (r) => declared.get(r));

describe("traceReference at preview (ids unknown)", () => {
  const gw = declare("TrafficController", "gw");
  const gw2 = declare("TrafficController", "gw2");
  const subnet = declare("SubnetDelegation", "subnet");
  const undeclared = new TestResource("test:index:Other", "other", {});

  it("follows the id through apply", async () => {
    expect(await knownValue(gw.id.apply((x) => x))).toBeUndefined();
    expect(await trace(gw.id.apply((x) => x))).toEqual({ key: "agc-system/trafficcontrollers/gw" });
  });

  it("follows the id through apply chains and nested outputs", async () => {
    const nested = gw.id.apply((x) => pulumi.output(x).apply((y) => `${y}`));
    expect(await trace(nested)).toEqual({ key: "agc-system/trafficcontrollers/gw" });
    expect(await trace(pulumi.interpolate`${gw.id}`)).toEqual({ key: "agc-system/trafficcontrollers/gw" });
  });

  it("follows an id taken out of pulumi.all, ignoring resources of other kinds", async () => {
    const fromAll = pulumi.all([gw.id, subnet.id]).apply(([gatewayId]) => gatewayId);
    expect(await trace(fromAll)).toEqual({ key: "agc-system/trafficcontrollers/gw" });
    expect(await trace(fromAll, "SubnetDelegation")).toEqual({ key: "agc-system/subnetdelegations/subnet" });
  });

  it("says why when the output depends on two resources of the kind", async () => {
    const either = pulumi.all([gw.id, gw2.id]).apply(([a]) => a);
    expect(await trace(either)).toEqual({
      untraced: "its value is not known before the update, and it depends on 2 TrafficControllers ('gw', 'gw2')",
    });
  });

  it("says why when the output depends on no declared resource of the kind", async () => {
    expect(await trace(undeclared.id)).toEqual({
      untraced: "its value is not known before the update, and it depends on no TrafficController this program declares",
    });
    expect(await trace(subnet.id)).toEqual({
      untraced: "its value is not known before the update, and it depends on no TrafficController this program declares",
    });
  });

  it("takes a literal id, or a known output, by its value", async () => {
    expect(await trace("team-a/trafficcontrollers/shared")).toEqual({ key: "team-a/trafficcontrollers/shared" });
    expect(await trace(pulumi.output("team-a/trafficcontrollers/shared"))).toEqual({ key: "team-a/trafficcontrollers/shared" });
    expect(await trace(Promise.resolve("team-a/trafficcontrollers/shared"))).toEqual({ key: "team-a/trafficcontrollers/shared" });
  });

  it("leaves values the resource's own check refuses, and missing ones, without a key and without a warning", async () => {
    expect(await trace("not-an-id")).toEqual({});
    expect(await trace("agc-system/frontends/fe")).toEqual({});
    expect(await trace(42)).toEqual({});
    expect(await trace(undefined)).toEqual({});
  });
});

describe("traceReference when the id is known (an existing gateway)", () => {
  const existing = declare("TrafficController", "existing", "agc-system/trafficcontrollers/existing-object");

  it("uses the id's value", async () => {
    expect(await trace(existing.id.apply((x) => x))).toEqual({ key: "agc-system/trafficcontrollers/existing-object" });
  });
});

describe("resolveInput", () => {
  const gw = declare("TrafficController", "gw-resolved");

  it("resolves Outputs at any depth of a Kubernetes object, the sentinel where a value is not known", async () => {
    const object = {
      metadata: pulumi.output({ name: "web", labels: { app: pulumi.output("web") } }),
      spec: { listeners: [{ port: pulumi.output(80), hostname: gw.id }], gatewayClassName: Promise.resolve("agc") },
    };
    expect(await resolveInput(object)).toEqual({
      metadata: { name: "web", labels: { app: "web" } },
      spec: { listeners: [{ port: 80, hostname: UNKNOWN }], gatewayClassName: "agc" },
    });
  });
});
