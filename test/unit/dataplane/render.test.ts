import * as fc from "fast-check";
import { hostMatches, narrowHostnames, quote, routeRank, routesFor, serverTimeoutMs, statusRegex } from "../../../dataplane/render";
import { GatewayIr } from "../../../model/ir";

describe("statusRegex", () => {
  it("matches exactly the codes in the ranges", () => {
    const range = fc.tuple(fc.integer({ min: 100, max: 599 }), fc.integer({ min: 0, max: 150 }))
      .map(([start, len]) => ({ start, end: Math.min(599, start + len) }));
    fc.assert(fc.property(fc.array(range, { minLength: 1, maxLength: 4 }), (ranges) => {
      const re = new RegExp(statusRegex(ranges));
      for (let code = 100; code <= 599; code++) {
        expect([code, re.test(String(code))]).toEqual([code, ranges.some((r) => code >= r.start && code <= r.end)]);
      }
    }), { numRuns: 40 });
  });

  it("stays short for the usual ranges", () => {
    expect(statusRegex([{ start: 200, end: 399 }])).toBe("^(2[0-9][0-9]|3[0-9][0-9])$");
    expect(statusRegex([{ start: 200, end: 204 }])).toBe("^(200|201|202|203|204)$");
  });
});

describe("quote", () => {
  it("leaves plain words alone and quotes the rest so HAProxy reads them back literally", () => {
    expect(quote("/api/v1")).toBe("/api/v1");
    expect(quote("a b")).toBe("'a b'");
    expect(quote(`it's $HOME "x"`)).toBe(`"it's \\$HOME \\"x\\""`);
  });
});

describe("routeRank", () => {
  it("orders exact host > wildcard (longer first) > any host, then exact path > longer prefix", () => {
    const ranks = [
      routeRank("a.example.com", { type: "PathPrefix", value: "/" }),
      routeRank("*.b.example.com", { type: "Exact", value: "/x" }),
      routeRank("*.example.com", { type: "Exact", value: "/x" }),
      routeRank("*.example.com", { type: "PathPrefix", value: "/long/prefix" }),
      routeRank(undefined, { type: "Exact", value: "/x" }),
      routeRank(undefined, { type: "PathPrefix", value: "/ab" }),
      routeRank(undefined, { type: "PathPrefix", value: "/a/" }),
      routeRank(undefined, { type: "RegularExpression", value: "^/.*$" }),
    ];
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    expect(ranks[7]).toBe(routeRank(undefined, undefined)); // a regex ranks with the catch-all
    expect(Math.max(...ranks)).toBeLessThan(2 ** 31);
  });
});

describe("narrowHostnames", () => {
  it("keeps what both allow", () => {
    expect(narrowHostnames([], ["*.example.com"])).toEqual(["*.example.com"]);
    expect(narrowHostnames(["a.example.com", "other.org"], ["*.example.com"])).toEqual(["a.example.com"]);
    expect(narrowHostnames(["*.example.com"], ["a.example.com"])).toEqual(["a.example.com"]);
    expect(narrowHostnames(["other.org"], ["*.example.com"])).toBeNull();
  });
});

describe("hostMatches", () => {
  it("lets a wildcard cover any number of extra labels, or exactly one when single-label", () => {
    expect(hostMatches("*.example.com", "a.example.com")).toBe(true);
    expect(hostMatches("*.example.com", "a.b.c.example.com")).toBe(true);
    expect(hostMatches("*.example.com", "example.com")).toBe(false);
    expect(hostMatches("*.example.com", "a.b.example.com", true)).toBe(false);
    expect(hostMatches("*.example.com", "a.example.com", true)).toBe(true);
  });

  it("narrows a single-label route wildcard against a deeper frontend wildcard to nothing", () => {
    expect(narrowHostnames(["*.example.com"], ["*.b.example.com"], true)).toBeNull();
    expect(narrowHostnames(["*.example.com"], ["*.b.example.com"], false)).toEqual(["*.b.example.com"]);
  });
});

describe("serverTimeoutMs", () => {
  const route = (extra: object) => ({ name: "r", ...extra });
  it.each([
    ["neither timeout: the gateway's default applies, no rule", {}, undefined],
    ["a total timeout alone", { requestTimeoutMs: 500 }, 500],
    ["a backend timeout alone, under the gateway's 15 s", { backendRequestTimeoutMs: 2000 }, 2000],
    ["both: the smaller", { requestTimeoutMs: 10_000, backendRequestTimeoutMs: 2500 }, 2500],
    ["a total of 0 (none) with a backend timeout", { requestTimeoutMs: 0, backendRequestTimeoutMs: 700 }, 700],
    ["both 0: no timeout at all", { requestTimeoutMs: 0, backendRequestTimeoutMs: 0 }, 2_000_000_000],
  ])("%s", (_what, extra, expected) => {
    expect(serverTimeoutMs(route(extra), 15_000)).toBe(expected);
  });
});

describe("routesFor", () => {
  const ir = (routeHosts: string[] | undefined): GatewayIr => ({
    apiVersion: "ir.agc.dev/v1", gateway: "g",
    frontends: [{ name: "f", port: 80, hostnames: ["*.example.com"] }],
    routes: [{ name: "r", hostnames: routeHosts, wildcardSingleLabel: true }],
    clusters: [],
  });

  it("gives a single-label route without host names the frontend's wildcard at any depth", () => {
    const [r] = routesFor(ir(undefined), ir(undefined).frontends[0]);
    expect([r.hostnames, r.wildcardSingleLabel]).toEqual([["*.example.com"], false]);
  });

  it("keeps a single-label route's own wildcard single-label", () => {
    const [r] = routesFor(ir(["*.example.com"]), ir(["*.example.com"]).frontends[0]);
    expect([r.hostnames, r.wildcardSingleLabel]).toEqual([["*.example.com"], true]);
  });
});
