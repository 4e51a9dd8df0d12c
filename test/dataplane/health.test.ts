/** Active health checks: HealthCheckPolicy fields, the default probe, and what clients get. */
import { adminGet, Backend, backendAnswering, cluster, eventually, freePort, gatewayIr, Harness, httpGet } from "./harness";
import { ClusterHealth } from "../../dataplane/health";

describe("health checks", () => {
  const h = new Harness();
  let a: Backend, b: Backend, d: Backend, notReady: Backend;
  let port: number;
  let adminPort: number;

  const backends = async (): Promise<Record<string, ClusterHealth>> => (await adminGet(adminPort, "/backends")).body;

  /** Which backends answer `count` requests to `path`. */
  async function spread(path: string, count: number): Promise<Record<string, number>> {
    const seen: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const who = await backendAnswering(port, path);
      seen[who] = (seen[who] ?? 0) + 1;
    }
    return seen;
  }

  beforeAll(async () => {
    a = await h.backend("a");
    b = await h.backend("b");
    d = await h.backend("d");
    notReady = await h.backend("not-ready");
    port = await freePort();
    adminPort = await freePort();
    await h.startAgent(gatewayIr(port, [
      cluster("checked", [a, b], {
        healthCheck: {
          intervalMs: 300, timeoutMs: 1000, healthyThreshold: 2, unhealthyThreshold: 2,
          http: { host: "probe.local", path: "/healthz", match: { statusCodes: [{ start: 200, end: 200 }, { start: 418, end: 418 }] } },
        },
      }),
      { name: "defaults", endpoints: [{ address: "127.0.0.1", port: d.port }, { address: "127.0.0.1", port: notReady.port, ready: false }] },
      { name: "empty", endpoints: [] },
    ], {
      routes: [
        { name: "defaults", path: { type: "PathPrefix", value: "/defaults" }, backends: [{ cluster: "defaults" }] },
        { name: "empty", path: { type: "PathPrefix", value: "/empty" }, backends: [{ cluster: "empty" }] },
        { name: "checked", backends: [{ cluster: "checked" }] },
      ],
    }), adminPort);
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("probes with the policy's path and host", async () => {
    await eventually("probes at /healthz", () => a.probes.length >= 2 && b.probes.length >= 2);
    expect(a.probes[0]).toEqual({ url: "/healthz", host: "probe.local" });
  }, 30_000);

  it("stops sending traffic to an endpoint that fails its probes, and resumes when it recovers", async () => {
    b.healthStatus = 500;
    await eventually("b reported down", async () => {
      const view = await backends();
      return view.checked.endpoints.find((e) => e.port === b.port && !e.healthy && e.status.startsWith("DOWN"));
    });
    expect(await spread("/x", 12)).toEqual({ a: 12 });
    // 418 is in the policy's healthy status ranges.
    b.healthStatus = 418;
    await eventually("b reported up", async () => (await backends()).checked.healthyEndpoints === 2);
    const seen = await spread("/x", 12);
    expect(seen.a).toBeGreaterThan(0);
    expect(seen.b).toBeGreaterThan(0);
  }, 60_000);

  it("answers 503 with a reason when no endpoint is healthy", async () => {
    a.healthStatus = 503;
    b.healthStatus = 302; // not in the policy's ranges
    try {
      await eventually("both down", async () => (await backends()).checked.healthyEndpoints === 0);
      const r = await httpGet(port, "/x");
      expect(r.status).toBe(503);
      expect(r.body).toBe("no healthy endpoint for backend checked");
    } finally {
      a.healthStatus = 200;
      b.healthStatus = 200;
    }
    await eventually("both up again", async () => (await backends()).checked.healthyEndpoints === 2);
  }, 60_000);

  it("uses the default probe without a policy: GET / with Host localhost", async () => {
    await eventually("a default probe", () => d.probes.length > 0, 20_000);
    expect(d.probes[0]).toEqual({ url: "/", host: "localhost" });
    const view = await backends();
    expect(view.defaults.endpoints.find((e) => e.port === d.port)).toMatchObject({ healthy: true, lastCheck: "L7OK" });
  }, 30_000);

  it("sends nothing to an endpoint that is not ready", async () => {
    expect(await spread("/defaults", 6)).toEqual({ d: 6 });
    expect(notReady.hits).toBe(0);
    const view = await backends();
    expect(view.defaults.endpoints.find((e) => e.port === notReady.port)).toMatchObject({ healthy: false, status: "MAINT" });
  }, 30_000);

  it("answers 503 with a reason for a cluster without endpoints", async () => {
    const r = await httpGet(port, "/empty/x");
    expect(r.status).toBe(503);
    expect(r.body).toBe("no healthy endpoint for backend empty");
  }, 30_000);

  it("says why the default probe fails a server that answers a plain GET / with 400, as a WebSocket-only server does", async () => {
    d.healthStatus = 400;
    try {
      const endpoint = await eventually("a check answered 400", async () => {
        const e = (await backends()).defaults.endpoints.find((x) => x.port === d.port);
        return e?.lastCheck === "L7STS" ? e : undefined;
      }, 20_000);
      expect(endpoint.lastCheckCode).toBe(400);
      expect(endpoint.hint).toBe("the probe's plain GET / was answered 400, as a WebSocket-only server answers it: give the Service a HealthCheckPolicy (or its pods an HTTP readiness probe) on a path that answers 200, e.g. /health");
    } finally {
      d.healthStatus = 200;
    }
    // A policy's own path failing says nothing of WebSockets.
    b.healthStatus = 400;
    try {
      const other = await eventually("b's policy check answered 400", async () => {
        const e = (await backends()).checked.endpoints.find((x) => x.port === b.port);
        return e?.lastCheck === "L7STS" ? e : undefined;
      }, 20_000);
      expect(other.lastCheckCode).toBe(400);
      expect(other.hint).toBeUndefined();
    } finally {
      b.healthStatus = 200;
    }
  }, 60_000);
});

