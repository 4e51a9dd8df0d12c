// What reaches the data plane: paths as it compares them (normalized), regular expressions
// only as HAProxy reads them, and never a route its own check (parseIr) would refuse.
import { CONTROLLER_NAME, KubeObject, translate } from "../../../translate";
import { route, snapshotWith } from "./fixtures";

function withRule(rule: Record<string, unknown>): KubeObject {
  const r = route("r", "2026-01-01T00:00:00Z");
  r.spec.rules = [
    { matches: [{ path: { type: "PathPrefix", value: "/kept" } }], backendRefs: [{ name: "svc", port: 80 }] },
    { backendRefs: [{ name: "svc", port: 80 }], ...rule },
  ];
  return r;
}

function run(r: KubeObject) {
  const result = translate(snapshotWith([r]), { controllerName: CONTROLLER_NAME });
  const parent = (result.statuses.find((s) => s.kind === "HTTPRoute")!.status.parents as any[])[0];
  return { routes: result.dataplanes[0].ir.routes, conditions: parent.conditions as any[], warnings: result.warnings };
}

describe("path match values", () => {
  it("are sent normalized: merged slashes, no dot segments, unreserved characters decoded", () => {
    const { routes, conditions } = run(withRule({ matches: [{ path: { type: "Exact", value: "/a//b/./c/../d/%7Euser" } }] }));
    expect(routes[1].path).toEqual({ type: "Exact", value: "/a/b/d/~user" });
    expect(conditions.map((c) => c.type)).toEqual(["Accepted", "ResolvedRefs"]);
  });

  it("refuse the rule, PartiallyInvalid, when they climb above the root", () => {
    const { routes, conditions } = run(withRule({ matches: [{ path: { type: "PathPrefix", value: "/a/../../etc" } }] }));
    expect(routes.map((x) => x.path)).toEqual([{ type: "PathPrefix", value: "/kept" }]);
    expect(conditions[2]).toEqual({
      type: "PartiallyInvalid",
      status: "True",
      reason: "UnsupportedValue",
      message:
        "Dropped Rules: spec.rules[1].matches[0].path.value: '/a/../../etc' cannot be normalized (a path starts with '/', has no '..' above the root, and has '%' only before two hex digits); the rule is left out",
      observedGeneration: 1,
    });
  });

  it("in a rewrite are normalized too, and one that cannot be refuses its rule", () => {
    const rewrite = (replaceFullPath: string) => ({
      matches: [{ path: { type: "PathPrefix", value: "/old" } }],
      filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplaceFullPath", replaceFullPath } } }],
    });
    expect(run(withRule(rewrite("/new//x"))).routes[1].rewrite).toEqual({ path: { type: "ReplaceFullPath", value: "/new/x" } });
    const refused = run(withRule(rewrite("/new/%zz")));
    expect(refused.routes).toHaveLength(1);
    expect(refused.conditions[2].message).toBe(
      "Dropped Rules: spec.rules[1].filters[0].urlRewrite.path.replaceFullPath: '/new/%zz' cannot be normalized (a path starts with '/', has no '..' above the root, and has '%' only before two hex digits); the rule is left out",
    );
  });
});

describe("regular expressions", () => {
  it("that JavaScript reads but HAProxy's PCRE2 subset does not (a lookbehind) refuse their rule", () => {
    const { routes, conditions } = run(withRule({ matches: [{ headers: [{ name: "x-v", type: "RegularExpression", value: "(?<=a)b" }] }] }));
    expect(routes).toHaveLength(1);
    expect(conditions[2].message).toBe(
      "Dropped Rules: spec.rules[1].matches[0].headers (x-v): the regular expression '(?<=a)b' is not supported: only (?:...), (?=...) and (?!...) groups are supported (no named groups, lookbehinds or inline flags); the rule is left out",
    );
  });

  it("within the subset are passed on unchanged", () => {
    const { routes } = run(withRule({ matches: [{ path: { type: "RegularExpression", value: "/v[0-9]+/.*" } }] }));
    expect(routes[1].path).toEqual({ type: "RegularExpression", value: "/v[0-9]+/.*" });
  });
});

describe("a route whose every rule is dropped", () => {
  it("is not accepted (UnsupportedValue), attaches to no listener and serves nothing", () => {
    const r = route("r", "2026-01-01T00:00:00Z");
    r.spec.rules = [{ matches: [{ path: { type: "Exact", value: "/../x" } }], backendRefs: [{ name: "svc", port: 80 }] }];
    const result = translate(snapshotWith([r]), { controllerName: CONTROLLER_NAME });
    const parent = (result.statuses.find((s) => s.kind === "HTTPRoute")!.status.parents as any[])[0];
    expect(parent.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ["Accepted", "False", "UnsupportedValue"],
      ["ResolvedRefs", "True", "ResolvedRefs"],
    ]);
    expect(parent.conditions[0].message).toBe(
      "no rule can be served: spec.rules[0].matches[0].path.value: '/../x' cannot be normalized (a path starts with '/', has no '..' above the root, and has '%' only before two hex digits); the rule is left out",
    );
    expect((result.statuses.find((s) => s.kind === "Gateway")!.status.listeners as any[])[0].attachedRoutes).toBe(0);
    expect(result.dataplanes[0].ir.routes).toEqual([]);
  });
});

describe("the data plane's own check, applied by default", () => {
  it("leaves out a route it refuses (a header name with a quote), with a warning and PartiallyInvalid on the HTTPRoute", () => {
    const { routes, warnings, conditions } = run(withRule({ matches: [{ headers: [{ name: "x-it's", value: "1" }] }] }));
    expect(routes.map((x) => x.name)).toEqual(["httproute.ns.r.0.0"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].regarding).toEqual({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", namespace: "ns", name: "r" });
    expect(warnings[0].reason).toBe("RouteRefused");
    const reason = "route httproute.ns.r.1.0 is left out of data plane ns.gw: headers[0].name: must be a header name of letters, digits and !#$%&*+-.^_`|~, got \"x-it's\"";
    expect(warnings[0].message).toBe(reason);
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["Accepted", "True", "Accepted"],
      ["ResolvedRefs", "True", "ResolvedRefs"],
      ["PartiallyInvalid", "True", "UnsupportedValue"],
    ]);
    expect(conditions[2].message).toBe(`Dropped Rules: ${reason}`);
  });
});

describe("Ingress paths", () => {
  const ingress = (paths: string[]): KubeObject => ({
    metadata: { name: "web", namespace: "ns", annotations: { "kubernetes.io/ingress.class": "azure/application-gateway" } },
    spec: {
      rules: [{ http: { paths: paths.map((path) => ({ path, pathType: "Prefix", backend: { service: { name: "svc", port: { number: 80 } } } })) } }],
    },
  });

  it("are normalized, and one that cannot be is left out with a warning naming it", () => {
    const result = translate(snapshotWith([], { ingresses: [ingress(["/shop//cart", "/../up"])] }), { controllerName: CONTROLLER_NAME });
    const dataplane = result.dataplanes.find((d) => d.owner.kind === "Ingress")!;
    expect(dataplane.ir.routes.map((r) => r.path)).toEqual([{ type: "PathPrefix", value: "/shop/cart" }]);
    expect(result.warnings.map((w) => [w.reason, w.message])).toEqual([
      [
        "InvalidPath",
        "spec.rules[0].http.paths[1].path: '/../up' cannot be normalized (a path starts with '/', has no '..' above the root, and has '%' only before two hex digits); the path is not served",
      ],
    ]);
  });
});
