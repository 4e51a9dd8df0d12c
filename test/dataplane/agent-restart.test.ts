/**
 * HAProxy apart from the agent, as in the data plane pod: `agc dataplane proxy` runs HAProxy on
 * a runtime directory, `agc dataplane --external-haproxy` drives it there. Both are real
 * processes, so the agent can be killed with SIGKILL while traffic flows: open WebSockets keep
 * echoing, no HTTP request fails, and a new agent takes over.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import WebSocket from "ws";
import { socketCommand } from "../../dataplane/runtime-api";
import { parseShowProc } from "../../dataplane/haproxy";
import { GatewayIr } from "../../model/ir";
import { adminGet, AgcProcess, closed, cluster, eventually, freePort, gatewayIr, Harness, httpGet, nextMessage, openWebSocket, sleep } from "./harness";

jest.setTimeout(180_000);

/** One GET on the steady route: "200", or what went wrong. */
function get(port: number, agent: http.Agent | false): Promise<string> {
  return new Promise((resolve) => {
    http.get({ host: "127.0.0.1", port, path: "/steady", agent, timeout: 5_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(res.statusCode === 200 ? "200" : `${res.statusCode} ${body.trim()}`));
    }).on("error", (e) => resolve(e.message));
  });
}

/** Requests in a loop (two over kept-alive connections, one on a new connection each) until stopped. */
class SteadyTraffic {
  readonly answers: Record<string, number> = {};
  private running = true;
  private readonly keepAlive = new http.Agent({ keepAlive: true, maxSockets: 2 });
  private readonly loops: Promise<void>[];

  constructor(port: number) {
    this.loops = [this.keepAlive, this.keepAlive, false as const].map((agent) => (async () => {
      while (this.running) {
        const a = await get(port, agent);
        this.answers[a] = (this.answers[a] ?? 0) + 1;
        await sleep(5);
      }
    })());
  }

  async stop(): Promise<Record<string, number>> {
    this.running = false;
    await Promise.all(this.loops);
    this.keepAlive.destroy();
    return this.answers;
  }
}

/** Each socket's answer to a message naming it; "ok" when the echo came back. */
async function echoes(sockets: WebSocket[], round: string): Promise<string[]> {
  return Promise.all(sockets.map(async (ws, i) => {
    if (ws.readyState !== WebSocket.OPEN) return `socket ${i} is ${ws.readyState === WebSocket.CLOSED ? "closed" : "not open"}`;
    const answer = nextMessage(ws);
    ws.send(`${round} ${i}`);
    const { data } = await answer;
    return data.toString() === `${round} ${i}` ? "ok" : `socket ${i} got '${data.toString()}'`;
  }));
}

describe("the agent restarted while HAProxy serves (HAProxy in its own process)", () => {
  const h = new Harness();
  const run = path.join(h.dir, "run");
  const irFile = path.join(h.dir, "ir.json");
  const sockets: WebSocket[] = [];
  let port = 0;
  let adminPort = 0;
  let proxyProbePort = 0;
  let proxy: AgcProcess;
  let agent: AgcProcess | undefined;
  let ir: (extraRoute: boolean) => GatewayIr;

  /** Writes the IR file the agent watches, atomically. */
  const writeIr = (doc: GatewayIr) => {
    fs.writeFileSync(`${irFile}.tmp`, JSON.stringify(doc));
    fs.renameSync(`${irFile}.tmp`, irFile);
  };
  const startAgent = async () => {
    agent = new AgcProcess(["dataplane", "--ir", irFile, "--runtime-dir", run, "--external-haproxy", "--admin-port", String(adminPort)]);
    await eventually("the agent's /readyz to answer 200", async () => (await adminGet(adminPort, "/readyz")).status === 200, 60_000);
    return agent;
  };
  const killAgent = async () => {
    const dying = agent!;
    dying.child.kill("SIGKILL");
    await eventually("the agent to be gone", () => !dying.running);
    agent = undefined;
  };
  const masterPid = async () => parseShowProc(await socketCommand(path.join(run, "master.sock"), "show proc"))!.masterPid;

  beforeAll(async () => {
    const [a, b] = [await h.backend("a"), await h.backend("b")];
    [port, adminPort, proxyProbePort] = [await freePort(), await freePort(), await freePort()];
    ir = (extraRoute) => gatewayIr(port, [cluster("a", [a]), cluster("b", [b])], {
      routes: [
        { name: "all", backends: [{ cluster: "a" }] },
        ...(extraRoute ? [{ name: "new", hostnames: ["new.test"], backends: [{ cluster: "b" }] }] : []),
      ],
    });
    writeIr(ir(false));
    proxy = new AgcProcess(["dataplane", "proxy", "--runtime-dir", run, "--probe-port", String(proxyProbePort)]);
    await proxy.waitForStderr(/waiting for the agent to write/);
    // Waiting for a first configuration is healthy: restarting would not bring one.
    expect(await adminGet(proxyProbePort, "/healthz")).toEqual({ status: 200, body: { ok: true, state: "waiting", for: path.join(run, "haproxy.cfg") } });
    await startAgent();
    const health = await adminGet(proxyProbePort, "/healthz");
    expect([health.status, health.body.state, health.body.masterPid]).toEqual([200, "running", await masterPid()]);
    for (let i = 0; i < 20; i++) sockets.push(await openWebSocket(port));
    expect(await echoes(sockets, "before")).toEqual(Array(20).fill("ok"));
  }, 90_000);

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await agent?.stop();
    await proxy?.stop(15_000);
    await h.close();
  }, 60_000);

  it("keeps every WebSocket and answers every request across a SIGKILL of the agent and a new agent; the new agent applies a route change", async () => {
    const traffic = new SteadyTraffic(port);
    await sleep(500);
    await killAgent();
    await sleep(1_000); // no agent at all for a while
    await startAgent();
    writeIr(ir(true));
    // Until then the catch-all route sends new.test to backend a.
    const routed = await eventually("the new route to be served", async () => {
      const r = await httpGet(port, "/x", { host: "new.test" });
      return r.status === 200 && JSON.parse(r.body).backend === "b" ? "b" : undefined;
    });
    await sleep(500);
    const answers = await traffic.stop();

    expect(routed).toBe("b");
    expect(Object.keys(answers)).toEqual(["200"]);
    expect(answers["200"]).toBeGreaterThan(100);
    expect(await echoes(sockets, "after")).toEqual(Array(20).fill("ok"));
    // The ring forwarder found the new agent's access log socket.
    await eventually("an access log line from the new agent", () => agent!.stdout.some((l) => l.startsWith('{"type":"access"')));
  });

  it("leaves HAProxy serving the last configuration when the agent is killed and not restarted", async () => {
    await killAgent();
    const traffic = new SteadyTraffic(port);
    await sleep(3_000);
    const answers = await traffic.stop();
    expect(Object.keys(answers)).toEqual(["200"]);
    expect(JSON.parse((await httpGet(port, "/x", { host: "new.test" })).body).backend).toBe("b");
    expect(await echoes(sockets, "alone")).toEqual(Array(20).fill("ok"));
  });

  it("restarts HAProxy killed with SIGKILL (the supervisor), and the agent serves its IR on the new one", async () => {
    await startAgent();
    const before = await masterPid();
    process.kill(before, "SIGKILL");
    const after = await eventually("a new haproxy master", async () => {
      const pid = await masterPid().catch(() => undefined);
      return pid !== undefined && pid !== before ? pid : undefined;
    });
    expect(after).not.toBe(before);
    await proxy.waitForStderr(/restart attempt 1 in 200 ms/);
    // The agent notices, reloads the new master with its IR, and is ready again.
    await agent!.waitForStderr(/haproxy went away \(a new haproxy master/);
    await agent!.waitForStderr(/haproxy restarted with the last good configuration/);
    await eventually("the agent's /readyz to answer 200 again", async () => (await adminGet(adminPort, "/readyz")).status === 200, 30_000);
    await eventually("the new route on the new HAProxy", async () => {
      const r = await httpGet(port, "/x", { host: "new.test" });
      return r.status === 200 && JSON.parse(r.body).backend === "b";
    });
    expect((await httpGet(port, "/steady")).status).toBe(200);
  });
});

