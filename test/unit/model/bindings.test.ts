import { BINDINGS, desiredObject, patchForce } from "../../../model/bindings";
import { objectNameFor } from "../../../model/kinds";

const GW_ID = "agc-system/trafficcontrollers/gw";
const SN_ID = "agc-system/subnetdelegations/alb-subnet";

describe("desiredObject", () => {
  it("TrafficController: location and tags, in the default namespace", () => {
    expect(desiredObject(BINDINGS.TrafficController, { name: "gw", location: "westeurope", tags: { env: "prod" }, kubeconfig: "x", timeoutSeconds: 5 })).toEqual({
      apiVersion: "alb.agc.dev/v1alpha1",
      kind: "TrafficController",
      metadata: {
        name: "gw",
        namespace: "agc-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi-agc" },
        annotations: { "alb.agc.dev/name": "gw" },
      },
      spec: { location: "westeurope", tags: { env: "prod" } },
    });
  });

  it("TrafficController without tags has none in its spec", () => {
    expect(desiredObject(BINDINGS.TrafficController, { name: "gw", location: "westeurope" }).spec).toEqual({ location: "westeurope" });
  });

  it("Frontend: a reference by name to its gateway, public by default, in the given namespace", () => {
    const obj = desiredObject(BINDINGS.Frontend, { name: "fe", namespace: "team-a", trafficControllerId: "team-a/trafficcontrollers/gw" });
    expect(obj.metadata).toMatchObject({ name: "fe", namespace: "team-a" });
    expect(obj.spec).toEqual({ trafficControllerRef: { name: "gw" }, type: "public" });
    expect(desiredObject(BINDINGS.Frontend, { name: "fe", trafficControllerId: GW_ID, type: "private", tags: { a: "b" } }).spec).toEqual({
      trafficControllerRef: { name: "gw" },
      type: "private",
      tags: { a: "b" },
    });
  });

  it("Association: gateway and subnet references, type subnets by default", () => {
    expect(desiredObject(BINDINGS.Association, { name: "as", trafficControllerId: GW_ID, subnetId: SN_ID }).spec).toEqual({
      trafficControllerRef: { name: "gw" },
      associationType: "subnets",
      subnetRef: { name: "alb-subnet" },
    });
  });

  it("SubnetDelegation: the network with its defaults filled in", () => {
    expect(
      desiredObject(BINDINGS.SubnetDelegation, { name: "alb-subnet", location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" }).spec,
    ).toEqual({
      location: "westeurope",
      virtualNetworkName: "default",
      virtualNetworkAddressSpace: ["10.1.0.0/16"],
      addressPrefix: "10.1.0.0/24",
      delegation: "Microsoft.ServiceNetworking/trafficControllers",
    });
  });

  it("names the object after a cleaned AGC name and keeps the AGC name in the annotation", () => {
    const obj = desiredObject(BINDINGS.TrafficController, { name: "My_Gateway.1", location: "westeurope" }) as any;
    expect(obj.metadata.name).toBe(objectNameFor("My_Gateway.1"));
    expect(obj.metadata.name).toMatch(/^my-gateway\.1-[0-9a-f]{10}$/);
    expect(obj.metadata.annotations["alb.agc.dev/name"]).toBe("My_Gateway.1");
    // Names differing only in case are different objects.
    expect(objectNameFor("Gw")).not.toBe(objectNameFor("gw"));
  });

  it("refuses a reference that is not an id of the right kind", () => {
    expect(() => desiredObject(BINDINGS.Frontend, { name: "fe", trafficControllerId: SN_ID })).toThrow(/not of a TrafficController/);
  });
});

describe("replaceOnChange", () => {
  it("replaces on a new parent, subnet, name, namespace or region; not on tags", () => {
    expect(BINDINGS.TrafficController.replaceOnChange.sort()).toEqual(["location", "name", "namespace"]);
    expect(BINDINGS.Frontend.replaceOnChange.sort()).toEqual(["name", "namespace", "trafficControllerId"]);
    expect(BINDINGS.Association.replaceOnChange.sort()).toEqual(["associationType", "name", "namespace", "subnetId", "trafficControllerId"]);
    expect(BINDINGS.SubnetDelegation.replaceOnChange.sort()).toEqual(["location", "name", "namespace", "virtualNetworkName"]);
    for (const b of Object.values(BINDINGS)) expect(b.replaceOnChange).not.toContain("tags");
  });
});

describe("statusOutputs", () => {
  it("reads the controller's status, Accepted before there is one", () => {
    expect(BINDINGS.Frontend.statusOutputs(undefined)).toEqual({ provisioningState: "Accepted", fqdn: "" });
    expect(BINDINGS.Frontend.statusOutputs({ provisioningState: "Succeeded", fqdn: "x.alb.agc.local" })).toEqual({ provisioningState: "Succeeded", fqdn: "x.alb.agc.local" });
    expect(BINDINGS.Association.statusOutputs({ provisioningState: "Succeeded", allocatedPrefix: "10.1.0.0/24" }).allocatedPrefix).toBe("10.1.0.0/24");
    expect(BINDINGS.TrafficController.statusOutputs({ configurationEndpoints: ["c"] }).configurationEndpoints).toEqual(["c"]);
  });
});

describe("annotations", () => {
  it("puts the user's annotations on the object, the project's own last", () => {
    const obj = desiredObject(BINDINGS.TrafficController, {
      name: "gw", location: "westeurope", annotations: { "pulumi.com/patchForce": "true", "alb.agc.dev/name": "spoofed", team: "a" },
    }) as any;
    expect(obj.metadata.annotations).toEqual({ "pulumi.com/patchForce": "true", team: "a", "alb.agc.dev/name": "gw" });
  });

  it("forces server-side apply only when pulumi.com/patchForce is \"true\"", () => {
    expect(patchForce({ annotations: { "pulumi.com/patchForce": "true" } })).toBe(true);
    expect(patchForce({ annotations: { "pulumi.com/patchForce": "false" } })).toBe(false);
    expect(patchForce({})).toBe(false);
  });

  it("diff sees a change of annotations as an update in place", () => {
    expect(BINDINGS.Frontend.objectInputs).toContain("annotations");
    expect(BINDINGS.Frontend.replaceOnChange).not.toContain("annotations");
  });
});
