/**
 * Real processes for data plane tests: HAProxy driven by the agent, node backends, clients.
 * Everything listens on 127.0.0.1 and is stopped by {@link Harness.close}.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as http2 from "http2";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import WebSocket, { WebSocketServer } from "ws";
import { AgentOptions, DataplaneAgent } from "../../dataplane/agent";
import { Cluster as BackendCluster, GatewayIr } from "../../model/ir";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

export interface EchoReply {
  backend: string;
  method: string;
  url: string;
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
  /** Header lines as received, name and value alternating, in order. */
  rawHeaders: string[];
}

/**
 * An HTTP/1.1 backend that answers with what it received (as JSON), plus:
 * `/slow?ms=N` answers after N ms; `/health...` answers `healthStatus`; WebSocket echo on any path.
 */
export class Backend {
  server!: http.Server;
  wss!: WebSocketServer;
  port = 0;
  healthStatus = 200;
  /** Requests received, health probes excluded. */
  hits = 0;
  probes: { url: string; host: string | undefined }[] = [];
  /** Close codes and reasons of WebSockets the client closed. */
  closes: { code: number; reason: string }[] = [];
  private sockets = new Set<net.Socket>();

  constructor(readonly name: string) {}

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const url = req.url ?? "/";
      // The default probe is GET / with Host localhost; test clients always send 127.0.0.1:<port>.
      if (url.startsWith("/health") || (url === "/" && req.headers.host === "localhost")) {
        this.probes.push({ url, host: req.headers.host });
        res.writeHead(this.healthStatus, { "content-type": "text/plain" });
        res.end("health\n");
        return;
      }
      this.hits++;
      const reply: EchoReply = { backend: this.name, method: req.method ?? "", url, httpVersion: req.httpVersion, headers: req.headers, rawHeaders: req.rawHeaders };
      const delay = Number(new URL(url, "http://x").searchParams.get("ms") ?? 0);
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(reply));
      };
      req.resume();
      req.on("end", () => (url.includes("/slow") ? setTimeout(answer, delay) : answer()));
    });
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.wss = new WebSocketServer({ server: this.server, maxPayload: 16 * 1024 * 1024 });
    this.wss.on("connection", (ws, req) => {
      ws.on("close", (code, reason) => this.closes.push({ code, reason: reason.toString() }));
      ws.on("message", (data, isBinary) => {
        const text = isBinary ? "" : data.toString();
        if (text.startsWith("close:")) {
          const [, code, reason] = text.split(":");
          ws.close(Number(code), reason);
          return;
        }
        if (text === "whoami") return ws.send(`${this.name} ${req.url}`);
        ws.send(data, { binary: isBinary });
      });
    });
    await new Promise<void>((r) => this.server.listen(port, "127.0.0.1", () => r()));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.wss.close(() => r()));
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export function openWebSocket(port: number, urlPath = "/ws"): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${urlPath}`, { maxPayload: 16 * 1024 * 1024 });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

export function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    ws.once("message", (data, isBinary) => resolve({ data: data as Buffer, isBinary }));
    ws.once("close", () => reject(new Error("closed before a message")));
  });
}

export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function httpGet(port: number, urlPath: string, headers: Record<string, string> = {}, opts: { agent?: http.Agent; method?: string } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: urlPath, headers, method: opts.method ?? "GET", agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error("client timeout")));
    req.on("error", reject);
    req.end();
  });
}

/**
 * Sends `request` as written (no client library rewrites it: repeated header lines and raw
 * paths go out as they are) and reads the answer until the server closes.
 */
export function rawRequest(port: number, request: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, "127.0.0.1", () => socket.end(request));
    socket.setTimeout(30_000, () => socket.destroy(new Error("raw request timed out")));
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString();
      const [head, ...rest] = text.split("\r\n\r\n");
      const [statusLine, ...headerLines] = head.split("\r\n");
      const headers: http.IncomingHttpHeaders = {};
      for (const line of headerLines) {
        const i = line.indexOf(":");
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const body = rest.join("\r\n\r\n");
      resolve({ status: Number(statusLine.split(" ")[1] ?? 0), headers, body: headers["transfer-encoding"] === "chunked" ? dechunk(body) : body });
    });
  });
}

function dechunk(body: string): string {
  let out = "";
  let rest = body;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** A GET with `Connection: close`, written as given: `target` is sent without any normalization. */
export function rawGet(port: number, target: string, headerLines: string[] = []): Promise<HttpReply> {
  return rawRequest(port, [`GET ${target} HTTP/1.1`, "Host: test", ...headerLines, "Connection: close", "", ""].join("\r\n"));
}

/** Which echo backend answered a GET through the proxy, or "status N" when none did. */
export async function backendAnswering(port: number, urlPath = "/", headers: Record<string, string> = {}): Promise<string> {
  const r = await httpGet(port, urlPath, headers);
  return r.status === 200 ? (JSON.parse(r.body) as EchoReply).backend : `status ${r.status}`;
}

/** A GET of one of the agent's admin endpoints (/readyz, /healthz, /backends), its JSON body parsed. */
export async function adminGet(adminPort: number, urlPath: string): Promise<{ status: number; body: any }> {
  const r = await httpGet(adminPort, urlPath);
  return { status: r.status, body: JSON.parse(r.body) };
}

export function h2Get(session: http2.ClientHttp2Session, urlPath: string, headers: Record<string, string> = {}): Promise<HttpReply & { h2headers: http2.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":path": urlPath, ...headers });
    const chunks: Buffer[] = [];
    let h2headers: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => { h2headers = h; });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve({ status: Number(h2headers[":status"]), headers: h2headers as http.IncomingHttpHeaders, h2headers, body: Buffer.concat(chunks).toString() }));
    stream.on("error", reject);
    stream.end();
  });
}

/**
 * A self-signed certificate, made now by openssl, in `dir` as `tls.crt` and `tls.key`:
 * for 127.0.0.1 / localhost unless another name is given.
 */
export function makeCertificate(dir: string, name = "localhost"): { certFile: string; keyFile: string } {
  fs.mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, "tls.crt");
  const keyFile = path.join(dir, "tls.key");
  const san = name === "localhost" ? "DNS:localhost,IP:127.0.0.1" : `DNS:${name}`;
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${name}`,
    "-addext", `subjectAltName=${san}`, "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" });
  return { certFile, keyFile };
}

