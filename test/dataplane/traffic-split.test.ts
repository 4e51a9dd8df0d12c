/** Weighted backends, invalid backends, route timeouts and wildcard depth, through a real HAProxy. */
import { Backend, backendAnswering, cluster, EchoReply, freePort, gatewayIr, Harness, httpGet } from "./harness";

describe("traffic split, timeouts and wildcard hosts", () => {
  const h = new Harness();
  let port: number;

  beforeAll(async () => {
    const [blue, green, grey, slow, deep, single] = await Promise.all(
      ["blue", "green", "grey", "slow", "deep", "single"].map((n) => h.backend(n)));
    port = await freePort();
    await h.startAgent(gatewayIr(port, [
      cluster("blue", [blue]), cluster("green", [green]), cluster("grey", [grey]), cluster("slow", [slow]),
      cluster("deep", [deep]), cluster("single", [single]),
    ], {
      routes: [
        { name: "split", path: { type: "PathPrefix", value: "/split" },
          backends: [{ cluster: "blue", weight: 700_000 }, { cluster: "green", weight: 300_000 }, { cluster: "grey", weight: 0 }] },
        { name: "half-missing", path: { type: "PathPrefix", value: "/half" },
          backends: [{ cluster: "blue", weight: 1 }, { invalid: "Service default/missing not found", weight: 1 }] },
        { name: "no-backend", path: { type: "PathPrefix", value: "/none" } },
        { name: "total", path: { type: "PathPrefix", value: "/total" }, requestTimeoutMs: 500, backends: [{ cluster: "slow" }] },
        { name: "backend-limit", path: { type: "PathPrefix", value: "/backend" }, requestTimeoutMs: 10_000, backendRequestTimeoutMs: 700,
          backends: [{ cluster: "slow" }] },
        { name: "deep", hostnames: ["*.example.com"], backends: [{ cluster: "deep" }] },
        { name: "single", hostnames: ["*.single.test"], wildcardSingleLabel: true, backends: [{ cluster: "single" }] },
        { name: "deep-header", hostnames: ["*.hdr.test"], headers: [{ name: "x-v", value: "1" }], backends: [{ cluster: "deep" }] },
        // Values with characters HAProxy's configuration treats specially reach the wire as written.
        { name: "literal", path: { type: "PathPrefix", value: "/literal" }, headers: [{ name: "x-match", value: `50% 'off' "now" $HOME \\ #` }, { name: "x-odd#$%&!|~", value: "1" }],
          requestHeaders: { set: [{ name: "x-note", value: `it's 100% "$x" \\n #1` }, { name: "x-set#$%", value: "2" }] }, backends: [{ cluster: "blue" }] },
        { name: "query", path: { type: "PathPrefix", value: "/query" }, queryParams: [{ name: "ids[]", value: "7" }, { name: "v~1", type: "RegularExpression", value: "^a\\d$" }],
          backends: [{ cluster: "blue" }] },
        { name: "quote-reason", path: { type: "PathPrefix", value: "/why" }, backends: [{ invalid: `Service "a" isn't 100% $ready` }] },
      ],
    }));
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("splits 70/30/0 by weight: over 200 requests, blue 115..165, green 35..85, grey none", async () => {
    // Binomial(200, 0.7) has a standard deviation of 6.5: +-25 is almost 4 of them.
    const counts: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const who = await backendAnswering(port, `/split/${i}`);
      counts[who] = (counts[who] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(["blue", "green"]);
    expect(counts.blue).toBeGreaterThanOrEqual(115);
    expect(counts.blue).toBeLessThanOrEqual(165);
    expect(counts.green).toBeGreaterThanOrEqual(35);
    expect(counts.green).toBeLessThanOrEqual(85);
  }, 60_000);

  it("answers an invalid backend's share 500 with its reason: 50/50 over 100 requests, each side 25..75", async () => {
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const r = await httpGet(port, `/half/${i}`);
      const key = r.status === 200 ? `200 ${(JSON.parse(r.body) as EchoReply).backend}` : `${r.status} ${r.body}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    expect(Object.keys(outcomes).sort()).toEqual(["200 blue", "500 backend unavailable: Service default/missing not found"]);
    expect(outcomes["200 blue"]).toBeGreaterThanOrEqual(25);
    expect(outcomes["200 blue"]).toBeLessThanOrEqual(75);
  }, 60_000);

  it("answers 500 for a route with no backend", async () => {
    const r = await httpGet(port, "/none");
    expect([r.status, r.body]).toEqual([500, "route has no backend"]);
  }, 30_000);

  it.each([
    ["the total request timeout (500 ms)", "/total", 500],
    ["the backend request timeout (700 ms), shorter than the total (10 s)", "/backend", 700],
  ])("answers 504 when the backend has not answered within %s", async (_what, prefix, timeoutMs) => {
    expect((await httpGet(port, `${prefix}/slow?ms=100`)).status).toBe(200);
    const started = Date.now();
    const r = await httpGet(port, `${prefix}/slow?ms=3000`);
    const took = Date.now() - started;
    expect(r.status).toBe(504);
    expect(took).toBeGreaterThanOrEqual((timeoutMs as number) - 50);
    expect(took).toBeLessThan(2500);
  }, 30_000);

  it.each([
    ["a.example.com", "deep"],
    ["a.b.c.d.example.com", "deep"],
    ["example.com", "status 404"],
    ["a.single.test", "single"],
    ["a.b.single.test", "status 404"],
  ])("routes host %s to %s", async (host, expected) => {
    expect(await backendAnswering(port, "/", { host })).toBe(expected);
  }, 30_000);

  it("matches and sets header names and values literally, whatever characters they hold", async () => {
    const r = await httpGet(port, "/literal", { "x-match": `50% 'off' "now" $HOME \\ #`, "x-odd#$%&!|~": "1" });
    expect(r.status).toBe(200);
    const seen = (JSON.parse(r.body) as EchoReply).headers;
    expect([seen["x-note"], seen["x-set#$%"]]).toEqual([`it's 100% "$x" \\n #1`, "2"]);
    expect((await httpGet(port, "/literal", { "x-match": "50% off", "x-odd#$%&!|~": "1" })).status).toBe(404);
    expect((await httpGet(port, "/literal", { "x-match": `50% 'off' "now" $HOME \\ #` })).status).toBe(404);
  }, 30_000);

  it.each([
    ["/query?ids[]=7&v~1=a1", 200],
    ["/query?ids[]=8&v~1=a1", 404],
    ["/query?ids[]=7&v~1=ab", 404],
  ])("matches query parameters with brackets and tildes in their names: %s gives %s", async (target, status) => {
    expect((await httpGet(port, target)).status).toBe(status);
  }, 30_000);

  it("gives an invalid backend's reason literally", async () => {
    const r = await httpGet(port, "/why");
    expect([r.status, r.body]).toEqual([500, `backend unavailable: Service "a" isn't 100% $ready`]);
  }, 30_000);

  it("matches a wildcard of any depth on a route with header matches too", async () => {
    expect(await backendAnswering(port, "/", { host: "x.y.z.hdr.test", "x-v": "1" })).toBe("deep");
    expect((await httpGet(port, "/", { host: "x.y.z.hdr.test" })).status).toBe(404);
  }, 30_000);
});
