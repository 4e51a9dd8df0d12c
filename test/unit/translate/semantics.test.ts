// The trickiest semantics, asserted against literal values from the Gateway API specification.
import * as fc from "fast-check";
import { hostnameWithin, intersectHostnames } from "../../../translate/hostnames";
import { referencePermitted } from "../../../translate/referencegrants";
import { durationMs, irName } from "../../../translate/objects";
import { CONTROLLER_NAME, KubeObject, emptySnapshot, translate } from "../../../translate";
import { gateway, gatewayClass, route, snapshotWith } from "./fixtures";

describe("host names", () => {
  it("a wildcard covers one or more labels, never its own suffix", () => {
    expect(hostnameWithin("foo.example.com", "*.example.com")).toBe(true);
    expect(hostnameWithin("a.b.example.com", "*.example.com")).toBe(true);
    expect(hostnameWithin("example.com", "*.example.com")).toBe(false);
    expect(hostnameWithin("fooexample.com", "*.example.com")).toBe(false);
    expect(hostnameWithin("*.a.example.com", "*.example.com")).toBe(true);
    expect(hostnameWithin("*.example.com", "*.a.example.com")).toBe(false);
  });

  it("intersects listener and route host names as the spec's examples do", () => {
    // Listener without host name: the route's, or any.
    expect(intersectHostnames(undefined, [])).toBeUndefined();
    expect(intersectHostnames(undefined, ["a.example.com"])).toEqual(["a.example.com"]);
    // Route without host names: the listener's.
    expect(intersectHostnames("*.example.com", [])).toEqual(["*.example.com"]);
    // Exact listener, wildcard route: the listener's host.
    expect(intersectHostnames("test.example.com", ["*.example.com"])).toEqual(["test.example.com"]);
    // Wildcard listener: the route's hosts it covers, in the route's order.
    expect(intersectHostnames("*.example.com", ["foo.example.com", "bar.other.org", "*.sub.example.com", "example.com"])).toEqual([
      "foo.example.com",
      "*.sub.example.com",
    ]);
    // Wildcard route narrower than... wider than the listener: the listener's.
    expect(intersectHostnames("*.sub.example.com", ["*.example.com"])).toEqual(["*.sub.example.com"]);
    // No overlap: empty (the route does not attach to that listener).
    expect(intersectHostnames("very.specific.com", ["*.example.com", "other.com"])).toEqual([]);
    // Case does not matter.
    expect(intersectHostnames("Foo.Example.com", ["FOO.example.COM"])).toEqual(["foo.example.com"]);
  });
});

describe("ReferenceGrant", () => {
  const grant = (namespace: string, from: object[], to: object[]): KubeObject => ({ metadata: { name: "g", namespace }, spec: { from, to } });
  const route = { group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "apps" };
  const svc = (name: string) => ({ group: "", kind: "Service", namespace: "backends", name });

  it("is not needed within a namespace", () => {
    expect(referencePermitted([], { ...route, namespace: "backends" }, svc("web"))).toBe(true);
  });

  it("must sit in the target's namespace and name the referrer's group, kind and namespace", () => {
    const fromRoutes = [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "apps" }];
    expect(referencePermitted([grant("backends", fromRoutes, [{ group: "", kind: "Service" }])], route, svc("web"))).toBe(true);
    expect(referencePermitted([grant("apps", fromRoutes, [{ group: "", kind: "Service" }])], route, svc("web"))).toBe(false);
    expect(referencePermitted([grant("backends", [{ ...fromRoutes[0], namespace: "other" }], [{ group: "", kind: "Service" }])], route, svc("web"))).toBe(false);
    expect(referencePermitted([grant("backends", [{ ...fromRoutes[0], kind: "Gateway" }], [{ group: "", kind: "Service" }])], route, svc("web"))).toBe(false);
    expect(referencePermitted([grant("backends", fromRoutes, [{ group: "", kind: "Secret" }])], route, svc("web"))).toBe(false);
  });

  it("limits to one object when it names one", () => {
    const g = grant("backends", [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "apps" }], [{ group: "", kind: "Service", name: "web" }]);
    expect(referencePermitted([g], route, svc("web"))).toBe(true);
    expect(referencePermitted([g], route, svc("db"))).toBe(false);
  });
});

describe("small conversions", () => {
  it("reads Gateway API durations", () => {
    expect(durationMs("1h")).toBe(3_600_000);
    expect(durationMs("1m30s")).toBe(90_000);
    expect(durationMs("500ms")).toBe(500);
    expect(durationMs("0s")).toBe(0);
    expect(durationMs("1.5s")).toBeUndefined();
  });

  it("keeps IR names within 63 characters, distinct when they are long", () => {
    expect(irName("shop", "Cart_Service", 80)).toBe("shop.cart_service.80");
    const a = irName("httproute", "n".repeat(40), "a".repeat(40), 0, 0);
    const b = irName("httproute", "n".repeat(40), "a".repeat(39) + "b", 0, 0);
    expect(a.length).toBe(63);
    expect(a).toMatch(/^httproute\.n{38}-[0-9a-f]{10}\.0\.0$/);
    expect(a).not.toBe(b);
  });
});

