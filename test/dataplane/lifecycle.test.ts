/**
 * The agent when HAProxy misbehaves: a reload nobody confirms, runtime updates HAProxy refuses,
 * a crash loop, old workers that never finish, and what /healthz and /readyz say meanwhile.
 * Faults are caused on the real processes (SIGSTOP, a port taken, a server deleted through
 * the runtime API), never imitated.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { ApplyResult, DataplaneAgent } from "../../dataplane/agent";
import { parseShowProc } from "../../dataplane/haproxy";
import { socketCommand } from "../../dataplane/runtime-api";
import { GatewayIr } from "../../model/ir";
import {
  adminGet, Backend, backendAnswering, closed, cluster, EchoReply, eventually, freePort, gatewayIr, Harness, httpGet, nextMessage, openWebSocket, sleep,
} from "./harness";

jest.setTimeout(60_000);

/** The IR plus one route `/new` that sets `x-route: new`: a structural change (a reload). */
function withNewRoute(ir: GatewayIr): GatewayIr {
  return {
    ...ir,
    routes: [
      { name: "new", path: { type: "PathPrefix", value: "/new" }, backends: [{ cluster: ir.clusters[0].name }], requestHeaders: { set: [{ name: "x-route", value: "new" }] } },
      ...ir.routes,
    ],
  };
}

async function routeHeader(port: number, urlPath: string): Promise<string | undefined> {
  const r = await httpGet(port, urlPath);
  return r.status === 200 ? ((JSON.parse(r.body) as EchoReply).headers["x-route"] as string | undefined) : `status ${r.status}`;
}

describe("a reload is done only when the master runs a new worker", () => {
  const h = new Harness();
  let port: number;
  let base: GatewayIr;

  beforeAll(async () => {
    const one = await h.backend("one");
    port = await freePort();
    base = gatewayIr(port, [cluster("app", [one])]);
    await h.startAgent(base, undefined, { retryBackoff: { initialMs: 200, maxMs: 200 } });
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("reports a reload whose master does not answer as failed, serves the old configuration, and retries", async () => {
    const agent = h.agent!;
    const master = agent.haproxyPid!;
    const worker = (await agent.workerPid())!;
    const results: ApplyResult[] = [];
    agent.on("applied", (r: ApplyResult) => results.push(r));
    // Neither the master CLI nor the stats socket answers while they are stopped. The worker
    // comes back first: its stats socket then answers with the old pid, which a reload that
    // trusted the stats socket would take for a new worker.
    process.kill(master, "SIGSTOP");
    process.kill(worker, "SIGSTOP");
    let first: ApplyResult;
    try {
      const applying = agent.apply(withNewRoute(base));
      await sleep(2_500);
      process.kill(worker, "SIGCONT");
      first = await applying;
      expect(first).toEqual({
        kind: "failed",
        errors: [`reload failed: the haproxy master did not answer 'show proc' on ${path.join(h.dir, "run", "master.sock")}: runtime API: no answer to 'show proc' within 2000 ms; the previous configuration keeps serving`],
        retryInMs: 200,
      });
      expect(await routeHeader(port, "/new/x")).toBeUndefined(); // the catch-all route: no x-route header
    } finally {
      process.kill(master, "SIGCONT");
      process.kill(worker, "SIGCONT");
    }
    // Retried without a new document once the master answers again.
    await eventually("the retried reload", () => results.find((r) => r.kind === "reload"));
    expect(await routeHeader(port, "/new/x")).toBe("new");
    expect(await agent.workerPid()).not.toBe(worker);
  });
});

async function answeredBy(port: number, n: number): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await backendAnswering(port));
  return [...seen].sort();
}

