// examples/multi-frontend: two gateways sharing one /23, two frontends each, a WebSocket
// service on each frontend (examples/multi-frontend/layout.ts). The rules the controller checks
// accept it (and refuse the same on a /24), each association gets its own /24, and each
// service's route is on its own frontend only.
import { SUBNET_PREFIX, VIRTUAL_NETWORK_ADDRESS_SPACE, multiFrontendLayout } from "../../examples/multi-frontend/layout";
import { KindName } from "../../model/kinds";
import { inventoryFromObjects } from "../../model/objects";
import { allocateBlocks, checkInventory } from "../../model/rules";
import { BINDINGS, desiredObject } from "../../model/bindings";
import { manifestsOf, webSocketServiceObjects, webSocketServiceSpec } from "../../sdk/websocketObjects";
import { CONTROLLER_NAME, translate } from "../../translate";
import { snapshotFromObjects } from "../../translate/snapshot";

type Obj = Record<string, any>;

const layout = multiFrontendLayout("contoso.com");
const id = (plural: string, name: string) => `agc-system/${plural}/${name}`;

/** The custom resources the program's resources write, on a subnet of the given prefix. */
function controlPlane(addressPrefix: string): Record<KindName, Obj[]> {
  const make = (kind: KindName, inputs: Obj) => desiredObject(BINDINGS[kind], inputs) as Obj;
  return {
    SubnetDelegation: [make("SubnetDelegation", { name: "alb-subnet", location: "westeurope", virtualNetworkAddressSpace: VIRTUAL_NETWORK_ADDRESS_SPACE, addressPrefix })],
    TrafficController: layout.map((g) => make("TrafficController", { name: g.gateway, location: "westeurope" })),
    Association: layout.map((g) => make("Association", { name: g.association, trafficControllerId: id("trafficcontrollers", g.gateway), subnetId: id("subnetdelegations", "alb-subnet") })),
    Frontend: layout.flatMap((g) => g.services.map((s) => make("Frontend", { name: s.frontend, trafficControllerId: id("trafficcontrollers", g.gateway) }))),
  };
}

const checks = { strictReferences: true, singleResourceRules: true };

test("two gateways, two frontends each, a service and a host name per frontend", () => {
  expect(layout.map((g) => [g.gateway, g.association, g.services.map((s) => `${s.frontend} ${s.service} ${s.hostname}`)])).toEqual([
    ["gw-a", "gw-a-assoc", ["fe-a1 echo-a1 a1.contoso.com", "fe-a2 echo-a2 a2.contoso.com"]],
    ["gw-b", "gw-b-assoc", ["fe-b1 echo-b1 b1.contoso.com", "fe-b2 echo-b2 b2.contoso.com"]],
  ]);
});

test("on the /23 every rule passes, and each association gets a /24 of its own", () => {
  expect(SUBNET_PREFIX).toBe("10.1.0.0/23");
  expect(checkInventory(inventoryFromObjects(controlPlane(SUBNET_PREFIX)), checks)).toEqual([]);
  expect(allocateBlocks(SUBNET_PREFIX, ["gw-a-assoc", "gw-b-assoc"]).allocations).toEqual({ "gw-a-assoc": "10.1.0.0/24", "gw-b-assoc": "10.1.1.0/24" });
});

test("the same on a /24 is refused: the second association finds no 256 addresses left (AGC005)", () => {
  const violations = checkInventory(inventoryFromObjects(controlPlane("10.1.0.0/24")), checks);
  expect(violations.map((v) => v.code)).toContain("AGC005");
});

test("each service's route is on its own frontend only, in its gateway's data plane", () => {
  const cr = controlPlane(SUBNET_PREFIX);
  const services = layout.flatMap((g) =>
    g.services.flatMap((s) =>
      manifestsOf(webSocketServiceObjects(s.service, webSocketServiceSpec({ hostname: s.hostname, frontend: id("frontends", s.frontend), replicas: 1, healthCheck: { path: "/health" } }))),
    ),
  );
  const gatewayClass = { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "agc" }, spec: { controllerName: CONTROLLER_NAME } };
  const { snapshot, ignored } = snapshotFromObjects([gatewayClass, ...Object.values(cr).flat(), ...services.filter((m) => m.kind !== "Deployment")]);
  expect(ignored).toEqual([]);
  const result = translate(snapshot, { controllerName: CONTROLLER_NAME });
  const placed = result.dataplanes.map((d) => ({
    gateway: d.owner.name,
    routes: d.ir.routes.map((r) => `${r.hostnames!.join(",")} on ${r.frontends!.join(",")}`),
  }));
  expect(placed).toEqual([
    { gateway: "gw-a", routes: ["a1.contoso.com on fe-a1.80", "a2.contoso.com on fe-a2.80"] },
    { gateway: "gw-b", routes: ["b1.contoso.com on fe-b1.80", "b2.contoso.com on fe-b2.80"] },
  ]);
  // One LoadBalancer Service (one address) per Frontend, to its own listener.
  expect(result.dataplanes.flatMap((d) => d.services.map((s) => `${s.name} -> ${s.ports.map((p) => p.irFrontend).join(",")}`))).toEqual([
    "fe-a1 -> fe-a1.80", "fe-a2 -> fe-a2.80", "fe-b1 -> fe-b1.80", "fe-b2 -> fe-b2.80",
  ]);
});
