// The controller's and the bootstrap's probe endpoints: what the kubelet gets for each state,
// through a real HTTP server on loopback.
import * as http from "http";
import { Readiness, controllerReadiness, healthAnswer, parsePort, serveHealth } from "../../../controller/health";

function get(port: number, path: string, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .request({ host: "127.0.0.1", port, path, method }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      })
      .on("error", reject)
      .end();
  });
}

describe("the controller's readiness", () => {
  test.each([
    ["a stand-by that saw another replica hold the lease is ready", "electing", "theirs", 200, "standing by: another replica holds the lease"],
    ["a replica that could not read the lease is not", "electing", "failed", 503, "the lease could not be read or written; trying again"],
    ["before the first answer about the lease it is not", "electing", undefined, 503, "acquiring the lease"],
    ["a leader still listing is not", "starting", "mine", 503, "listing the cluster's objects (and installing CRDs unless --no-install-crds)"],
    ["a leader whose informers synced is", "running", "mine", 200, "informers synced; reconciling"],
    ["a lone replica (no leader election) whose informers synced is", "running", undefined, 200, "informers synced; reconciling"],
  ] as const)("%s", (_what, phase, lastAttempt, status, reason) => {
    expect(healthAnswer("GET", "/readyz", controllerReadiness(phase, lastAttempt))).toEqual({ status, body: { ready: status === 200, reason } });
  });

  test("liveness holds in every phase: a restart would not end a wait for the lease or the API server", () => {
    for (const phase of ["electing", "starting", "running"] as const) {
      expect(healthAnswer("GET", "/healthz", controllerReadiness(phase, "failed"))).toEqual({ status: 200, body: { ok: true } });
    }
  });
});

test("a port option is a whole number up to 65535; 0 asks for any free port", () => {
  expect(parsePort("--health-port", "8081")).toBe(8081);
  expect(parsePort("--health-port", "0")).toBe(0);
  expect(() => parsePort("--health-port", "65536")).toThrow("--health-port must be a TCP port from 1 to 65535 (or 0: any free one); got '65536'");
  expect(() => parsePort("--health-port", "http")).toThrow("--health-port must be a TCP port from 1 to 65535 (or 0: any free one); got 'http'");
});

describe("serveHealth", () => {
  let readiness: Readiness = { ready: false, reason: "installing the CRDs" };
  const probes: string[] = [];
  let server: Awaited<ReturnType<typeof serveHealth>>;
  beforeAll(async () => {
    server = await serveHealth({ address: "127.0.0.1", port: 0, readiness: () => readiness, log: (m) => probes.push(m) });
  });
  afterAll(() => server.close());

  test("/readyz follows the process's state; /healthz answers 200 throughout", async () => {
    expect(await get(server.port, "/readyz")).toEqual({ status: 503, body: '{"ready":false,"reason":"installing the CRDs"}\n' });
    expect(await get(server.port, "/healthz")).toEqual({ status: 200, body: '{"ok":true}\n' });
    readiness = { ready: true, reason: "CRDs installed" };
    expect(await get(server.port, "/readyz")).toEqual({ status: 200, body: '{"ready":true,"reason":"CRDs installed"}\n' });
    expect(await get(server.port, "/readyz?verbose")).toEqual({ status: 200, body: '{"ready":true,"reason":"CRDs installed"}\n' });
  });

  test("other paths and methods are refused, saying what exists", async () => {
    expect(await get(server.port, "/metrics")).toEqual({ status: 404, body: '{"error":"not found; try /healthz or /readyz"}\n' });
    expect(await get(server.port, "/healthz", "POST")).toEqual({ status: 405, body: '{"error":"method POST not allowed; use GET"}\n' });
    expect(await get(server.port, "/healthz", "HEAD")).toEqual({ status: 200, body: "" });
  });

  test("each probe is logged (at debug level) with its answer", async () => {
    await get(server.port, "/healthz");
    expect(probes.at(-1)).toBe("GET /healthz from 127.0.0.1: 200");
  });

  test("a port already taken is reported as such", async () => {
    await expect(serveHealth({ address: "127.0.0.1", port: server.port, readiness: () => readiness })).rejects.toThrow(
      `health endpoint: cannot listen on 127.0.0.1:${server.port}: the port is taken`,
    );
  });
});
