// Listener isolation on a shared port, as translate expresses it in the IR: host names owned by
// a more specific listener are left out of a less specific listener's routes, or refused by a
// Host header match.
import { regexProblem } from "../../../model/ir";
import { CONTROLLER_NAME, KubeObject, translate } from "../../../translate";
import { hostExclusionMatch, isolateHostnames } from "../../../translate/gateway/isolation";
import { gateway, route, snapshotWith } from "./fixtures";

describe("host names owned by other listeners", () => {
  it("are taken from a route's host names when they cover them, and refused when they lie within", () => {
    expect(isolateHostnames(["bar.com", "*.example.com", "a.foo.example.com"], ["*.foo.example.com"])).toEqual({
      hosts: ["bar.com", "*.example.com"],
      excluded: ["*.foo.example.com"],
    });
    expect(isolateHostnames(undefined, ["a.com", "*.b.com"])).toEqual({ hosts: undefined, excluded: ["a.com", "*.b.com"] });
    expect(isolateHostnames(["*.b.com"], ["*.b.com"])).toEqual({ hosts: [], excluded: [] });
  });

  it("are refused by a Host pattern of any case, with or without a port, that the data plane reads", () => {
    const match = hostExclusionMatch(["a.com", "*.b.com"])!;
    expect(match).toEqual({ name: "host", type: "RegularExpression", value: "^(?!(?:[aA]\\.[cC][oO][mM]|[^:]+\\.[bB]\\.[cC][oO][mM])(?::[0-9]+)?$)" });
    expect(regexProblem(match.value)).toBeNull();
    const refuses = (host: string) => !new RegExp(match.value).test(host);
    expect(["a.com", "A.Com:8080", "x.b.com", "x.y.b.com"].map(refuses)).toEqual([true, true, true, true]);
    expect(["b.com", "aa.com", "a.com.evil", "c.com"].map(refuses)).toEqual([false, false, false, false]);
    expect(hostExclusionMatch([])).toBeUndefined();
  });
});

describe("routes of listeners sharing port 80", () => {
  const listeners = [
    { name: "any", port: 80, protocol: "HTTP" },
    { name: "wide", port: 80, protocol: "HTTP", hostname: "*.example.com" },
    { name: "narrow", port: 80, protocol: "HTTP", hostname: "a.example.com" },
  ];
  const attachedTo = (sectionName: string, hostnames?: string[]): KubeObject => {
    const r = route(`to-${sectionName}`, "2026-01-01T00:00:00Z");
    r.spec.parentRefs = [{ name: "gw", namespace: "ns", sectionName }];
    if (hostnames) r.spec.hostnames = hostnames;
    return r;
  };
  const result = translate(
    snapshotWith([attachedTo("any", ["bar.com", "b.example.com"]), attachedTo("wide"), attachedTo("narrow")], {
      gateways: [{ ...gateway, spec: { gatewayClassName: "agc", listeners } }],
    }),
    { controllerName: CONTROLLER_NAME },
  );

  it("serve only the host names their listener owns", () => {
    expect(result.dataplanes[0].ir.routes.map((r) => [r.name, r.hostnames, r.headers?.map((h) => h.value)])).toEqual([
      // b.example.com belongs to listener "wide": the route keeps bar.com only, which nothing else owns.
      ["httproute.ns.to-any.0.0", ["bar.com"], undefined],
      ["httproute.ns.to-narrow.0.0", ["a.example.com"], undefined],
      ["httproute.ns.to-wide.0.0", ["*.example.com"], ["^(?!(?:[aA]\\.[eE][xX][aA][mM][pP][lL][eE]\\.[cC][oO][mM])(?::[0-9]+)?$)"]],
    ]);
    expect(result.warnings).toEqual([]);
  });

  it("stay attached and accepted", () => {
    const gw = result.statuses.find((s) => s.kind === "Gateway")!;
    expect((gw.status.listeners as any[]).map((l) => [l.name, l.attachedRoutes])).toEqual([["any", 1], ["wide", 1], ["narrow", 1]]);
  });
});
