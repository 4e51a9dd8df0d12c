/**
 * The data plane agent: keeps one HAProxy in line with the IR.
 *
 * - Endpoint and weight changes go through the runtime API into pre-created server slots.
 * - Anything else (routes, clusters, frontends, timeouts, more endpoints than slots) is a
 *   validated, seamless reload. A refused IR or config leaves the running one serving.
 * - HAProxy exiting on its own is restarted with the last good configuration.
 * - An admin HTTP server answers /readyz, /healthz and /backends (health per endpoint).
 */
import { EventEmitter } from "events";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import * as YAML from "yaml";
import { GatewayIr, parseIr } from "../model/ir";
import { AccessLogReader } from "./access-log";
import { ClusterHealth, healthView } from "./health";
import { DEFAULT_HAPROXY, HaproxyProcess, validateConfig } from "./haproxy";
import { accessLogSocket, render, RenderedConfig } from "./render";
import { parseShowStat, runSetServerCommands, socketCommand } from "./runtime-api";
import { planSlots, runtimeCommands, SlotLayout } from "./slots";

export interface AgentOptions {
  /** Where the config, maps, certificates and sockets live. Created if missing. */
  runtimeDir: string;
  haproxyBin?: string;
  /** Admin HTTP port on 127.0.0.1; 0 picks a free one; undefined: no admin server. */
  adminPort?: number;
  /** Where access log lines go (one JSON object per request). Default: stdout. */
  accessLog?: (line: string) => void;
  /** Other HAProxy output (alerts, warnings). Default: stderr. */
  diagnostics?: (line: string) => void;
}

export type ApplyResult =
  | { kind: "unchanged" | "runtime" | "reload" | "start"; durationMs: number }
  | { kind: "rejected"; errors: string[] };

interface Applied {
  ir: GatewayIr;
  layout: SlotLayout;
  /** Config with every slot free: equal between two IRs that differ only in endpoints. */
  structural: string;
}

/** What must be equal between two IRs for a change to go through the runtime API. */
function structuralKey(out: RenderedConfig): string {
  return JSON.stringify([out.haproxyCfg, out.maps, out.certificates, out.crtLists]);
}

/** Events: `access` (parsed access log entry), `applied` (ApplyResult), `restarted`. */
export class DataplaneAgent extends EventEmitter {
  private readonly haproxyBin: string;
  private readonly proc: HaproxyProcess;
  private readonly accessLog: AccessLogReader;
  private current: Applied | undefined;
  /** The generation file of the configuration HAProxy runs now. */
  private lastGoodCfg: string | undefined;
  private generation = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private admin: http.Server | undefined;
  private watcher: fs.FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private stopped = false;
  private restarts = 0;
  /** Why the latest document was refused, until one is accepted again. */
  private refusal: { errors: string[]; at: string } | undefined;

  constructor(private readonly opts: AgentOptions) {
    super();
    this.haproxyBin = opts.haproxyBin ?? DEFAULT_HAPROXY;
    fs.mkdirSync(path.join(opts.runtimeDir, "gen"), { recursive: true });
    this.proc = new HaproxyProcess({
      haproxyBin: this.haproxyBin,
      cfgPath: this.cfgPath,
      statsSocket: this.statsSocket,
      masterSocket: path.join(opts.runtimeDir, "master.sock"),
    });
    this.proc.on("line", (line: string) => this.onHaproxyLine(line));
    this.accessLog = new AccessLogReader(accessLogSocket(opts.runtimeDir), (lines) => this.onLogLines(lines));
    this.proc.on("exit", (code: number | null, signal: string | null) => void this.onHaproxyExit(code, signal));
  }

  get cfgPath(): string {
    return path.join(this.opts.runtimeDir, "haproxy.cfg");
  }

  get statsSocket(): string {
    return path.join(this.opts.runtimeDir, "haproxy.sock");
  }

  get adminAddress(): { port: number } | undefined {
    const a = this.admin?.address();
    return a && typeof a === "object" ? { port: a.port } : undefined;
  }

  /** Ready once HAProxy runs a configuration. */
  get ready(): boolean {
    return this.current !== undefined && this.proc.running;
  }

  get haproxyPid(): number | undefined {
    return this.proc.pid;
  }

  /** The current HAProxy worker (it changes on every reload, never on runtime updates). */
  workerPid(): Promise<number | undefined> {
    return this.proc.workerPid();
  }