describe("a runtime update HAProxy refuses", () => {
  const h = new Harness();
  let one: Backend, two: Backend, three: Backend;
  let port: number;

  beforeAll(async () => {
    [one, two, three] = [await h.backend("one"), await h.backend("two"), await h.backend("three")];
    port = await freePort();
    await h.startAgent(gatewayIr(port, [cluster("app", [one, two])]));
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("is made by a reload instead", async () => {
    const agent = h.agent!;
    const worker = await agent.workerPid();
    // HAProxy and the agent disagree about slot s2: it is deleted behind the agent's back.
    expect(await socketCommand(agent.statsSocket, "set server cl_app/s2 state maint")).toBe("\n");
    expect(await socketCommand(agent.statsSocket, "del server cl_app/s2")).toBe("Server deleted.\n");
    // Endpoint two (slot s2) gives way to three: a runtime change, which s2's absence refuses.
    const r = await agent.apply(gatewayIr(port, [cluster("app", [one, three])]));
    expect(r.kind).toBe("reload");
    expect(h.diagnostics).toContain("runtime update 'set server cl_app/s2 state maint' failed (No such server.); reloading instead");
    expect(await agent.workerPid()).not.toBe(worker);
    expect(await answeredBy(port, 6)).toEqual(["one", "three"]);
  });
});

describe("HAProxy that keeps crashing", () => {
  const h = new Harness();
  let port: number;
  let adminPort: number;

  beforeAll(async () => {
    const one = await h.backend("one");
    port = await freePort();
    adminPort = await freePort();
    await h.startAgent(gatewayIr(port, [cluster("app", [one])]), adminPort, { retryBackoff: { initialMs: 300, maxMs: 1200 } });
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("is restarted after growing delays, bounded, and says so on /healthz and /readyz until it runs again", async () => {
    const agent = h.agent!;
    const attempts: { attempt: number; delayMs: number; exit: string; at: number }[] = [];
    agent.on("restarting", (e: { attempt: number; delayMs: number; exit: string }) => attempts.push({ ...e, at: Date.now() }));
    const restarted = new Promise<void>((r) => agent.once("restarted", r));
    const worker = (await agent.workerPid())!;
    process.kill(agent.haproxyPid!, "SIGKILL");
    process.kill(worker, "SIGKILL");
    // Every restart finds the frontend's port taken, and exits at once.
    const blocker = net.createServer();
    await eventually("the port to be free for the blocker", () => new Promise<boolean | undefined>((resolve) => {
      blocker.once("error", () => resolve(undefined));
      blocker.listen(port, "127.0.0.1", () => resolve(true));
    }), 2_000, 5);
    try {
      await eventually("four restart attempts", () => attempts.length >= 4 || undefined, 15_000);
      expect(attempts.slice(0, 4).map((a) => [a.attempt, a.delayMs, a.exit])).toEqual([
        [1, 300, "killed by SIGKILL"],
        [2, 600, "exit code 1"],
        [3, 1200, "exit code 1"],
        [4, 1200, "exit code 1"],
      ]);
      for (let i = 1; i < 4; i++) expect(attempts[i].at - attempts[i - 1].at).toBeGreaterThanOrEqual(attempts[i - 1].delayMs);
      const health = await adminGet(adminPort, "/healthz");
      expect(health.status).toBe(503);
      expect(health.body.reason).toMatch(/^haproxy is not running \(exit code 1\); restart attempt \d+ in \d+ ms$/);
      const ready = await adminGet(adminPort, "/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ ready: false, gateway: "test", reason: expect.stringMatching(/^haproxy is not running/) });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    await restarted;
    expect(await backendAnswering(port)).toBe("one");
    expect(await adminGet(adminPort, "/healthz")).toEqual({ status: 200, body: { ok: true } });
    expect((await adminGet(adminPort, "/readyz")).status).toBe(200);
  });
});

describe("old workers", () => {
  const h = new Harness();
  let port: number;
  let base: GatewayIr;

  beforeAll(async () => {
    const echo = await h.backend("echo");
    port = await freePort();
    base = gatewayIr(port, [cluster("echo", [echo])]);
    await h.startAgent(base, undefined, { oldWorkerTimeoutMs: 2_000 });
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  const showProc = async () => parseShowProc(await socketCommand(path.join(h.dir, "run", "master.sock"), "show proc"))!;
  const generations = () => fs.readdirSync(path.join(h.dir, "run", "gen")).map(Number).sort((a, b) => a - b);

  it("keep their WebSockets after a reload, until the bound stops them; their generations go with them", async () => {
    const agent = h.agent!;
    const ws = await openWebSocket(port);
    const wsClosed = closed(ws);
    const before = (await agent.workerPid())!;
    expect((await agent.apply(withNewRoute(base))).kind).toBe("reload");
    const reloadedAt = Date.now();
    // The old worker still carries the WebSocket.
    ws.send("still there?");
    expect((await nextMessage(ws)).data.toString()).toBe("still there?");
    const during = await showProc();
    expect(during.oldWorkers.map((w) => w.pid)).toEqual([before]);
    expect(generations()).toEqual([1, 2]);
    // Stopped once retired for 2 s (checked every 200 ms).
    const stoppedAfter = await wsClosed.then(() => Date.now() - reloadedAt);
    expect(stoppedAfter).toBeGreaterThanOrEqual(1_900);
    expect(stoppedAfter).toBeLessThan(4_000);
    expect(h.diagnostics.some((l) => l.startsWith(`stopped old haproxy worker ${before}: still holding connections 2 s after its reload`))).toBe(true);
    await eventually("the old worker gone from show proc", async () => ((await showProc()).oldWorkers.length === 0) || undefined, 5_000);
    await eventually("its generation removed", () => generations().join(",") === "2" || undefined, 5_000);
    expect(await routeHeader(port, "/new/x")).toBe("new");
  });
});

describe("/healthz and /readyz before a configuration serves", () => {
  const h = new Harness();
  let agent: DataplaneAgent;
  let adminPort: number;

  beforeAll(async () => {
    adminPort = await freePort();
    agent = new DataplaneAgent({ runtimeDir: path.join(h.dir, "run"), adminPort, diagnostics: () => undefined });
    await agent.startAdmin();
  });

  afterAll(async () => {
    await agent.stop();
    await h.close();
  }, 30_000);

  it("are healthy and not ready while waiting for an IR", async () => {
    expect(await adminGet(adminPort, "/healthz")).toEqual({ status: 200, body: { ok: true } });
    expect(await adminGet(adminPort, "/readyz")).toEqual({ status: 503, body: { ready: false, reason: "no configuration applied yet; waiting for an IR" } });
  });

  it("say why when the first IR was refused", async () => {
    const r = await agent.apply({ apiVersion: "ir.agc.dev/v1", gateway: "test", frontends: 7, routes: [], clusters: [] });
    expect(r.kind).toBe("rejected");
    const ready = await adminGet(adminPort, "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toBe("no configuration applied yet; the latest IR was refused: frontends: must be an array, got 7");
  });
});

describe("an HAProxy worker killed under traffic", () => {
  const h = new Harness();
  let port: number;

  beforeAll(async () => {
    const one = await h.backend("one");
    port = await freePort();
    // The agent's own defaults: this is what a data plane pod runs with.
    await h.startAgent(gatewayIr(port, [cluster("app", [one])]));
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("is replaced by the agent: requests are answered again, by the same configuration", async () => {
    const agent = h.agent!;
    const worker = (await agent.workerPid())!;
    expect(await backendAnswering(port)).toBe("one");
    let lastOk = 0;
    let firstOkAfter = 0;
    let killedAt = 0;
    let running = true;
    const traffic = (async () => {
      while (running) {
        const who = await backendAnswering(port).catch(() => "refused");
        if (who === "one") {
          if (killedAt && !firstOkAfter) firstOkAfter = Date.now();
          if (!killedAt) lastOk = Date.now();
        }
        await sleep(10);
      }
    })();
    await sleep(300);
    killedAt = Date.now();
    process.kill(worker, "SIGKILL");
    try {
      await eventually("an answer after the kill", () => firstOkAfter || undefined, 20_000, 20);
    } finally {
      running = false;
      await traffic;
    }
    const newWorker = await eventually("a worker the master reports", async () => (await agent.workerPid().catch(() => undefined)) ?? undefined, 10_000, 50);
    expect(newWorker).not.toBe(worker);
    expect(await backendAnswering(port)).toBe("one");
    process.stderr.write(`worker killed: no answer for ${firstOkAfter - lastOk} ms (last answer before the kill to first after)\n`);
  });
});
