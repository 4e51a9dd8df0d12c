/**
 * Where the time goes: the generated configuration for the bench gateway, and variants of it
 * with one thing removed or changed each, against one node backend, in interleaved rounds.
 * Not a configuration to ship (most variants drop a behaviour): a measurement. Each row is
 * HTTP/1.1 3-byte requests per second, as a ratio to the minimal hand-written configuration
 * measured in the same round (the median over the rounds).
 *
 * Run with `bench/run.sh where`. Environment: BENCH_SECONDS (per load run, default 5),
 * BENCH_ROUNDS (default 3).
 */
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { AccessLogReader } from "../dataplane/access-log";
import { accessLogSocket, render } from "../dataplane/render";
import { socketCommand } from "../dataplane/runtime-api";
import { GatewayIr } from "../model/ir";
import { freePort, sleep } from "../test/dataplane/harness";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = process.env.BENCH_ONLY?.split(",");



function wrk(url: string): Promise<{ rps: number; p50: string }> {
  return new Promise((resolve, reject) => {
    execFile("wrk", ["-t", "2", "-c", "32", "-d", `${SECONDS}s`, "--latency", url], { timeout: (SECONDS + 30) * 1000 }, (err, out) => {
      if (err) return reject(err);
      resolve({ rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50: /^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? "?" });
    });
  });
}

/** How HAProxy's stdout (the access log) is read. */
type LogSink = "node" | "process" | "ring" | "none";

interface Variant {
  name: string;
  what: string;
  cfg: (generated: string) => string;
  log: LogSink;
}

const lines = (cfg: string, keep: (l: string) => boolean) => cfg.split("\n").filter(keep).join("\n");

function variants(hand: string): Variant[] {
  const noLog = (c: string) => lines(c, (l) => !/^\s+log (ring@|global)/.test(l));
  const toStdout = (c: string) => c.replace(/log ring@access format raw local0/, "log stdout format raw local0");
  const all: Variant[] = [
    { name: "hand-written", what: "frontend + default_backend, one server, no log", cfg: () => hand, log: "none" },
    { name: "generated", what: "as rendered: access log through the ring to the agent's reader thread, in the backend's process", cfg: (c) => c, log: "ring" },
    { name: "log to stdout, read by node", what: "the previous log path: `log stdout`, read line by line on the backend's event loop", cfg: toStdout, log: "node" },
    { name: "log to stdout, another process", what: "`log stdout`, read by a separate `cat >/dev/null`", cfg: toStdout, log: "process" },
    { name: "no access log", what: "`log` lines removed", cfg: noLog, log: "none" },
    {
      name: "no log, no http-request rules", what: "also every frontend rule removed: `use_backend cl_app`",
      cfg: (c) => lines(noLog(c), (l) => !/^\s+(http-request|acl) /.test(l) || /^\s+http-request (set-timeout|return status 503)/.test(l))
        .replace(/use_backend %\[var\(txn.cluster\)\]/, "use_backend cl_app"),
      log: "none",
    },
    {
      name: "no log, no forwarded headers/x-request-id", what: "the five header rules removed",
      cfg: (c) => lines(noLog(c), (l) => !/set-header X-(Forwarded|Request)/.test(l)),
      log: "none",
    },
    {
      name: "no log, no health check", what: "`check` and `option httpchk` removed",
      cfg: (c) => noLog(c).replace(/default-server check .*/, "default-server").replace(/option httpchk\n/, ""),
      log: "none",
    },
    { name: "no log, one server slot", what: "the `server-template` line removed", cfg: (c) => lines(noLog(c), (l) => !/server-template/.test(l)), log: "none" },
    { name: "no log, nbthread 1", what: "`nbthread 1`", cfg: (c) => noLog(c).replace(/^global\n/, "global\n    nbthread 1\n"), log: "none" },
    { name: "no log, no server keep-alive", what: "`option http-server-close`", cfg: (c) => noLog(c).replace(/^defaults\n/m, "defaults\n    option http-server-close\n"), log: "none" },
  ];
  return all.filter((v) => !ONLY || v.name === "hand-written" || ONLY.some((o) => v.name.includes(o)));
}