  /** The errors of the latest document, when it was refused (cleared by the next accepted one). */
  get lastRefusal(): { errors: string[]; at: string } | undefined {
    return this.refusal;
  }

  get appliedIr(): GatewayIr | undefined {
    return this.current?.ir;
  }

  async startAdmin(): Promise<void> {
    if (this.opts.adminPort === undefined || this.admin) return;
    this.admin = http.createServer((req, res) => void this.serveAdmin(req, res));
    await new Promise<void>((r) => this.admin!.listen(this.opts.adminPort, "127.0.0.1", () => r()));
  }

  /** Applies IR documents one at a time, in arrival order. */
  apply(document: unknown): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(document)).catch((e): ApplyResult => {
      // HAProxy failed to start or reload a configuration it had validated (a port taken, ...).
      return { kind: "rejected", errors: [`applying failed: ${(e as Error).message}`] };
    });
    this.queue = run.catch(() => undefined);
    return run.then((result) => this.report(result));
  }

  private report(result: ApplyResult): ApplyResult {
    this.refusal = result.kind === "rejected" ? { errors: result.errors, at: new Date().toISOString() } : undefined;
    this.emit("applied", result);
    return result;
  }

  private async applyNow(document: unknown): Promise<ApplyResult> {
    const started = Date.now();
    const parsed = parseIr(document);
    if (!parsed.ok) return { kind: "rejected", errors: parsed.errors };
    const ir = parsed.ir;
    const layout = planSlots(ir, this.current?.layout);
    // The revision is only a comment in the configuration: a new one alone needs no reload.
    const structural = structuralKey(render({ ...ir, revision: undefined }, { runtimeDir: this.opts.runtimeDir, filesDir: "-", layout, includeEndpoints: false }));
    const elapsed = () => Date.now() - started;

    if (this.current && this.proc.running && structural === this.current.structural) {
      const commands = runtimeCommands(this.current, { ir, layout });
      if (commands !== null) {
        const result = await runSetServerCommands(this.statsSocket, commands);
        if (result.ok) {
          this.current = { ir, layout, structural };
          return { kind: commands.length ? "runtime" : "unchanged", durationMs: elapsed() };
        }
        this.diag(`runtime update '${result.command}' failed (${result.answer}); reloading instead`);
      }
    }

    const written = this.writeGeneration(ir, layout);
    const problem = await validateConfig(this.haproxyBin, written.cfg);
    if (problem) return { kind: "rejected", errors: [`haproxy refused the generated configuration: ${problem}`] };
    const starting = !this.proc.running;
    const lastGood = this.lastGoodCfg;
    this.installConfig(written.cfg);
    try {
      if (starting) {
        await this.accessLog.start();
        await this.proc.start();
      } else {
        await this.proc.reload();
      }
    } catch (e) {
      // The running workers keep the old configuration; so must the next reload or restart.
      if (lastGood) this.installConfig(lastGood);
      throw e;
    }
    this.lastGoodCfg = written.cfg;
    this.current = { ir, layout, structural };
    this.pruneGenerations(written.generation);
    return { kind: starting ? "start" : "reload", durationMs: elapsed() };
  }

  /** Atomically replaces the configuration the master (re)loads. */
  private installConfig(cfg: string): void {
    fs.copyFileSync(cfg, `${this.cfgPath}.tmp`);
    fs.renameSync(`${this.cfgPath}.tmp`, this.cfgPath);
  }

  /** Each reload gets its own directory, so validating never touches the files in use. */
  private writeGeneration(ir: GatewayIr, layout: SlotLayout): { cfg: string; generation: number } {
    const generation = ++this.generation;
    const dir = path.join(this.opts.runtimeDir, "gen", String(generation));
    fs.mkdirSync(path.join(dir, "maps"), { recursive: true });
    fs.mkdirSync(path.join(dir, "certs"), { recursive: true });
    const out: RenderedConfig = render(ir, { runtimeDir: this.opts.runtimeDir, filesDir: dir, layout });
    for (const [name, text] of Object.entries(out.maps)) fs.writeFileSync(path.join(dir, "maps", name), text);
    for (const [name, files] of Object.entries(out.certificates)) {
      const cert = fs.readFileSync(files.certificateFile, "utf8");
      const key = fs.readFileSync(files.keyFile, "utf8");
      fs.writeFileSync(path.join(dir, "certs", name), `${cert.trimEnd()}\n${key.trimEnd()}\n`, { mode: 0o600 });
    }
    for (const [name, text] of Object.entries(out.crtLists)) fs.writeFileSync(path.join(dir, "certs", name), text);
    const cfg = path.join(dir, "haproxy.cfg");
    fs.writeFileSync(cfg, out.haproxyCfg);
    return { cfg, generation };
  }

  /** Old workers may still read their maps while draining; keep a few generations. */
  private pruneGenerations(current: number): void {
    const root = path.join(this.opts.runtimeDir, "gen");
    for (const name of fs.readdirSync(root)) {
      const n = Number(name);
      if (Number.isInteger(n) && n < current - 3) fs.rmSync(path.join(root, name), { recursive: true, force: true });
    }
  }

  /** HAProxy's own stdout and stderr: alerts and notices. */
  private onHaproxyLine(line: string): void {
    this.onLogLines([line]);
  }

  /** Lines from the access log ring: access lines, and HAProxy's runtime events. */
  private onLogLines(lines: string[]): void {
    const access = lines.filter((l) => l.startsWith('{"type":"access"'));
    if (access.length < lines.length) for (const l of lines) if (!l.startsWith('{"type":"access"')) this.diag(l);
    if (access.length === 0) return;
    if (this.opts.accessLog) for (const l of access) this.opts.accessLog(l);
    else process.stdout.write(`${access.join("\n")}\n`);
    if (this.listenerCount("access") === 0) return; // parsing every line costs at high rates
    for (const l of access) {
      try {
        this.emit("access", JSON.parse(l));
      } catch {
        // a URI HAProxy could not escape: the raw line was still written
      }
    }
  }

  private diag(line: string): void {
    (this.opts.diagnostics ?? ((l) => process.stderr.write(`${l}\n`)))(line);
  }

  private async onHaproxyExit(code: number | null, signal: string | null): Promise<void> {
    if (this.stopped || !this.current) return;
    this.diag(`haproxy exited unexpectedly (code ${code}, signal ${signal}); restarting with the last good configuration`);
    // Back off when it keeps dying, so a broken host does not spin.
    const delay = Math.min(200 * 2 ** Math.min(this.restarts++, 5), 5000);
    await new Promise((r) => setTimeout(r, delay));
    if (this.stopped) return;
    // Restarting rewrites the slots from the IR: runtime changes are part of the last good config.
    const run = this.queue.then(async () => {
      const written = this.writeGeneration(this.current!.ir, this.current!.layout);
      this.installConfig(written.cfg);
      await this.proc.start();
      this.lastGoodCfg = written.cfg;
      this.pruneGenerations(written.generation);
      this.restarts = 0;
      this.emit("restarted");
    });
    this.queue = run.catch((e) => this.diag(`restart failed: ${(e as Error).message}`));
  }

  async health(): Promise<Record<string, ClusterHealth>> {
    if (!this.current) return {};
    const csv = await socketCommand(this.statsSocket, "show stat");
    return healthView(this.current.ir, this.current.layout, parseShowStat(csv));
  }

  private async serveAdmin(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    try {
      if (req.url === "/healthz") return send(200, { ok: true });
      // A refused document does not make the agent unready: the last good configuration serves.
      if (req.url === "/readyz") return send(this.ready ? 200 : 503, { ready: this.ready, gateway: this.current?.ir.gateway, refused: this.refusal });
      if (req.url === "/backends") return send(200, await this.health());
      send(404, { error: "not found; try /readyz, /healthz or /backends" });
    } catch (e) {
      send(500, { error: (e as Error).message });
    }
  }

  /** Applies the file now and on every change (debounced: editors write in several steps). */
  async watchFile(file: string, debounceMs = 100): Promise<ApplyResult> {
    const load = () => {
      let doc: unknown;
      try {
        doc = YAML.parse(fs.readFileSync(file, "utf8"));
      } catch (e) {
        return Promise.resolve(this.report({ kind: "rejected", errors: [`${file}: ${(e as Error).message}`] }));
      }
      return this.apply(doc);
    };
    // Watch the directory: an atomic rename replaces the file's inode.
    this.watcher = fs.watch(path.dirname(file), (_event, name) => {
      if (name !== null && name !== path.basename(file)) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void load(), debounceMs);
    });
    return load();
  }

  /** Stops HAProxy; with `drainMs`, open connections get that long to finish first. */
  async stop(drainMs = 0): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    clearTimeout(this.debounce);
    await this.queue.catch(() => undefined);
    await this.proc.stop(drainMs);
    await this.accessLog.stop();
    if (this.admin) await new Promise<void>((r) => this.admin!.close(() => r()));
  }
}