// ---- whole translations: the order of routes and the counting of attached routes ----------

function routeNames(routes: KubeObject[]): string[] {
  return translate(snapshotWith(routes), { controllerName: CONTROLLER_NAME }).dataplanes[0].ir.routes.map((r) => r.name);
}

describe("route order (ties broken as the spec says)", () => {
  it("puts the oldest route first, whatever the input order", () => {
    const names = ["httproute.ns.old.0.0", "httproute.ns.young.0.0"];
    expect(routeNames([route("young", "2026-02-01T00:00:00Z"), route("old", "2026-01-01T00:00:00Z")])).toEqual(names);
    expect(routeNames([route("old", "2026-01-01T00:00:00Z"), route("young", "2026-02-01T00:00:00Z")])).toEqual(names);
  });

  it("breaks equal creation times by namespace, then name", () => {
    const same = "2026-01-01T00:00:00Z";
    expect(routeNames([route("b", same, "ns"), route("z", same, "a-ns"), route("a", same, "ns")])).toEqual([
      "httproute.a-ns.z.0.0",
      "httproute.ns.a.0.0",
      "httproute.ns.b.0.0",
    ]);
  });
});

describe("attached routes", () => {
  it("counts a route once per listener, however many parentRefs name it", () => {
    const twice = route("r", "2026-01-01T00:00:00Z");
    twice.spec.parentRefs = [{ name: "gw" }, { name: "gw", sectionName: "http" }];
    const result = translate(snapshotWith([twice]), { controllerName: CONTROLLER_NAME });
    const gw = result.statuses.find((s) => s.kind === "Gateway")!;
    expect((gw.status.listeners as any[])[0].attachedRoutes).toBe(1);
    expect(result.dataplanes[0].ir.routes.map((r) => r.name)).toEqual(["httproute.ns.r.0.0"]);
  });
});

describe("limits", () => {
  it("refuses a Gateway with more than 64 listeners (AGC013)", () => {
    const many: KubeObject = {
      metadata: { name: "big", namespace: "ns", generation: 2 },
      spec: {
        gatewayClassName: "agc",
        listeners: Array.from({ length: 65 }, (_, i) => ({ name: `l${i}`, port: 80, protocol: "HTTP", hostname: `h${i}.example.com` })),
      },
    };
    const result = translate({ ...emptySnapshot(), gatewayClasses: [gatewayClass], gateways: [many] }, { controllerName: CONTROLLER_NAME });
    const accepted = ((result.statuses.find((s) => s.kind === "Gateway")!.status.conditions as any[]) ?? [])[0];
    expect(accepted).toEqual({
      type: "Accepted",
      status: "False",
      reason: "ListenersNotValid",
      message: "Gateway 'ns/big': property spec.listeners: 65 listeners declared; at most 64 are allowed per Gateway: split it into several Gateways [AGC013]",
      observedGeneration: 2,
    });
    expect(result.dataplanes).toEqual([]);
  });

  it("marks a Gateway not programmed when its data plane exceeds 200 rules (AGC013)", () => {
    const big = route("big", "2026-01-01T00:00:00Z");
    big.spec.rules = Array.from({ length: 201 }, (_, i) => ({ matches: [{ path: { type: "Exact", value: `/p${i}` } }], backendRefs: [{ name: "svc", port: 80 }] }));
    const result = translate(snapshotWith([big], { addresses: { "Gateway/ns/gw": ["192.0.2.1"] } }), { controllerName: CONTROLLER_NAME });
    const programmed = (result.statuses.find((s) => s.kind === "Gateway")!.status.conditions as any[])[1];
    expect(programmed).toEqual({
      type: "Programmed",
      status: "False",
      reason: "NoResources",
      message: "Gateway 'ns/gw': property rules: gateway 'ns/gw' has 201 routing rules; at most 200 are allowed per gateway [AGC013]",
      observedGeneration: 1,
    });
  });
});

