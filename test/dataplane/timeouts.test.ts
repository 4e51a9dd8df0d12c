/** Timeouts, shortened through the IR, each shown to fire with what a client sees. */
import { ChildProcess, spawn } from "child_process";
import * as http2 from "http2";
import * as net from "net";
import WebSocket from "ws";
import { Backend, cluster, eventually, freePort, gatewayIr, Harness, httpGet, sleep } from "./harness";

/**
 * A port that never completes a TCP handshake: a listener with a full accept queue drops
 * further SYNs. Node always accepts, so a small python process holds it.
 */
function startBlackhole(): Promise<{ port: number; proc: ChildProcess }> {
  const script = [
    "import socket, time",
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)",
    "port = s.getsockname()[1]",
    "fill = []",
    "for _ in range(4):",
    "    c = socket.socket(); c.setblocking(False); c.connect_ex(('127.0.0.1', port)); fill.append(c)",
    "print(port, flush=True)",
    "time.sleep(300)",
  ].join("\n");
  const proc = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    proc.stdout!.once("data", (d) => resolve({ port: Number(String(d).trim()), proc }));
    proc.once("error", reject);
  });
}

/** Resolves when the server closes the socket. */
function serverCloses(s: net.Socket): Promise<void> {
  return new Promise((r) => s.once("close", () => r()));
}

describe("timeouts", () => {
  const h = new Harness();
  let slow: Backend;
  let port: number;
  let blackhole: { port: number; proc: ChildProcess };

  beforeAll(async () => {
    slow = await h.backend("slow");
    blackhole = await startBlackhole();
    port = await freePort();
    await h.startAgent(gatewayIr(port, [
      cluster("slow", [slow]),
      // Probed rarely, so the endpoint is still "up" and requests really try to connect.
      { name: "unreachable", endpoints: [{ address: "127.0.0.1", port: blackhole.port }], healthCheck: { intervalMs: 120_000 } },
    ], {
      timeouts: { requestMs: 1500, httpIdleMs: 1500, streamIdleMs: 2000, connectMs: 1000 },
      routes: [
        { name: "longer", path: { type: "PathPrefix", value: "/longer" }, requestTimeoutMs: 5000, backends: [{ cluster: "slow" }] },
        { name: "none", path: { type: "PathPrefix", value: "/none" }, requestTimeoutMs: 0, backends: [{ cluster: "slow" }] },
        { name: "unreachable", path: { type: "PathPrefix", value: "/unreachable" }, backends: [{ cluster: "unreachable" }] },
        { name: "all", backends: [{ cluster: "slow" }] },
      ],
    }));
  }, 60_000);

  afterAll(async () => {
    blackhole?.proc.kill("SIGKILL");
    await h.close();
  }, 30_000);

  it("answers 504 when the backend takes longer than the request timeout", async () => {
    expect((await httpGet(port, "/slow?ms=100")).status).toBe(200);
    const started = Date.now();
    const r = await httpGet(port, "/slow?ms=4000");
    expect(r.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  }, 30_000);

  it("lets a route raise the request timeout", async () => {
    const r = await httpGet(port, "/longer/slow?ms=2500");
    expect(r.status).toBe(200);
  }, 30_000);

  it("lets a route switch the request timeout off (0)", async () => {
    const r = await httpGet(port, "/none/slow?ms=3000");
    expect(r.status).toBe(200);
  }, 30_000);

  it("closes an idle keep-alive connection after the HTTP idle timeout", async () => {
    const s = net.connect(port, "127.0.0.1");
    const closedAt = serverCloses(s).then(() => Date.now());
    let answered = 0;
    s.on("data", (d) => { if (String(d).startsWith("HTTP/1.1 200")) answered++; });
    s.write("GET /first HTTP/1.1\r\nHost: a\r\n\r\n");
    await sleep(500);
    s.write("GET /second HTTP/1.1\r\nHost: a\r\n\r\n"); // still open: busy connections stay
    await sleep(300);
    const idleSince = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const when = await Promise.race([closedAt, new Promise<number>((r) => { timer = setTimeout(() => r(-1), 15_000); })]);
    clearTimeout(timer);
    s.destroy();
    expect(answered).toBe(2);
    expect(when).not.toBe(-1);
    expect(when - idleSince).toBeGreaterThanOrEqual(900);
  }, 30_000);

  it("closes an idle HTTP/2 connection after the HTTP idle timeout", async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const closed = new Promise<number>((r) => {
        session.once("goaway", () => r(Date.now()));
        session.once("close", () => r(Date.now()));
      });
      const stream = session.request({ ":path": "/h2" });
      stream.resume();
      await new Promise((r) => stream.once("end", r));
      const idleSince = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const when = await Promise.race([closed, new Promise<number>((r) => { timer = setTimeout(() => r(-1), 15_000); })]);
      clearTimeout(timer);
      expect(when).not.toBe(-1);
      expect(when - idleSince).toBeGreaterThanOrEqual(900);
    } finally {
      session.destroy();
    }
  }, 30_000);

  it("closes an idle WebSocket after the stream idle timeout, not a busy one", async () => {
    const connect = () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    });
    const idle = await connect();
    const busy = await connect();
    let idleClosedAt = -1;
    idle.on("close", () => { idleClosedAt = Date.now(); });
    let busyClosed = false;
    busy.on("close", () => { busyClosed = true; });
    const opened = Date.now();
    // 4.5 s: more than twice the 2 s stream idle timeout; the busy one talks every 400 ms.
    for (let i = 0; i < 11; i++) {
      busy.send(`tick ${i}`);
      await sleep(400);
    }
    expect(idleClosedAt).toBeGreaterThan(0);
    expect(idleClosedAt - opened).toBeGreaterThanOrEqual(1500);
    expect(busyClosed).toBe(false);
    busy.terminate();
  }, 30_000);

  it("gives up connecting after the connect timeout (503 after the retries)", async () => {
    const started = Date.now();
    const r = await httpGet(port, "/unreachable");
    expect(r.status).toBe(503);
    // Three attempts (one try and two retries) of 1 s each.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    const line = await eventually("the access log line", () => h.accessLog.map((l) => JSON.parse(l)).find((e) => e.uri === "/unreachable"));
    expect(line.termination).toMatch(/^sC/); // HAProxy: server-side connect timeout
  }, 30_000);
});
