/**
 * Benchmarks (not tests): proxy overhead, WebSocket capacity and change propagation.
 * Run with `bench/run.sh`; results are printed as Markdown tables. Bounded: a few minutes.
 *
 * Environment: BENCH_SECONDS (per load run, default 5), BENCH_ROUNDS (proxy overhead rounds,
 * default 2), BENCH_WS (WebSockets held, default 2000).
 */
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import WebSocket, { WebSocketServer } from "ws";
import { AccessLogReader } from "../dataplane/access-log";
import { DataplaneAgent } from "../dataplane/agent";
import { GatewayIr } from "../model/ir";
import { freePort, sleep } from "../test/dataplane/harness";
import {
  BIG_BYTES, CONNECTIONS, h2load, LoadResult, median, minimalConfig, Process, run, sameFeaturesConfig, SECONDS,
  startFastBackend, startHaproxy, startNodeProxy, withCpu, wrk,
} from "./targets";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WS_COUNT = Number(process.env.BENCH_WS ?? 2000);
const BIG = Buffer.alloc(BIG_BYTES, "x");

/** The node backend, for WebSockets and propagation: `/big` (64 KiB), else 3 bytes; WebSocket echo. */
async function startNodeBackend(): Promise<{ port: number; server: http.Server }> {
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

function gateway(port: number, endpoints: number[]): GatewayIr {
  return {
    apiVersion: "ir.agc.dev/v1", gateway: "bench",
    frontends: [{ name: "web", port, address: "127.0.0.1" }],
    routes: [{ name: "all", backends: [{ cluster: "app" }] }],
    clusters: [{ name: "app", endpoints: endpoints.map((p) => ({ address: "127.0.0.1", port: p })) }],
  };
}

/** `pid`: the process whose CPU per request is reported (the proxy's; for "direct", the backend's). */
interface Target { name: string; port: number; h2c: boolean; pid: () => number }
type Measured = LoadResult & { cpuUs: number };

/**
 * Every target for one protocol and body, ROUNDS times. The generated and the same-features
 * configurations run next to each other, in alternating order, so their ratio compares
 * measurements taken under the same load.
 */
async function proxyOverhead(targets: Target[], load: (url: string) => Promise<LoadResult>, protocol: "wrk" | "h2load"): Promise<Map<string, Measured[]>> {
  const results = new Map<string, Measured[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = [...targets];
    if (round % 2 === 1) [order[1], order[2]] = [order[2], order[1]];
    for (const t of order) {
      if (protocol === "h2load" && !t.h2c) continue;
      results.get(t.name)!.push(await withCpu(t.pid(), () => load(`http://127.0.0.1:${t.port}`)));
    }
  }
  return results;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-bench-"));
  const backend = await startNodeBackend();
  const backend2 = await startNodeBackend();
  const [fastPort, genPort, samePort, minimalPort, nodeProxyPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const processes: Process[] = [];
  const agent = new DataplaneAgent({ runtimeDir: path.join(dir, "run"), accessLog: () => undefined, diagnostics: () => undefined });
  // The same-features configuration ships its access log to the same reader, in this process, as the agent's.
  let sameLogLines = 0;
  const sameLog = new AccessLogReader(path.join(dir, "access.sock"), (lines) => { sameLogLines += lines.length; });
  const irFile = path.join(dir, "ir.json");
  try {
    const fast = await startFastBackend(dir, fastPort);
    processes.push(fast);
    await sameLog.start();
    const same = await startHaproxy(dir, "same-features", sameFeaturesConfig(samePort, fastPort, dir), samePort);
    processes.push(same);
    const minimal = await startHaproxy(dir, "minimal", minimalConfig(minimalPort, fastPort), minimalPort);
    processes.push(minimal);
    const nodeProxy = await startNodeProxy(nodeProxyPort, fastPort);
    processes.push(nodeProxy);
    fs.writeFileSync(irFile, JSON.stringify(gateway(genPort, [fastPort])));
    const started = await agent.watchFile(irFile, 20);
    if (started.kind !== "start") throw new Error(`agent did not start: ${JSON.stringify(started)}`);
    await sleep(500);
    const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
    console.log(`# pulumi-agc data plane benchmark\n\n${new Date().toISOString()}, ${os.cpus().length} CPUs (${os.cpus()[0].model}), ` +
      `load average ${load}, node ${process.version}, HAProxy ${(await run("/usr/sbin/haproxy", ["-v"])).split("\n")[0].split(" ")[2]}; ` +
      `${SECONDS} s per run, ${ROUNDS} rounds, ${CONNECTIONS} connections (h2load: 10 streams each); load generator, proxy and backend share the machine.\n`);

    console.log("## Proxy overhead\n\nBackend: HAProxy answering every request itself (HTTP/1.1 and h2c). " +
      "req/s, p50, p99 and CPU: medians over the rounds. CPU: user + system time of the proxy's processes " +
      "(for direct, the backend's) per request.\n");
    console.log("| target | protocol | body | req/s | p50 ms | p99 ms | CPU µs/req | req/s per round | CPU µs/req per round |\n|---|---|---|---|---|---|---|---|---|");
    const pid = (p: Process) => () => p.child.pid!;
    const targets: Target[] = [
      { name: "direct to the backend", port: fastPort, h2c: true, pid: pid(fast) },
      { name: "generated config", port: genPort, h2c: true, pid: () => agent.haproxyPid! },
      { name: "hand-written HAProxy, same features", port: samePort, h2c: true, pid: pid(same) },
      { name: "hand-written HAProxy, minimal", port: minimalPort, h2c: true, pid: pid(minimal) },
      { name: "node reverse proxy", port: nodeProxyPort, h2c: false, pid: pid(nodeProxy) },
    ];
    const ratios: string[] = [];
    for (const [body, p] of [["3 B", "/small"], ["64 KiB", "/big"]]) {
      for (const [protocol, label] of [["wrk", "HTTP/1.1 (wrk)"], ["h2load", "h2c (h2load)"]] as const) {
        const measure = (url: string) => (protocol === "wrk" ? wrk(`${url}${p}`) : h2load(`${url}${p}`, dir));
        const results = await proxyOverhead(targets, measure, protocol);
        for (const t of targets) {
          const rs = results.get(t.name)!;
          const row = rs.length === 0 ? "n/a | n/a | n/a | n/a | n/a | n/a"
            : `${Math.round(median(rs.map((r) => r.rps)))} | ${median(rs.map((r) => r.p50ms)).toFixed(2)} | ${median(rs.map((r) => r.p99ms)).toFixed(2)} | ` +
              `${median(rs.map((r) => r.cpuUs)).toFixed(1)} | ${rs.map((r) => Math.round(r.rps)).join(" ")} | ${rs.map((r) => r.cpuUs.toFixed(1)).join(" ")}`;
          console.log(`| ${t.name} | ${label} | ${body} | ${row} |`);
        }
        const gen = results.get("generated config")!;
        const hand = results.get("hand-written HAProxy, same features")!;
        const rps = gen.map((g, i) => g.rps / hand[i].rps);
        const cpu = gen.map((g, i) => hand[i].cpuUs / g.cpuUs);
        const cells = (xs: number[]) => `${median(xs).toFixed(2)} | ${xs.map((r) => r.toFixed(2)).join(" ")}`;
        ratios.push(`| ${label} | ${body} | ${cells(rps)} | ${cells(cpu)} |`);
      }
    }
    console.log("\nGenerated / hand-written with the same features, each round's pair (goal: at least 0.95). By req/s; and by CPU " +
      "per request, inverted (hand-written's µs/req over generated's), so both read as the generated config's relative throughput:\n");
    console.log(`| protocol | body | req/s ratio (median) | per round | CPU ratio (median) | per round |\n|---|---|---|---|---|---|\n${ratios.join("\n")}`);
    console.log(`\n(The same-features configuration shipped ${sameLogLines} access log lines to its reader.)`);

    // WebSockets and propagation need a backend that echoes WebSockets and says which one answered: node.
    fs.writeFileSync(irFile, JSON.stringify(gateway(genPort, [backend.port])));
    await pollUntil(async () => (await getThrough(genPort, "/small")).backendPort === String(backend.port));

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
      observed.runtime.push(await pollUntil(async () => (await getThrough(genPort, "/small")).backendPort === String(next)) - t0);
      await sleep(200);
      // A new route that redirects: /moved-i answered 200 before, 302 once reloaded.
      ir = { ...ir, routes: [{ name: `moved-${i}`, path: { type: "Exact", value: `/moved-${i}` }, redirect: { hostname: "example.com" } }, ...ir.routes] };
      const t1 = Date.now();
      fs.writeFileSync(irFile, JSON.stringify(ir));
      observed.reload.push(await pollUntil(async () => (await getThrough(genPort, `/moved-${i}`)).status === 302) - t1);
      await sleep(200);
    }
    console.log("| change | n | observed median ms | observed max ms | agent apply median ms |\n|---|---|---|---|---|");
    for (const k of ["runtime", "reload"] as const) {
      console.log(`| ${kinds[k]} | ${observed[k].length} | ${median(observed[k])} | ${Math.max(...observed[k])} | ${applied[k].length ? median(applied[k]) : "n/a"} |`);
    }
    console.log("\n(Observed includes the 20 ms file-watch debounce and the client polling every 5 ms.)");
  } finally {
    await agent.stop();
    for (const p of processes) await p.stop();
    await sameLog.stop();
    backend.server.closeAllConnections();
    backend.server.close();
    backend2.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** GET through a port: the status, and which node backend answered (they differ by port, in x-backend-port). */
function getThrough(port: number, p: string): Promise<{ status: number; backendPort: string }> {
  return new Promise((resolve) => {
    http.get({ host: "127.0.0.1", port, path: p, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, backendPort: String(res.headers["x-backend-port"]) }));
    }).on("error", () => resolve({ status: 0, backendPort: "" }));
  });
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
