/**
 * Benchmarks (not tests): proxy overhead, WebSocket capacity and change propagation.
 * Run with `bench/run.sh`; results are printed as Markdown tables. Bounded: a few minutes.
 *
 * Environment: BENCH_SECONDS (per load run, default 5), BENCH_WS (WebSockets held, default 2000).
 */
import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import WebSocket, { WebSocketServer } from "ws";
import { DataplaneAgent } from "../dataplane/agent";
import { GatewayIr } from "../model/ir";
import { freePort, sleep } from "../test/dataplane/harness";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WS_COUNT = Number(process.env.BENCH_WS ?? 2000);
const CONNECTIONS = 32;
const BIG = Buffer.alloc(64 * 1024, "x");



function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: (SECONDS + 60) * 1000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}\n${stderr}`)) : resolve(stdout));
  });
}

/** The backend: `/small` (3 bytes), `/big` (64 KiB), WebSocket echo. */
async function startBackend(): Promise<{ port: number; server: http.Server }> {
  let port = 0;
  const server = http.createServer((req, res) => {
    const body = req.url === "/big" ? BIG : "ok\n";
    res.writeHead(200, { "content-type": "text/plain", "content-length": body.length, "x-backend-port": String(port) });
    res.end(body);
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => ws.on("message", (d, bin) => ws.send(d, { binary: bin })));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as net.AddressInfo).port;
  return { port, server };
}

interface LoadResult { rps: number; p50ms: number; p99ms: number }

function wrkLatencyMs(text: string, pct: string): number {
  const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
}

async function wrk(url: string): Promise<LoadResult> {
  const out = await run("wrk", ["-t", "2", "-c", String(CONNECTIONS), "-d", `${SECONDS}s`, "--latency", url]);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50ms: wrkLatencyMs(out, "50"), p99ms: wrkLatencyMs(out, "99") };
}

async function h2load(url: string, dir: string): Promise<LoadResult> {
  const log = path.join(dir, `h2load-${Date.now()}.log`);
  const out = await run("h2load", ["-c", String(CONNECTIONS), "-m", "10", "-t", "2", "-D", String(SECONDS), "--log-file", log, url]);
  const times = fs.readFileSync(log, "utf8").trim().split("\n").map((l) => Number(l.split("\t")[2]) / 1000).sort((a, b) => a - b);
  fs.rmSync(log);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const failed = Number(/(\d+) failed/.exec(out)?.[1] ?? 0);
  if (failed > 0) throw new Error(`h2load: ${failed} requests failed\n${out}`);
  return { rps: Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out)?.[1]), p50ms: at(0.5), p99ms: at(0.99) };
}

/** RSS of every process of an HAProxy master (itself and its workers), in MiB. */
function haproxyRssMiB(masterPid: number): number {
  let kb = 0;
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      if (Number(pid) === masterPid || ppid === masterPid) kb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // the process went away
    }
  }
  return kb / 1024;
}

function handWrittenConfig(port: number, backendPort: number): string {
  return [
    "global",
    "defaults", "    mode http", "    timeout connect 5s", "    timeout client 300s", "    timeout server 60s",
    "frontend fe", `    bind 127.0.0.1:${port}`, "    default_backend be",
    "backend be", `    server s1 127.0.0.1:${backendPort}`, "",
  ].join("\n");
}

function gateway(port: number, endpoints: number[]): GatewayIr {
  return {
    apiVersion: "ir.agc.dev/v1", gateway: "bench",
    frontends: [{ name: "web", port, address: "127.0.0.1" }],
    routes: [{ name: "all", backends: [{ cluster: "app" }] }],
    clusters: [{ name: "app", endpoints: endpoints.map((p) => ({ address: "127.0.0.1", port: p })) }],
  };
}

const fmt = (r: LoadResult | undefined) => (r ? `${Math.round(r.rps)} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)}` : "n/a | n/a | n/a");

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-bench-"));
  const backend = await startBackend();
  const backend2 = await startBackend();
  const genPort = await freePort();
  const handPort = await freePort();
  fs.writeFileSync(path.join(dir, "hand.cfg"), handWrittenConfig(handPort, backend.port));
  const hand = spawn("/usr/sbin/haproxy", ["-f", path.join(dir, "hand.cfg")], { stdio: ["ignore", "ignore", "inherit"] });
  const agent = new DataplaneAgent({ runtimeDir: path.join(dir, "run"), accessLog: () => undefined, diagnostics: () => undefined });
  const irFile = path.join(dir, "ir.json");
  fs.writeFileSync(irFile, JSON.stringify(gateway(genPort, [backend.port])));
  try {
    const started = await agent.watchFile(irFile, 20);
    if (started.kind !== "start") throw new Error(`agent did not start: ${JSON.stringify(started)}`);
    await sleep(500);
    console.log(`# pulumi-agc data plane benchmark\n\n${new Date().toISOString()}, ${os.cpus().length} CPUs (${os.cpus()[0].model}), ` +
      `node ${process.version}, HAProxy ${(await run("/usr/sbin/haproxy", ["-v"])).split("\n")[0].split(" ")[2]}; ` +
      `${SECONDS} s per run, ${CONNECTIONS} connections (h2load: 10 streams each); load generator, proxy and backend share the machine.\n`);

    console.log("## Proxy overhead\n\n| target | protocol | body | req/s | p50 ms | p99 ms |\n|---|---|---|---|---|---|");
    const targets: [string, number][] = [["direct", backend.port], ["generated config", genPort], ["hand-written HAProxy", handPort]];
    for (const [body, p] of [["3 B", "/small"], ["64 KiB", "/big"]]) {
      for (const [name, port] of targets) {
        console.log(`| ${name} | HTTP/1.1 (wrk) | ${body} | ${fmt(await wrk(`http://127.0.0.1:${port}${p}`))} |`);
      }
      for (const [name, port] of targets) {
        // The node backend speaks HTTP/1.1 only: there is no direct h2c to compare with.
        const r = name === "direct" ? undefined : await h2load(`http://127.0.0.1:${port}${p}`, dir);
        console.log(`| ${name} | h2c (h2load) | ${body} | ${fmt(r)} |`);
      }
    }

    console.log(`\n## WebSockets through the generated config\n`);
    const rssBefore = haproxyRssMiB(agent.haproxyPid!);
    const sockets: WebSocket[] = [];
    for (let i = 0; i < WS_COUNT; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, WS_COUNT - i) }, () => new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${genPort}/ws`);
        ws.once("open", () => { sockets.push(ws); resolve(); });
        ws.once("error", reject);
      })));
    }
    await sleep(1000);
    const rssHeld = haproxyRssMiB(agent.haproxyPid!);
    // Each connection keeps one 64-byte message in flight, echoed back, for SECONDS.
    let messages = 0;
    const payload = Buffer.alloc(64, "m");
    const until = Date.now() + SECONDS * 1000;
    await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
      ws.on("message", () => {
        messages++;
        if (Date.now() < until) ws.send(payload);
        else resolve();
      });
      ws.send(payload);
    })));
    const dropped = sockets.filter((ws) => ws.readyState !== WebSocket.OPEN).length;
    console.log(`| WebSockets held | dropped | HAProxy RSS before | RSS holding them | echoed messages/s (64 B) |\n|---|---|---|---|---|`);
    console.log(`| ${sockets.length} | ${dropped} | ${rssBefore.toFixed(1)} MiB | ${rssHeld.toFixed(1)} MiB | ${Math.round(messages / SECONDS)} |`);
    for (const ws of sockets) ws.terminate();

    console.log(`\n## IR change to applied (file written -> new behaviour observed by a client)\n`);
    // Which backend answered: the two backends differ by port, shown in x-backend-port.
    const get = (p: string) => new Promise<{ status: number; backendPort: string }>((resolve) => {
      http.get({ host: "127.0.0.1", port: genPort, path: p, agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, backendPort: String(res.headers["x-backend-port"]) }));
      }).on("error", () => resolve({ status: 0, backendPort: "" }));
    });
    const kinds = { runtime: "endpoint change (runtime API)", reload: "structural change (reload)" } as const;
    const observed: Record<string, number[]> = { runtime: [], reload: [] };
    const applied: Record<string, number[]> = { runtime: [], reload: [] };
    agent.on("applied", (r) => { if (r.kind === "runtime" || r.kind === "reload") applied[r.kind].push(r.durationMs); });
    let ir = gateway(genPort, [backend.port]);
    for (let i = 0; i < 10; i++) {
      const next = i % 2 === 0 ? backend2.port : backend.port;
      ir = { ...ir, clusters: [{ name: "app", endpoints: [{ address: "127.0.0.1", port: next }] }] };
      const t0 = Date.now();
      fs.writeFileSync(irFile, JSON.stringify(ir));
      observed.runtime.push(await pollUntil(async () => (await get("/small")).backendPort === String(next)) - t0);
      await sleep(200);
      // A new route that redirects: /moved-i answered 200 before, 302 once reloaded.
      ir = { ...ir, routes: [{ name: `moved-${i}`, path: { type: "Exact", value: `/moved-${i}` }, redirect: { hostname: "example.com" } }, ...ir.routes] };
      const t1 = Date.now();
      fs.writeFileSync(irFile, JSON.stringify(ir));
      observed.reload.push(await pollUntil(async () => (await get(`/moved-${i}`)).status === 302) - t1);
      await sleep(200);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log("| change | n | observed median ms | observed max ms | agent apply median ms |\n|---|---|---|---|---|");
    for (const k of ["runtime", "reload"] as const) {
      console.log(`| ${kinds[k]} | ${observed[k].length} | ${median(observed[k])} | ${Math.max(...observed[k])} | ${median(applied[k]) ?? "n/a"} |`);
    }
    console.log("\n(Observed includes the 20 ms file-watch debounce and the client polling every 5 ms.)");
  } finally {
    await agent.stop();
    hand.kill("SIGKILL");
    backend.server.closeAllConnections();
    backend.server.close();
    backend2.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function pollUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return Date.now();
    await sleep(5);
  }
  throw new Error(`no change observed within ${timeoutMs} ms`);
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