describe("the conformance suite's host name intersection scenario", () => {
  // Listeners very.specific.com, *.wildcard.io, *.anotherwildcard.io; each route lists hosts.
  const listeners = [
    { name: "listener-1", port: 80, protocol: "HTTP", hostname: "very.specific.com" },
    { name: "listener-2", port: 80, protocol: "HTTP", hostname: "*.wildcard.io" },
    { name: "listener-3", port: 80, protocol: "HTTP", hostname: "*.anotherwildcard.io" },
  ];
  const hostRoute = (name: string, created: string, hostnames: string[]): KubeObject => ({
    ...route(name, created),
    spec: { parentRefs: [{ name: "gw" }], hostnames, rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] },
  });
  const result = translate(
    snapshotWith(
      [
        hostRoute("s1", "2026-01-01T00:00:01Z", ["non.matching.com", "*.nonmatchingwildcard.io", "very.specific.com"]),
        hostRoute("s2", "2026-01-01T00:00:02Z", ["non.matching.com", "wildcard.io", "foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io"]),
        hostRoute("s3", "2026-01-01T00:00:03Z", ["non.matching.com", "*.specific.com"]),
        hostRoute("s4", "2026-01-01T00:00:04Z", ["*.anotherwildcard.io"]),
        hostRoute("s5", "2026-01-01T00:00:05Z", ["specific.but.wrong.com", "wildcard.io"]),
      ],
      { gateways: [{ ...gateway, spec: { gatewayClassName: "agc", listeners } }] },
    ),
    { controllerName: CONTROLLER_NAME },
  );

  it("serves each route only for the host names it shares with a listener", () => {
    expect(result.dataplanes[0].ir.routes.map((r) => [r.name, r.hostnames])).toEqual([
      ["httproute.ns.s1.0.0", ["very.specific.com"]],
      ["httproute.ns.s2.0.0", ["foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io"]],
      ["httproute.ns.s3.0.0", ["very.specific.com"]],
      ["httproute.ns.s4.0.0", ["*.anotherwildcard.io"]],
    ]);
  });

  it("refuses the route that shares none, with NoMatchingListenerHostname", () => {
    const s5 = result.statuses.find((s) => s.name === "s5")!;
    expect((s5.status.parents as any[])[0].conditions[0]).toEqual({
      type: "Accepted",
      status: "False",
      reason: "NoMatchingListenerHostname",
      message: "no host name of the route matches a listener of Gateway ns/gw",
      observedGeneration: 1,
    });
  });
});

describe("routes the data plane's check refuses", () => {
  // The data plane's parser is stood in for by a check refusing one path, so that this test does
  // not depend on which inputs that parser refuses; with it, translate must keep the rest.
  const refuseBadPath = (ir: any) => {
    const errors = ir.routes.flatMap((r: any, i: number) => (r.path?.value === "/bad" ? [`routes[${i}].path.value: not accepted here`] : []));
    return errors.length ? { ok: false as const, errors } : { ok: true as const };
  };

  it("leaves the refused route out, keeps the others, and warns the route's owner", () => {
    const r = route("mixed", "2026-01-01T00:00:00Z");
    r.spec.rules = [
      { matches: [{ path: { type: "PathPrefix", value: "/good" } }], backendRefs: [{ name: "svc", port: 80 }] },
      { matches: [{ path: { type: "PathPrefix", value: "/bad" } }], backendRefs: [{ name: "svc", port: 80 }] },
    ];
    const result = translate(snapshotWith([r]), { controllerName: CONTROLLER_NAME, validateIr: refuseBadPath });
    expect(result.dataplanes[0].ir.routes.map((x) => x.name)).toEqual(["httproute.ns.mixed.0.0"]);
    expect(result.warnings).toEqual([
      {
        regarding: { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", namespace: "ns", name: "mixed" },
        reason: "RouteRefused",
        message: "route httproute.ns.mixed.1.0 is left out of data plane ns.gw: path.value: not accepted here",
      },
    ]);
  });
});

describe("GatewayClass SupportedVersion", () => {
  const classConditions = (bundle: string | null | undefined) =>
    (translate({ ...emptySnapshot(), gatewayClasses: [gatewayClass], gatewayApiBundleVersion: bundle }, { controllerName: CONTROLLER_NAME })
      .statuses[0].status.conditions as any[]).map((c) => [c.type, c.status, c.reason]);

  it("is True for the CRDs of v1.6, False for others or none, absent when not looked at", () => {
    expect(classConditions("v1.6.3")).toEqual([["Accepted", "True", "Accepted"], ["SupportedVersion", "True", "SupportedVersion"]]);
    expect(classConditions("v0.0.0")).toEqual([["Accepted", "True", "Accepted"], ["SupportedVersion", "False", "UnsupportedVersion"]]);
    expect(classConditions(null)).toEqual([["Accepted", "True", "Accepted"], ["SupportedVersion", "False", "UnsupportedVersion"]]);
    expect(classConditions(undefined)).toEqual([["Accepted", "True", "Accepted"]]);
  });
});

describe("host name intersection, for any names", () => {
  // Names from a small alphabet so that overlaps are frequent.
  const label = fc.constantFrom("a", "b", "example", "com");
  const exact = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join("."));
  const hostname = fc.oneof(exact, exact.map((h) => `*.${h}`));

  it("serves only names that lie within both the listener's and one of the route's", () => {
    fc.assert(
      fc.property(fc.option(hostname, { nil: undefined }), fc.array(hostname, { maxLength: 4 }), (listener, route) => {
        const result = intersectHostnames(listener, route);
        if (result === undefined) return listener === undefined && route.length === 0;
        return result.every((h) => (listener === undefined || hostnameWithin(h, listener)) && (route.length === 0 || route.some((r) => hostnameWithin(h, r))));
      }),
    );
  });

  it("misses no name: a route name within the listener's is always served", () => {
    fc.assert(
      fc.property(hostname, fc.array(hostname, { minLength: 1, maxLength: 4 }), (listener, route) => {
        const result = intersectHostnames(listener, route) ?? [];
        return route.filter((r) => hostnameWithin(r, listener)).every((r) => result.includes(r));
      }),
    );
  });
});