describe("old workers of an HAProxy the agent does not own", () => {
  const h = new Harness();
  const run = path.join(h.dir, "run");
  const irFile = path.join(h.dir, "ir.json");
  const processes: AgcProcess[] = [];

  afterAll(async () => {
    for (const p of processes) await p.stop(15_000);
    await h.close();
  }, 60_000);

  it("are stopped by HAProxy itself (hard-stop-after) the old-worker timeout after the reload that retired them", async () => {
    const echo = await h.backend("echo");
    const [port, adminPort] = [await freePort(), await freePort()];
    const ir = (generation: number) => gatewayIr(port, [cluster("echo", [echo])], { routes: [{ name: `all-${generation}`, backends: [{ cluster: "echo" }] }] });
    fs.writeFileSync(irFile, JSON.stringify(ir(1)));
    // The agent first: it waits for HAProxy, and says so.
    processes.push(new AgcProcess(["dataplane", "--ir", irFile, "--runtime-dir", run, "--external-haproxy", "--admin-port", String(adminPort), "--old-worker-timeout-seconds", "2"]));
    const waiting = `no configuration applied yet; waiting for the haproxy master to answer on ${run}/master.sock (agc dataplane proxy starts it)`;
    await eventually("the agent's /readyz saying it waits for HAProxy", async () => (await adminGet(adminPort, "/readyz").catch(() => undefined))?.body.reason === waiting, 60_000);
    processes.push(new AgcProcess(["dataplane", "proxy", "--runtime-dir", run]));
    await eventually("the agent's /readyz to answer 200", async () => (await adminGet(adminPort, "/readyz")).status === 200, 60_000);
    const showProc = async () => parseShowProc(await socketCommand(path.join(run, "master.sock"), "show proc"))!;
    const ws = await openWebSocket(port);
    const wsClosed = closed(ws);
    const before = (await showProc()).workers[0].pid;
    fs.writeFileSync(`${irFile}.tmp`, JSON.stringify(ir(2)));
    fs.renameSync(`${irFile}.tmp`, irFile);
    await eventually("a new worker", async () => (await showProc()).workers[0].pid !== before);
    const reloadedAt = Date.now();
    // The old worker still carries the WebSocket...
    ws.send("still there?");
    expect((await nextMessage(ws)).data.toString()).toBe("still there?");
    expect((await showProc()).oldWorkers.map((w) => w.pid)).toEqual([before]);
    // ...until HAProxy's own bound of 2 s ends it.
    const stoppedAfter = await wsClosed.then(() => Date.now() - reloadedAt);
    expect(stoppedAfter).toBeGreaterThanOrEqual(1_500);
    expect(stoppedAfter).toBeLessThan(5_000);
    await eventually("the old worker gone from show proc", async () => (await showProc()).oldWorkers.length === 0, 5_000);
  });
});