async function startHaproxy(dir: string, cfg: string, log: LogSink): Promise<{ stop: () => Promise<void>; lines: () => number }> {
  fs.mkdirSync(dir, { recursive: true });
  const cfgPath = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(cfgPath, cfg);
  let count = 0;
  const children: ChildProcess[] = [];
  let stdout: "pipe" | "ignore" | number = log === "node" ? "pipe" : "ignore";
  if (log === "process") {
    const sink = spawn("sh", ["-c", "cat >/dev/null"], { stdio: ["pipe", "ignore", "inherit"] });
    children.push(sink);
    stdout = (sink.stdin as unknown as { _handle: { fd: number } })._handle.fd;
  }
  const child = spawn("/usr/sbin/haproxy", ["-W", "-f", cfgPath], { stdio: ["ignore", stdout as never, "inherit"] });
  children.unshift(child);
  let reader: AccessLogReader | undefined;
  if (log === "ring") {
    reader = new AccessLogReader(accessLogSocket(dir), (l) => { count += l.length; });
    await reader.start();
  }
  if (log === "node") readline.createInterface({ input: child.stdout! }).on("line", () => { count++; });
  const sock = path.join(dir, "haproxy.sock");
  for (let i = 0; i < 200; i++) {
    if (fs.existsSync(sock) && (await socketCommand(sock, "show info", 1000).catch(() => "")).includes("Pid:")) break;
    await sleep(50);
  }
  return {
    lines: () => count,
    stop: async () => {
      for (const c of children) {
        const exited = new Promise((r) => c.once("exit", r));
        c.kill("SIGKILL");
        await exited;
      }
      await reader?.stop();
    },
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-where-"));
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": 3 });
    res.end("ok\n");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const backendPort = (server.address() as net.AddressInfo).port;
  const results = new Map<string, number[]>();
  const p50s = new Map<string, string[]>();
  try {
    const vs = variants("");
    for (let round = 0; round < ROUNDS; round++) {
      let handRps = NaN;
      for (const v of vs) {
        const port = await freePort();
        const vdir = path.join(dir, `${round}-${vs.indexOf(v)}`);
        const ir: GatewayIr = {
          apiVersion: "ir.agc.dev/v1", gateway: "bench",
          frontends: [{ name: "web", port, address: "127.0.0.1" }],
          routes: [{ name: "all", backends: [{ cluster: "app" }] }],
          clusters: [{ name: "app", endpoints: [{ address: "127.0.0.1", port: backendPort }] }],
        };
        const out = render(ir, { runtimeDir: vdir });
        fs.mkdirSync(path.join(vdir, "maps"), { recursive: true });
        for (const [name, text] of Object.entries(out.maps)) fs.writeFileSync(path.join(vdir, "maps", name), text);
        const hand = ["global", `    stats socket ${vdir}/haproxy.sock mode 600 level admin`,
          "defaults", "    mode http", "    timeout connect 5s", "    timeout client 300s", "    timeout server 60s",
          "frontend fe", `    bind 127.0.0.1:${port}`, "    default_backend be",
          "backend be", `    server s1 127.0.0.1:${backendPort}`, ""].join("\n");
        const cfg = variants(hand).find((x) => x.name === v.name)!.cfg(out.haproxyCfg);
        const hp = await startHaproxy(vdir, cfg, v.log);
        try {
          await sleep(300);
          const r = await wrk(`http://127.0.0.1:${port}/small`);
          if (v.name === "hand-written") handRps = r.rps;
          results.set(v.name, [...(results.get(v.name) ?? []), r.rps / handRps]);
          p50s.set(v.name, [...(p50s.get(v.name) ?? []), r.p50]);
          process.stderr.write(`round ${round + 1} ${v.name}: ${Math.round(r.rps)} req/s, p50 ${r.p50}${v.log === "node" || v.log === "ring" ? `, ${hp.lines()} log lines` : ""}\n`);
        } finally {
          await hp.stop();
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`${new Date().toISOString()}, ${os.cpus().length} CPUs, ${ROUNDS} rounds of ${SECONDS} s, wrk -t2 -c32, 3-byte body\n`);
    console.log("| variant | what | req/s vs hand-written (median) | per round | p50 per round |\n|---|---|---|---|---|");
    for (const v of vs) {
      const r = results.get(v.name)!;
      console.log(`| ${v.name} | ${v.what} | ${median(r).toFixed(2)} | ${r.map((x) => x.toFixed(2)).join(" ")} | ${p50s.get(v.name)!.join(" ")} |`);
    }
  } finally {
    server.closeAllConnections();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