/** The certificate a TLS port presents for `servername` (none: no SNI sent). */
export function presentedCertificate(port: number, servername?: string): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false }, () => {
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve(certificate);
    });
    socket.on("error", reject);
  });
}

/** The SHA-256 fingerprint of the certificate a TLS port presents for `servername`. */
export async function presentedFingerprint(port: number, servername?: string): Promise<string> {
  return (await presentedCertificate(port, servername)).fingerprint256;
}

export function cluster(name: string, backends: Backend[], extra: Partial<BackendCluster> = {}): BackendCluster {
  return { name, endpoints: backends.map((b) => ({ address: "127.0.0.1", port: b.port })), ...extra };
}

/** A gateway with one cleartext frontend routing everything to `clusters[0]`, unless routes are given. */
export function gatewayIr(port: number, clusters: BackendCluster[], extra: Partial<GatewayIr> = {}): GatewayIr {
  return {
    apiVersion: "ir.agc.dev/v1",
    gateway: "test",
    frontends: [{ name: "web", port, address: "127.0.0.1" }],
    routes: [{ name: "all", backends: [{ cluster: clusters[0].name }] }],
    clusters,
    ...extra,
  };
}

/** Owns the temp dir, the agent and the backends of one test file. */
export class Harness {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-dp-"));
  readonly backends: Backend[] = [];
  readonly accessLog: string[] = [];
  readonly diagnostics: string[] = [];
  agent: DataplaneAgent | undefined;

  async backend(name: string): Promise<Backend> {
    const b = await new Backend(name).start();
    this.backends.push(b);
    return b;
  }

  /** Starts the agent on `ir`; `certificates` are Secrets' PEMs (by `namespace/name`) it knows first. */
  async startAgent(ir: GatewayIr, adminPort?: number, options: Partial<AgentOptions> = {}, certificates: Record<string, string> = {}): Promise<DataplaneAgent> {
    this.agent = new DataplaneAgent({
      runtimeDir: path.join(this.dir, "run"),
      adminPort,
      accessLog: (l) => this.accessLog.push(l),
      diagnostics: (l) => this.diagnostics.push(l),
      ...options,
    });
    for (const [ref, pem] of Object.entries(certificates)) this.agent.setCertificate(ref, { pem });
    await this.agent.startAdmin();
    const r = await this.agent.apply(ir);
    if (r.kind !== "start") throw new Error(`agent did not start: ${JSON.stringify(r)}\n${this.diagnostics.join("\n")}`);
    return this.agent;
  }

  async close(): Promise<void> {
    await this.agent?.stop().catch(() => undefined);
    await Promise.all(this.backends.map((b) => b.close().catch(() => undefined)));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const REPO_ROOT = path.resolve(__dirname, "..", "..");

// Runs `agc` from the TypeScript sources (transpiled as they load), so a test exercises the
// code in the tree rather than whatever dist/ holds.
const RUN_AGC_FROM_SOURCES = `
const fs = require("fs");
const ts = require("typescript");
require.extensions[".ts"] = (m, file) => m._compile(ts.transpileModule(fs.readFileSync(file, "utf8"), {
  fileName: file,
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
}).outputText, file);
require(${JSON.stringify(path.join(REPO_ROOT, "cli", "index.ts"))}).main(process.argv.slice(1)).then(
  (code) => process.exit(code),
  (err) => { console.error("agc: " + (err && err.message ? err.message : err)); process.exit(1); },
);`;

/**
 * `agc ARGS...` as a child process in its own process group (so HAProxy, its grandchild, goes
 * down with it), with its stdout and stderr kept as lines.
 */
export class AgcProcess {
  readonly child: ChildProcess;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, ["-e", RUN_AGC_FROM_SOURCES, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const collect = (stream: NodeJS.ReadableStream, into: string[]) => {
      let buffered = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        into.push(...lines);
      });
      stream.on("end", () => buffered && into.push(buffered));
    };
    collect(this.child.stdout!, this.stdout);
    collect(this.child.stderr!, this.stderr);
    this.exited = new Promise((r) => this.child.once("exit", (code) => { this.exitCode = code; r(); }));
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The stderr lines from index `from` on that match `re`, once there is one (bounded). */
  waitForStderr(re: RegExp, from = 0, timeoutMs = 20_000): Promise<string[]> {
    return eventually(`agc to print ${re} on stderr (it printed:\n${this.stderr.slice(from).join("\n")})`, () => {
      const found = this.stderr.slice(from).filter((l) => re.test(l));
      if (found.length) return found;
      if (!this.running) throw new Error(`agc exited with ${this.exitCode}`);
      return undefined;
    }, timeoutMs);
  }

  /** SIGTERM, then after `graceMs` SIGKILL to the whole process group. */
  async stop(graceMs = 10_000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (this.running) this.child.kill("SIGTERM");
    const timer = new Promise<"late">((r) => setTimeout(() => r("late"), graceMs).unref());
    await Promise.race([this.exited, timer]);
    try {
      process.kill(-pid, "SIGKILL"); // HAProxy left behind by an agent that did not finish stopping
    } catch {
      // the group is gone already
    }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2_000).unref())]);
  }
}
