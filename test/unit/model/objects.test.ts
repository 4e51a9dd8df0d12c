import { inventoryFromObjects } from "../../../model/objects";
import { association, byKind, frontend, gateway, object, subnet } from "../controller/objects";

describe("inventoryFromObjects", () => {
  it("lists entries in creation order, whatever order the API server listed them in", () => {
    const inv = inventoryFromObjects(byKind([gateway("zeta", 0), gateway("late", 30), gateway("alpha", 10), gateway("beta", 10)]));
    // Same timestamp: by name, so the order is stable between calls.
    expect(inv.gateways.map((g) => g.name)).toEqual(["zeta", "alpha", "beta", "late"]);
  });

  it("keys entries by id and resolves references within the object's namespace", () => {
    const inv = inventoryFromObjects(
      byKind([
        gateway("gw", 0, { namespace: "team-a" }),
        frontend("fe", "gw", 1, { namespace: "team-a" }),
        association("as", "gw", "sn", 2, { namespace: "team-a" }),
        subnet("sn", "10.1.0.0/24", 3, { namespace: "team-a" }),
      ]),
    );
    expect(inv.gateways).toEqual([{ key: "team-a/trafficcontrollers/gw", name: "gw", location: "westeurope" }]);
    expect(inv.frontends).toEqual([{ key: "team-a/frontends/fe", name: "fe", gatewayKey: "team-a/trafficcontrollers/gw", type: "public" }]);
    expect(inv.associations).toEqual([
      {
        key: "team-a/associations/as",
        name: "as",
        gatewayKey: "team-a/trafficcontrollers/gw",
        subnetKey: "team-a/subnetdelegations/sn",
        associationType: "subnets",
        allocatedPrefix: undefined,
      },
    ]);
    expect(inv.subnets[0]).toMatchObject({ key: "team-a/subnetdelegations/sn", name: "sn", addressPrefix: "10.1.0.0/24", virtualNetworkAddressSpace: ["10.1.0.0/16"] });
  });

  it("leaves out objects that are being deleted", () => {
    const gone = { deletionTimestamp: "2024-01-02T00:00:00Z" };
    const inv = inventoryFromObjects(
      byKind([gateway("gw", 0), gateway("old", 1, gone), frontend("fe", "gw", 2, gone), association("as", "gw", "sn", 3, gone), subnet("sn", "10.1.0.0/24", 4, gone)]),
    );
    expect(inv).toEqual({ gateways: [expect.objectContaining({ name: "gw" })], frontends: [], associations: [], subnets: [] });
  });

  it("names entries by their AGC name when the object name had to be cleaned", () => {
    const inv = inventoryFromObjects(byKind([gateway("my-gw-1234567890", 0, { annotations: { "alb.agc.dev/name": "My_Gw" } })]));
    expect(inv.gateways[0]).toMatchObject({ key: "agc-system/trafficcontrollers/my-gw-1234567890", name: "My_Gw" });
  });

  it("fills in the spec defaults: public frontends, the default network; and carries allocated blocks", () => {
    const fe = object("Frontend", "fe", { trafficControllerRef: { name: "gw" } }, 0);
    const sn = object("SubnetDelegation", "sn", { location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" }, 1);
    const as = { ...association("as", "gw", "sn", 2), status: { allocatedPrefix: "10.1.0.0/24" } };
    const inv = inventoryFromObjects(byKind([fe, sn, as]));
    expect(inv.frontends[0]!.type).toBe("public");
    expect(inv.subnets[0]!.virtualNetworkName).toBe("default");
    expect(inv.associations[0]!.allocatedPrefix).toBe("10.1.0.0/24");
  });
});
