import { parseAddressPool } from "../../../controller/addresses";
import { addressRequests, addressesByKey, dataplaneProgress, holdProgrammed, routesLeftBehind, serviceStatus, staleObjects, withOtherControllersParents } from "../../../controller/plan";
import { StatusUpdate } from "../../../translate";
import { webDataplane } from "./fixture-dataplane";

const pod = (name: string, ready: boolean, revision?: string, dataplane = "alb-gw-web") => ({
  metadata: { name, namespace: "demo", labels: { "alb.agc.dev/dataplane": dataplane }, annotations: revision ? { "alb.agc.dev/ir-revision": revision } : {} },
  status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});

const gatewayStatus = (programmed: "True" | "False"): StatusUpdate => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  namespace: "demo",
  name: "web",
  status: {
    addresses: [{ type: "IPAddress", value: "10.245.0.1" }],
    conditions: [
      { type: "Accepted", status: "True", reason: "Accepted", message: "the Gateway is valid", observedGeneration: 1 },
      { type: "Programmed", status: programmed, reason: programmed === "True" ? "Programmed" : "Invalid", message: "m", observedGeneration: 1 },
    ],
  },
});

describe("addresses of frontend Services", () => {
  it("asks for each wanted Service with the address its status shows, and reports them by address key", () => {
    const services = new Map([["demo/alb-gw-web", { status: { loadBalancer: { ingress: [{ ip: "10.245.0.7" }] } } }]]);
    expect(addressRequests([webDataplane], services)).toEqual([{ service: "demo/alb-gw-web", current: "10.245.0.7" }]);
    expect(addressRequests([webDataplane], new Map())).toEqual([{ service: "demo/alb-gw-web" }]);
    expect(addressesByKey([webDataplane], { assigned: { "demo/alb-gw-web": "10.245.0.7" }, unassigned: [] })).toEqual({ "Gateway/demo/web": ["10.245.0.7"] });
    expect(addressesByKey([webDataplane], { assigned: {}, unassigned: ["demo/alb-gw-web"] })).toEqual({});
  });

  it("writes the address on the Service, or says the pool is exhausted", () => {
    const pool = parseAddressPool("10.245.0.0/30");
    expect(serviceStatus("10.245.0.1", pool, 2)).toEqual({ loadBalancer: { ingress: [{ ip: "10.245.0.1", ipMode: "VIP" }] } });
    expect(serviceStatus(undefined, pool, 2)).toEqual({
      loadBalancer: {},
      conditions: [
        {
          type: "AddressAssigned",
          status: "False",
          reason: "PoolExhausted",
          message: "address pool 10.245.0.0/30 has no free address (2 of 2 in use); widen --address-pool or remove a frontend",
        },
      ],
    });
  });
});

describe("Programmed waits for the pods", () => {
  it("counts the data plane's ready pods and those serving the revision", () => {
    const pods = [pod("a", true, "r2"), pod("b", true, "r1"), pod("c", false, "r2"), pod("d", true, "r2", "alb-gw-other")];
    expect(dataplaneProgress(pods, "alb-gw-web", "r2")).toEqual({ ready: 2, current: 1 });
  });

  it("stays True when every ready pod serves the revision", () => {
    expect(holdProgrammed(gatewayStatus("True"), { ready: 2, current: 2 }, "r2", "alb-gw-web")).toEqual(gatewayStatus("True"));
  });

  it("is False, Pending, while no pod is ready", () => {
    const held = holdProgrammed(gatewayStatus("True"), { ready: 0, current: 0 }, "r2", "alb-gw-web");
    expect((held.status.conditions as any[])[1]).toEqual({
      type: "Programmed",
      status: "False",
      reason: "Pending",
      message: "waiting for a ready pod of Deployment demo/alb-gw-web serving revision r2",
      observedGeneration: 1,
    });
    expect((held.status.conditions as any[])[0].status).toBe("True");
  });

  it("holds each listener's Programmed too", () => {
    const withListener = { ...gatewayStatus("True"), status: { ...gatewayStatus("True").status, listeners: [{ name: "http", attachedRoutes: 1, conditions: [{ type: "Programmed", status: "True", reason: "Programmed", message: "m" }] }] } };
    const held = holdProgrammed(withListener, { ready: 0, current: 0 }, "r2", "alb-gw-web");
    expect((held.status.listeners as any[])[0]).toEqual({
      name: "http",
      attachedRoutes: 1,
      conditions: [{ type: "Programmed", status: "False", reason: "Pending", message: "waiting for a ready pod of Deployment demo/alb-gw-web serving revision r2" }],
    });
  });

  it("is False, Pending, while some ready pods serve an older revision", () => {
    const held = holdProgrammed(gatewayStatus("True"), { ready: 2, current: 1 }, "r2", "alb-gw-web");
    expect((held.status.conditions as any[])[1].message).toBe("waiting for the ready pods of Deployment demo/alb-gw-web to serve revision r2 (1 of 2 do)");
  });

  it("leaves a Programmed=False from translation as it is", () => {
    expect(holdProgrammed(gatewayStatus("False"), { ready: 0, current: 0 }, "r2", "alb-gw-web")).toEqual(gatewayStatus("False"));
  });
});

describe("staleObjects", () => {
  const managed = (kind: string, name: string, managedBy = "alb.agc.dev_alb-controller") => ({
    apiVersion: "v1",
    kind,
    metadata: { name, namespace: "demo", labels: { "app.kubernetes.io/managed-by": managedBy, "alb.agc.dev/dataplane": name } },
  });
  it("names the objects this controller manages that nothing wants, never others", () => {
    const existing = [
      managed("ConfigMap", "alb-gw-web"),
      managed("ConfigMap", "alb-gw-gone"),
      managed("ConfigMap", "alb-gw-another-controllers", "example.com_other"),
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "user", namespace: "demo" } },
    ];
    expect(staleObjects(existing, [managed("ConfigMap", "alb-gw-web")], "alb.agc.dev_alb-controller").map((o) => o.metadata.name)).toEqual(["alb-gw-gone"]);
  });
});

describe("withOtherControllersParents", () => {
  const parent = (name: string, controllerName: string) => ({ parentRef: { name }, controllerName, conditions: [{ type: "Accepted", status: "True" }] });
  it("keeps the parents other controllers wrote and replaces ours", () => {
    const merge = withOtherControllersParents("alb.agc.dev/alb-controller");
    const current = { parents: [parent("old", "alb.agc.dev/alb-controller"), parent("theirs", "example.com/other")] };
    expect(merge({ parents: [parent("web", "alb.agc.dev/alb-controller")] }, current)).toEqual({
      parents: [parent("web", "alb.agc.dev/alb-controller"), parent("theirs", "example.com/other")],
    });
    expect(merge({ parents: [] }, undefined)).toEqual({ parents: [] });
  });
});

describe("routesLeftBehind", () => {
  const route = (name: string, controllers: string[]) => ({
    metadata: { name, namespace: "demo" },
    status: { parents: controllers.map((controllerName) => ({ parentRef: { name: "gw" }, controllerName, conditions: [] })) },
  });
  it("names the routes that still show a parent of ours but got no status this time", () => {
    const routes = [route("kept", ["alb.agc.dev/alb-controller"]), route("lost", ["alb.agc.dev/alb-controller", "example.com/other"]), route("theirs", ["example.com/other"])];
    const statuses: StatusUpdate[] = [{ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", namespace: "demo", name: "kept", status: { parents: [] } }];
    expect(routesLeftBehind(routes, statuses, "alb.agc.dev/alb-controller")).toEqual([{ namespace: "demo", name: "lost" }]);
  });
});
