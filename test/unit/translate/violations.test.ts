// The rules the translation finds broken, listed once each in `violations`: what `pulumi
// preview` reports for the objects a program declares, worded as the statuses word them.
import { CONTROLLER_NAME, KubeObject, emptySnapshot, translate } from "../../../translate";
import { gateway, gatewayClass, route, snapshotWith } from "./fixtures";

const options = { controllerName: CONTROLLER_NAME };
const codesAndMessages = (objects: ReturnType<typeof translate>) => objects.violations.map((v) => [v.code, v.message]);

const trafficController: KubeObject = { metadata: { name: "gw", namespace: "agc-system" }, spec: { location: "westeurope" } };
const frontend: KubeObject = { metadata: { name: "fe", namespace: "agc-system" }, spec: { trafficControllerRef: { name: "gw" } } };
const onFrontend = (name: string, created: string): KubeObject => ({
  metadata: { name, namespace: "web", creationTimestamp: created },
  spec: { gatewayClassName: "agc", addresses: [{ type: "alb.agc.dev/alb-frontend", value: "agc-system/fe" }], listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
});

describe("translate: violations", () => {
  it("are empty for valid objects", () => {
    expect(translate(snapshotWith([route("r", "2026-01-01T00:00:00Z")]), options).violations).toEqual([]);
  });

  it("AGC012: a listener on port 8080, also refused in its status", () => {
    const odd: KubeObject = { ...gateway, spec: { gatewayClassName: "agc", listeners: [{ name: "alt", port: 8080, protocol: "HTTP" }] } };
    const result = translate(snapshotWith([], { gateways: [odd] }), options);
    expect(codesAndMessages(result)).toEqual([
      ["AGC012", "Gateway 'ns/gw': property spec.listeners[0].port: 8080 is not an allowed listener port; listeners accept ports 80 (HTTP) and 443 (HTTPS) only [AGC012]"],
    ]);
    const listener = (result.statuses.find((s) => s.kind === "Gateway")!.status.listeners as any[])[0];
    expect(listener.conditions[0]).toMatchObject({ type: "Accepted", status: "False", reason: "PortUnavailable" });
  });

  it("AGC013: 65 listeners on one Gateway object, reported once", () => {
    const many: KubeObject = {
      ...gateway,
      spec: { gatewayClassName: "agc", listeners: Array.from({ length: 65 }, (_, i) => ({ name: `l${i}`, port: 80, protocol: "HTTP", hostname: `h${i}.example.com` })) },
    };
    expect(codesAndMessages(translate(snapshotWith([], { gateways: [many] }), options))).toEqual([
      ["AGC013", "Gateway 'ns/gw': property spec.listeners: 65 listeners declared; at most 64 are allowed per Gateway: split it into several Gateways [AGC013]"],
    ]);
  });

  it("AGC013: 201 HTTPRoutes on one gateway", () => {
    const routes = Array.from({ length: 201 }, (_, i) => route(`r${String(i).padStart(3, "0")}`, "2026-01-01T00:00:00Z"));
    for (const [i, r] of routes.entries()) r.spec.rules[0].matches = [{ path: { type: "Exact", value: `/p${i}` } }];
    const result = translate(snapshotWith(routes), options);
    expect(result.violations.map((v) => v.message)).toEqual([
      "Gateway 'ns/gw': property routes: gateway 'ns/gw' has 201 routes; at most 200 are allowed per gateway [AGC013]",
      "Gateway 'ns/gw': property rules: gateway 'ns/gw' has 201 routing rules; at most 200 are allowed per gateway [AGC013]",
    ]);
  });

  it("AGC014: an HTTPRoute named with 129 characters", () => {
    const long = route("r".repeat(129), "2026-01-01T00:00:00Z");
    expect(translate(snapshotWith([long]), options).violations.map((v) => [v.code, v.resource, v.property])).toEqual([
      ["AGC014", { kind: "HTTPRoute", name: `ns/${"r".repeat(129)}` }, "metadata.name"],
    ]);
  });

  it("AGC011: the second Gateway on a Frontend, not the first", () => {
    const snapshot = {
      ...emptySnapshot(),
      gatewayClasses: [gatewayClass],
      trafficControllers: [trafficController],
      frontends: [frontend],
      gateways: [onFrontend("second", "2026-01-01T00:00:02Z"), onFrontend("first", "2026-01-01T00:00:01Z")],
    };
    expect(codesAndMessages(translate(snapshot, options))).toEqual([
      [
        "AGC011",
        "Gateway 'web/second': property frontend: frontend 'agc-system/fe' already serves Gateway web/first; a frontend serves exactly one Gateway or Ingress: give this one its own frontend [AGC011]",
      ],
    ]);
  });

  it("AGC006: a LoadBalancer Service inside a delegated subnet, even before a gateway is associated with it", () => {
    const snapshot = {
      ...emptySnapshot(),
      subnetDelegations: [{ metadata: { name: "alb-subnet", namespace: "agc-system" }, spec: { addressPrefix: "10.1.0.0/24" } }],
      services: [
        { metadata: { name: "db", namespace: "data" }, spec: { type: "LoadBalancer", externalIPs: ["10.1.0.50"] } },
        { metadata: { name: "outside", namespace: "data" }, spec: { type: "LoadBalancer", externalIPs: ["10.2.0.50"] } },
      ],
    };
    expect(codesAndMessages(translate(snapshot, options))).toEqual([
      [
        "AGC006",
        "SubnetDelegation 'alb-subnet': property delegation: subnet 'alb-subnet' is delegated to 'Microsoft.ServiceNetworking/trafficControllers' but also holds Service data/db; a delegated subnet holds nothing but the service it is delegated to: move them to another subnet [AGC006]",
      ],
    ]);
  });
});
