/**
 * What the data plane benchmarks put traffic through, shared by `run.ts` and `where.ts`:
 * a backend much faster than any proxy in front of it (HAProxy answering every request itself),
 * the hand-written HAProxy configurations we compare ours with, a node reverse proxy as the
 * familiar baseline, and the load generators (wrk, h2load).
 */
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { sleep } from "../test/dataplane/harness";

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
export const CONNECTIONS = 32;
export const BIG_BYTES = 64 * 1024;

/** The middle value; for an even count, the mean of the two middle ones. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: (SECONDS + 60) * 1000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}\n${stderr}`)) : resolve(stdout));
  });
}

export interface LoadResult { rps: number; p50ms: number; p99ms: number; requests: number }

function wrkLatencyMs(text: string, pct: string): number {
  const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
}

export async function wrk(url: string): Promise<LoadResult> {
  const out = await run("wrk", ["-t", "2", "-c", String(CONNECTIONS), "-d", `${SECONDS}s`, "--latency", url]);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (errors) throw new Error(`wrk ${url}: ${errors[1]} answers were not 2xx/3xx\n${out}`);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50ms: wrkLatencyMs(out, "50"), p99ms: wrkLatencyMs(out, "99"),
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
  };
}

/** h2c with prior knowledge; p50/p99 from its per-request log, written into `dir`. */
export async function h2load(url: string, dir: string): Promise<LoadResult> {
  const log = path.join(dir, `h2load-${Date.now()}.log`);
  const out = await run("h2load", ["-c", String(CONNECTIONS), "-m", "10", "-t", "2", "-D", String(SECONDS), "--log-file", log, url]);
  const times = fs.readFileSync(log, "utf8").trim().split("\n").map((l) => Number(l.split("\t")[2]) / 1000).sort((a, b) => a - b);
  fs.rmSync(log);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const failed = Number(/(\d+) failed/.exec(out)?.[1] ?? 0);
  const not2xx = Number(/status codes: \d+ 2xx, \d+ 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out)?.slice(1).reduce((a, b) => a + Number(b), 0) ?? 0);
  if (failed > 0 || not2xx > 0) throw new Error(`h2load ${url}: ${failed} requests failed, ${not2xx} answered 4xx/5xx\n${out}`);
  return {
    rps: Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out)?.[1]), p50ms: at(0.5), p99ms: at(0.99),
    requests: Number(/(\d+) succeeded/.exec(out)?.[1]),
  };
}

