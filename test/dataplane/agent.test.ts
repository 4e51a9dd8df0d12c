/** The agent keeping HAProxy in line with the IR: runtime updates, reloads, refusals, restarts. */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { GatewayIr } from "../../model/ir";
import { ApplyResult } from "../../dataplane/agent";
import { adminGet, Backend, backendAnswering, cluster, EchoReply, eventually, freePort, gatewayIr, Harness, httpGet, sleep } from "./harness";

describe("agent", () => {
  const h = new Harness();
  let one: Backend, two: Backend, three: Backend;
  let port: number;
  let adminPort: number;
  let base: GatewayIr;

  const who = (p = "/") => backendAnswering(port, p);
  const spread = async (n: number) => {
    const seen: Record<string, number> = {};
    for (let i = 0; i < n; i++) { const w = await who(); seen[w] = (seen[w] ?? 0) + 1; }
    return seen;
  };
  const withEndpoints = (ir: GatewayIr, eps: { b: Backend; weight?: number; ready?: boolean }[]): GatewayIr => ({
    ...ir,
    clusters: [{ ...ir.clusters[0], endpoints: eps.map((e) => ({ address: "127.0.0.1", port: e.b.port, weight: e.weight, ready: e.ready })) }],
  });

  beforeAll(async () => {
    [one, two, three] = [await h.backend("one"), await h.backend("two"), await h.backend("three")];
    port = await freePort();
    adminPort = await freePort();
    base = gatewayIr(port, [cluster("app", [one])]);
    await h.startAgent(base, adminPort);
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("reports ready on its admin endpoint", async () => {
    expect(await adminGet(adminPort, "/readyz")).toEqual({ status: 200, body: { ready: true, gateway: "test" } });
  }, 30_000);

  it("applies endpoint changes through the runtime API, without a reload", async () => {
    const pid = await h.agent!.workerPid();
    expect(await spread(4)).toEqual({ one: 4 });
    let r = await h.agent!.apply(withEndpoints(base, [{ b: one }, { b: two }]));
    expect(r.kind).toBe("runtime");
    expect(await spread(6)).toEqual({ one: 3, two: 3 });
    r = await h.agent!.apply(withEndpoints(base, [{ b: three }, { b: two }]));
    expect(r.kind).toBe("runtime");
    expect(await spread(6)).toEqual({ three: 3, two: 3 });
    expect(await h.agent!.workerPid()).toBe(pid);
  }, 30_000);

  it("applies weights and readiness at runtime", async () => {
    const r = await h.agent!.apply(withEndpoints(base, [{ b: three, weight: 3 }, { b: two, weight: 1 }, { b: one, ready: false }]));
    expect(r.kind).toBe("runtime");
    expect(await spread(8)).toEqual({ three: 6, two: 2 });
    const view = (await adminGet(adminPort, "/backends")).body;
    expect(view.app.endpoints.map((e: { port: number; weight: number }) => [e.port, e.weight]))
      .toEqual(expect.arrayContaining([[three.port, 3], [two.port, 1]]));
  }, 30_000);

  it("reloads for a structural change, and reloads with more slots when endpoints outgrow them", async () => {
    const pid = await h.agent!.workerPid();
    const withRoute: GatewayIr = { ...withEndpoints(base, [{ b: one }]), routes: [
      { name: "three", path: { type: "PathPrefix", value: "/three" }, backends: [{ cluster: "app" }], requestHeaders: { set: [{ name: "x-route", value: "three" }] } },
      ...base.routes,
    ] };
    expect((await h.agent!.apply(withRoute)).kind).toBe("reload");
    expect(await h.agent!.workerPid()).not.toBe(pid);
    expect((JSON.parse((await httpGet(port, "/three/x")).body) as EchoReply).headers["x-route"]).toBe("three");
    // 8 slots to start with; 12 endpoints (9 on closed ports, health-checked away) need more.
    const many = withEndpoints(withRoute, [{ b: one }]);
    for (let p = 1; p <= 11; p++) many.clusters[0].endpoints.push({ address: "127.0.0.2", port: p, ready: false });
    expect((await h.agent!.apply(many)).kind).toBe("reload");
    expect(await spread(3)).toEqual({ one: 3 });
    base = withRoute;
  }, 60_000);

  it("refuses an invalid IR with the path of the bad field, and keeps serving", async () => {
    const bad = JSON.parse(JSON.stringify(base));
    bad.routes[0].backends[0].weight = -1;
    const r = await h.agent!.apply(bad);
    expect(r).toEqual({ kind: "rejected", errors: ["routes[0].backends[0].weight: must be an integer 0..1000000, got -1"] });
    expect(await who()).toBe("one");
  }, 30_000);

  it("refuses a configuration HAProxy rejects, and keeps serving", async () => {
    const garbage = path.join(h.dir, "garbage.pem");
    fs.writeFileSync(garbage, "not a certificate\n");
    const tlsPort = await freePort();
    const r = await h.agent!.apply({ ...base, frontends: [...base.frontends, { name: "tls", port: tlsPort, address: "127.0.0.1", tls: { certificates: [{ certificateFile: garbage, keyFile: garbage }] } }] });
    expect(r.kind).toBe("rejected");
    expect((r as { errors: string[] }).errors[0]).toMatch(/^haproxy refused the generated configuration/);
    expect(await who()).toBe("one");
  }, 30_000);

  it("refuses a configuration HAProxy cannot load (a port in use), keeps serving, and applies the next one", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    try {
      const taken = (blocker.address() as net.AddressInfo).port;
      const r = await h.agent!.apply({ ...base, frontends: [...base.frontends, { name: "taken", port: taken, address: "127.0.0.1" }] });
      // Valid, but HAProxy could not take it: a failure, retried while it is the newest document.
      expect(r).toEqual({ kind: "failed", retryInMs: 200, errors: [expect.stringMatching(/^reload failed: haproxy could not load the new configuration: .*Address already in use.*; the previous configuration keeps serving$/)] });
      expect(await who()).toBe("one");
      const status = await adminGet(adminPort, "/readyz");
      expect(status.status).toBe(200);
      expect(status.body.failing.errors).toEqual((r as { errors: string[] }).errors);
      // What serves is still the 12-endpoint IR from before: going back to `base` frees the
      // 11 extra slots through the runtime API, no reload.
      expect((await h.agent!.apply(base)).kind).toBe("runtime");
      expect((JSON.parse((await httpGet(port, "/three/x")).body) as EchoReply).headers["x-route"]).toBe("three");
    } finally {
      blocker.close();
    }
  }, 60_000);

  it("restarts HAProxy with the last good configuration when it dies", async () => {
    // Current state includes runtime-applied endpoints: two and three.
    expect((await h.agent!.apply(withEndpoints(base, [{ b: two }, { b: three }]))).kind).toBe("runtime");
    const restarted = new Promise<void>((r) => h.agent!.once("restarted", r));
    process.kill(h.agent!.haproxyPid!, "SIGKILL");
    await restarted;
    await eventually("traffic again", async () => (await who()) !== "status 0" || undefined);
    const seen = await spread(4);
    expect(seen).toEqual({ two: 2, three: 2 });
    expect((JSON.parse((await httpGet(port, "/three/x")).body) as EchoReply).headers["x-route"]).toBe("three");
  }, 60_000);

  it("follows the IR file as it changes", async () => {
    const file = path.join(h.dir, "ir.json");
    fs.writeFileSync(file, JSON.stringify(withEndpoints(base, [{ b: one }])));
    const results: ApplyResult[] = [];
    h.agent!.on("applied", (r) => results.push(r));
    await h.agent!.watchFile(file, 50);
    expect(await spread(2)).toEqual({ one: 2 });
    // Written the way kubelet and editors do it: a new file renamed over the old one.
    fs.writeFileSync(`${file}.new`, JSON.stringify(withEndpoints(base, [{ b: two }])));
    fs.renameSync(`${file}.new`, file);
    await eventually("the change applied", async () => (await who()) === "two" || undefined);
    fs.writeFileSync(file, "{ not json");
    await eventually("the broken file refused", () => results.find((r) => r.kind === "rejected"));
    expect(await who()).toBe("two");
  }, 30_000);

  it("drains on stop: a request in flight finishes, new connections are refused", async () => {
    const inFlight = httpGet(port, "/slow?ms=1500");
    await sleep(300);
    const stopped = h.agent!.stop(10_000);
    await sleep(300);
    await expect(httpGet(port, "/")).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);
    expect((await inFlight).status).toBe(200);
    await stopped;
  }, 30_000);
});
