// Features the GatewayClass claims beyond the core: a parentRef's port picks listeners
// (DestinationPortMatching), and rule names are accepted (NamedRouteRule).
import { CONTROLLER_NAME, KubeObject, translate } from "../../../translate";
import { route, snapshotWith } from "./fixtures";

function translateRoute(r: KubeObject) {
  const result = translate(snapshotWith([r]), { controllerName: CONTROLLER_NAME });
  const parents = result.statuses.find((s) => s.kind === "HTTPRoute")!.status.parents as any[];
  const listener = (result.statuses.find((s) => s.kind === "Gateway")!.status.listeners as any[])[0];
  return { accepted: parents[0].conditions[0], attachedRoutes: listener.attachedRoutes, routes: result.dataplanes[0].ir.routes };
}

describe("a parentRef's port", () => {
  it("that no listener uses leaves the route unattached: NoMatchingParent, no attached route, nothing served", () => {
    const r = route("r", "2026-01-01T00:00:00Z");
    r.spec.parentRefs = [{ name: "gw", namespace: "ns", port: 81 }];
    const { accepted, attachedRoutes, routes } = translateRoute(r);
    expect(accepted).toEqual({ type: "Accepted", status: "False", reason: "NoMatchingParent", message: "Gateway ns/gw has no listener on port 81", observedGeneration: 1 });
    expect(attachedRoutes).toBe(0);
    expect(routes).toEqual([]);
  });

  it("of the listener attaches the route", () => {
    const r = route("r", "2026-01-01T00:00:00Z");
    r.spec.parentRefs = [{ name: "gw", namespace: "ns", port: 80 }];
    const { accepted, attachedRoutes } = translateRoute(r);
    expect([accepted.status, accepted.reason, attachedRoutes]).toEqual(["True", "Accepted", 1]);
  });
});

describe("named rules", () => {
  it("are served like unnamed ones", () => {
    const r = route("r", "2026-01-01T00:00:00Z");
    r.spec.rules = [
      { name: "named-rule", matches: [{ path: { type: "PathPrefix", value: "/named" } }], backendRefs: [{ name: "svc", port: 80 }] },
      { matches: [{ path: { type: "PathPrefix", value: "/unnamed" } }], backendRefs: [{ name: "svc", port: 80 }] },
    ];
    const { accepted, routes } = translateRoute(r);
    expect(accepted.reason).toBe("Accepted");
    expect(routes.map((x) => [x.path?.value, x.backends])).toEqual([
      ["/named", [{ cluster: "ns.svc.80" }]],
      ["/unnamed", [{ cluster: "ns.svc.80" }]],
    ]);
  });
});