/** Linux's clock tick, the unit of utime and stime in /proc/<pid>/stat. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, in seconds) a process and its children have used: an HAProxy master and its workers. */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      // After the command name (which may hold spaces): state, ppid, ... utime is field 14, stime 15.
      const fields = fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ").pop()!.split(" ");
      if (Number(p) === pid || Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process went away
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * Runs `load` and adds the CPU the process `pid` (and its children) spent per request, in
 * microseconds. Unlike requests per second, this barely moves when other work shares the CPUs.
 */
export async function withCpu<T extends LoadResult>(pid: number, load: () => Promise<T>): Promise<T & { cpuUs: number }> {
  const before = treeCpuSeconds(pid);
  const r = await load();
  return { ...r, cpuUs: ((treeCpuSeconds(pid) - before) * 1e6) / r.requests };
}

const TIMEOUTS = ["timeout connect 5s", "timeout client 300s", "timeout server 60s"];

const config = (sections: [string, string[]][]) =>
  sections.map(([head, body]) => [head, ...body.map((l) => `    ${l}`)].join("\n")).join("\n\n") + "\n";

/**
 * The fast backend: HAProxy answers every request itself, without a server behind it. `/big`
 * is 64 KiB (read from `bigFile` at startup), anything else "ok\n". HTTP/1.1 and h2c.
 */
export function fastBackendConfig(port: number, bigFile: string): string {
  return config([
    // The 64 KiB answer must fit one buffer, with its headers.
    ["global", [`tune.bufsize ${BIG_BYTES + 16 * 1024}`]],
    ["defaults", ["mode http", ...TIMEOUTS]],
    ["frontend answer", [
      `bind 127.0.0.1:${port}`,
      `http-request return status 200 content-type text/plain file ${bigFile} if { path /big }`,
      'http-request return status 200 content-type text/plain string "ok\\n"',
    ]],
  ]);
}

/** The smallest configuration that proxies: one frontend, one server, nothing else. */
export function minimalConfig(port: number, backendPort: number, extraGlobal: string[] = []): string {
  return config([
    ["global", extraGlobal],
    ["defaults", ["mode http", ...TIMEOUTS]],
    ["frontend fe", [`bind 127.0.0.1:${port}`, "default_backend be"]],
    ["backend be", [`server s1 127.0.0.1:${backendPort}`]],
  ]);
}

/**
 * What one would write by hand for the features the generated configuration has: the JSON
 * access log shipped through a ring to a unix socket (read by the same reader the agent
 * uses), X-Forwarded-For/-Proto, a generated X-Request-Id, routing by host through a map, and
 * health checks. Not in it (the generated one has them): path normalization, the cap on
 * X-Forwarded-For lines, the 404/500/503 answers, per-route timeouts and the spare server slots.
 */
export function sameFeaturesConfig(port: number, backendPort: number, dir: string): string {
  const hostMap = path.join(dir, "hosts.map");
  fs.writeFileSync(hostMap, "app.example be_app\n");
  const logFormat = '{"type":"access","time":"%tr","requestId":"%ID","client":"%ci","frontend":"%f","backend":"%b",' +
    '"server":"%s","method":"%HM","uri":"%{+E}HU","version":"%HV","status":%ST,"bytes":%B,"durationMs":%Ta,"termination":"%tsc"}';
  return config([
    ["global", ["log ring@access format raw local0"]],
    ["ring access", ["format raw", "size 1048576", "timeout connect 1s", "timeout server 5m",
      `server reader unix@${path.join(dir, "access.sock")} log-proto octet-count`]],
    ["defaults", ["mode http", "log global", "option dontlognull", `log-format '${logFormat}'`,
      "unique-id-format %[uuid()]", "unique-id-header X-Request-Id", "option forwardfor", ...TIMEOUTS]],
    ["frontend fe", [
      `bind 127.0.0.1:${port}`,
      "http-request set-header X-Forwarded-Proto https if { ssl_fc }",
      "http-request set-header X-Forwarded-Proto http unless { ssl_fc }",
      // Every other host (the benchmark's 127.0.0.1:<port> among them) goes to the default.
      `use_backend %[req.hdr(host),field(1,:),lower,map_str(${hostMap},be_app)]`,
    ]],
    ["backend be_app", ["option httpchk GET /", "http-check expect status 200", `server s1 127.0.0.1:${backendPort} check inter 5s`]],
  ]);
}

/** Resolves once something accepts connections on the port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => { s.destroy(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

export interface Process { child: ChildProcess; stop: () => Promise<void> }

/**
 * Starts `cmd` and waits for `port`; `stop` kills that process (and only it). Its stderr
 * (startup notices) is shown only when it exits before listening.
 */
export async function startProcess(cmd: string, args: string[], port: number): Promise<Process> {
  const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  await Promise.race([waitForPort(port), exited.then(() => { throw new Error(`${cmd} ${args.join(" ")} exited:\n${stderr}`); })]);
  return { child, stop: async () => { if (child.exitCode === null) { child.kill("SIGKILL"); await exited; } } };
}

/** HAProxy with `cfg`, written into `dir`, listening on `port`. */
export function startHaproxy(dir: string, name: string, cfg: string, port: number): Promise<Process> {
  const file = path.join(dir, `${name}.cfg`);
  fs.writeFileSync(file, cfg);
  return startProcess("/usr/sbin/haproxy", ["-f", file], port);
}

/** The fast backend, in `dir`, with its 64 KiB file. */
export function startFastBackend(dir: string, port: number): Promise<Process> {
  const big = path.join(dir, "big.txt");
  fs.writeFileSync(big, Buffer.alloc(BIG_BYTES, "x"));
  return startHaproxy(dir, "fast-backend", fastBackendConfig(port, big), port);
}

/**
 * A node reverse proxy, in a process of its own: each request piped to the backend through
 * an `http.Agent` that keeps connections alive. HTTP/1.1 only.
 */
export function serveNodeProxy(port: number, backendPort: number): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  http.createServer((req, res) => {
    const { connection: _hopByHop, ...headers } = req.headers;
    const upstream = http.request({ host: "127.0.0.1", port: backendPort, method: req.method, path: req.url, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  }).listen(port, "127.0.0.1");
}

export function startNodeProxy(port: number, backendPort: number): Promise<Process> {
  return startProcess(process.execPath, ["-e", `require(${JSON.stringify(__filename)}).serveNodeProxy(${port}, ${backendPort})`], port);
}
