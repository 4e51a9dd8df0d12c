/**
 * The data plane agent: keeps one HAProxy in line with the IR.
 *
 * - Endpoint and weight changes go through the runtime API into pre-created server slots; if
 *   HAProxy refuses one, the change is made by a reload instead.
 * - Anything else (routes, clusters, frontends, timeouts, certificates, more endpoints than
 *   slots) is a validated, seamless reload, done only once the master runs a new worker.
 *   A refused IR or config leaves the running one serving; a reload that fails is retried.
 * - HAProxy exiting on its own is restarted with the last good configuration, with a growing,
 *   bounded delay between attempts. With `externalHaproxy`, HAProxy is not the agent's child:
 *   `agc dataplane proxy` runs and restarts it, the agent adopts its master (one seamless
 *   reload) and leaves it serving when the agent stops or dies.
 * - Old workers still holding connections are stopped `oldWorkerTimeoutMs` after the reload
 *   that retired them; generation directories no worker uses are removed.
 * - An admin HTTP server answers /readyz, /healthz and /backends (health per endpoint).
 */
import { createHash } from "crypto";
import { EventEmitter } from "events";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import * as YAML from "yaml";
import { backoffDelay, RetryBackoff } from "../kube/backoff";
import { FileCertificate, GatewayIr, parseIr, SecretRef, secretRefKey } from "../model/ir";
import { AccessLogReader } from "./access-log";
import { certificateFiles, missingCertificates, pemBundle, secretFileLookup, secretRefs, uniqueRefs, withoutMissingCertificates } from "./certificates";
import { ClusterHealth, healthView } from "./health";
import { DEFAULT_HAPROXY, ExternalHaproxy, HaproxyMaster, HaproxyProcess, validateConfig, WorkerChange } from "./haproxy";
import { DEFAULT_OLD_WORKER_TIMEOUT_MS, DEFAULT_RETRY_BACKOFF, generationsToRemove, oldWorkersToStop } from "./policy";
import { accessLogSocket, render, RenderedConfig } from "./render";
import { parseShowStat, runSetServerCommands, socketCommand } from "./runtime-api";
import { planSlots, runtimeCommands, SlotLayout } from "./slots";
import { AgentStatus, healthzAnswer, HttpAnswer, Problem, readyzAnswer } from "./status";

export interface AgentOptions {
  /** Where the config, maps, certificates and sockets live. Created if missing. */
  runtimeDir: string;
  haproxyBin?: string;
  /** Admin HTTP port on 127.0.0.1; 0 picks a free one; undefined: no admin server. */
  adminPort?: number;
  /**
   * A port on every address that answers /healthz, /readyz and /backends (read-only), for the
   * kubelet's HTTP probes (an exec probe starts a process each time, which a busy node cannot
   * afford) and for looking at backend health from outside the pod; undefined: none.
   */
  probePort?: number;
  /** Where access log lines go (one JSON object per request). Default: stdout. */
  accessLog?: (line: string) => void;
  /** Other HAProxy output (alerts, warnings). Default: stderr. */
  diagnostics?: (line: string) => void;
  /** Delays between restarts of a crashing HAProxy and between retries of a failed reload. Default {@link DEFAULT_RETRY_BACKOFF}. */
  retryBackoff?: RetryBackoff;
  /** How long a reload may take to produce a new worker. Default 30 s. */
  reloadTimeoutMs?: number;
  /** Old workers are stopped this long after the reload that retired them. Default {@link DEFAULT_OLD_WORKER_TIMEOUT_MS} (1 h). */
  oldWorkerTimeoutMs?: number;
  /** Why a Secret nobody handed in through {@link DataplaneAgent.setCertificate} has no PEM. Default "not read yet". */
  unreadSecretReason?: string;
  /**
   * HAProxy is not ours to start: another process (`agc dataplane proxy`) runs its master on
   * `<runtimeDir>/master.sock` once `haproxy.cfg` is there. The agent adopts it, drives it
   * through that socket only, and leaves it serving when it stops or dies.
   */
  externalHaproxy?: boolean;
}

export type ApplyResult =
  | { kind: "unchanged" | "runtime" | "reload" | "start"; durationMs: number }
  /** The document or the configuration made from it is invalid: not retried. */
  | { kind: "rejected"; errors: string[] }
  /** A valid configuration HAProxy did not take (a port in use, no new worker): retried after `retryInMs`. */
  | { kind: "failed"; errors: string[]; retryInMs: number };

interface Applied {
  /** The document as given, and parsed. */
  document: unknown;
  ir: GatewayIr;
  layout: SlotLayout;
  /** Config with every slot free: equal between two IRs that differ only in endpoints. */
  structural: string;
  missingCertificates: string[];
}

/** What must be equal between two IRs for a change to go through the runtime API. */
function structuralKey(out: RenderedConfig, pems: ReadonlyMap<string, string>): string {
  const certificates = [...pems].sort().map(([ref, pem]) => [ref, createHash("sha256").update(pem).digest("hex")]);
  return JSON.stringify([out.haproxyCfg, out.maps, out.certificates, out.crtLists, certificates]);
}

function withoutRevision(ir: GatewayIr): GatewayIr {
  const { revision: _revision, ...rest } = ir;
  return rest;
}

/**
 * Writes a rendered configuration under `dir` as HAProxy reads it: `maps/`, `certs/` (each
 * certificate's PEM from `pemFor`, mode 0600, and the crt-lists) and `haproxy.cfg`, whose path
 * it returns.
 */
export function writeRendered(out: RenderedConfig, dir: string, pemFor: (files: FileCertificate) => string): string {
  const maps = path.join(dir, "maps");
  const certs = path.join(dir, "certs");
  fs.mkdirSync(maps, { recursive: true });
  fs.mkdirSync(certs, { recursive: true });
  for (const [name, text] of Object.entries(out.maps)) fs.writeFileSync(path.join(maps, name), text);
  for (const [name, files] of Object.entries(out.certificates)) fs.writeFileSync(path.join(certs, name), pemFor(files), { mode: 0o600 });
  for (const [name, text] of Object.entries(out.crtLists)) fs.writeFileSync(path.join(certs, name), text);
  const cfg = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(cfg, out.haproxyCfg);
  return cfg;
}

/**
 * Events: `access` (parsed access log entry), `applied` (ApplyResult), `restarting`
 * ({attempt, delayMs, exit}), `restarted`, `oldWorkerStopped` (pid).
 */
export class DataplaneAgent extends EventEmitter {
  private readonly haproxyBin: string;
  private readonly backoff: RetryBackoff;
  private readonly oldWorkerTimeoutMs: number;
  private readonly proc: HaproxyMaster;
  private readonly accessLog: AccessLogReader;
  private current: Applied | undefined;
  /** The generation HAProxy runs now (its config is what a restart loads). */
  private lastGood: { cfg: string; generation: number } | undefined;
  private generation = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private admin: http.Server | undefined;
  private probes: http.Server | undefined;
  private watcher: fs.FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The newest document given to {@link apply}, and how often applying it failed. */
  private latest: { document: unknown; failures: number } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private refused: Problem | undefined;
  private failing: (Problem & { retryInMs: number }) | undefined;
  /** PEMs of referenced Secrets, and why the others have none. */
  private readonly pems = new Map<string, string>();
  private readonly pemProblems = new Map<string, string>();
  // Restarts after crashes.
  private restarts = 0;
  private upSince: number | undefined;
  private down: { exit: string; attempt: number; at: number } | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  // Old workers: when each was retired, and which generation each worker runs.
  private readonly retiredAt = new Map<number, number>();
  private readonly workerGeneration = new Map<number, number>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: AgentOptions) {
    super();
    this.haproxyBin = opts.haproxyBin ?? DEFAULT_HAPROXY;
    this.backoff = opts.retryBackoff ?? DEFAULT_RETRY_BACKOFF;
    this.oldWorkerTimeoutMs = opts.oldWorkerTimeoutMs ?? DEFAULT_OLD_WORKER_TIMEOUT_MS;
    fs.mkdirSync(path.join(opts.runtimeDir, "gen"), { recursive: true });
    // An earlier agent on this directory may have left generations: carry on after them.
    this.generation = Math.max(0, ...fs.readdirSync(path.join(opts.runtimeDir, "gen")).map(Number).filter(Number.isInteger));
    const masterSocket = path.join(opts.runtimeDir, "master.sock");
    this.proc = opts.externalHaproxy
      ? new ExternalHaproxy({ masterSocket, reloadTimeoutMs: opts.reloadTimeoutMs })
      : new HaproxyProcess({ haproxyBin: this.haproxyBin, cfgPath: this.cfgPath, masterSocket, reloadTimeoutMs: opts.reloadTimeoutMs });
    this.proc.on("line", (line: string) => this.onHaproxyLine(line));
    this.accessLog = new AccessLogReader(accessLogSocket(opts.runtimeDir), (lines) => this.onLogLines(lines));
    this.proc.on("exit", (why: string) => this.onHaproxyExit(why));
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

  /** The HAProxy master's pid. */
  get haproxyPid(): number | undefined {
    return this.proc.pid;
  }

  /** The current HAProxy worker (it changes on every reload, never on runtime updates). */
  workerPid(): Promise<number | undefined> {
    return this.proc.workerPid();
  }

  get appliedIr(): GatewayIr | undefined {
    return this.current?.ir;
  }

  /** The `revision` of the IR HAProxy serves, once one is applied. */
  get servedRevision(): string | undefined {
    return this.current?.ir.revision;
  }

  /** The Secrets the newest document and the served one refer to: those to follow. */
  get wantedSecrets(): SecretRef[] {
    return uniqueRefs([...secretRefs(this.latest?.document), ...secretRefs(this.current?.document)]);
  }

  status(): AgentStatus {
    const haproxy: AgentStatus["haproxy"] = this.proc.running
      ? { running: true }
      : this.down
        ? { running: false, started: true, exit: this.down.exit, attempt: this.down.attempt, nextAttemptInMs: Math.max(0, this.down.at - Date.now()) }
        : { running: false, started: false, ...(this.proc.waitingFor ? { waitingFor: this.proc.waitingFor } : {}) };
    return {
      serving: this.current && { gateway: this.current.ir.gateway, revision: this.current.ir.revision },
      haproxy,
      refused: this.refused,
      failing: this.failing,
      missingCertificates: this.current?.missingCertificates,
    };
  }

  async startAdmin(): Promise<void> {
    if (this.opts.adminPort !== undefined && !this.admin) {
      this.admin = http.createServer((req, res) => void this.serveAdmin(req, res));
      await new Promise<void>((r) => this.admin!.listen(this.opts.adminPort, "127.0.0.1", () => r()));
    }
    if (this.opts.probePort !== undefined && !this.probes) {
      this.probes = http.createServer((req, res) => void this.serveAdmin(req, res));
      await new Promise<void>((r) => this.probes!.listen(this.opts.probePort, () => r()));
    }
  }

  /** Applies IR documents one at a time, in arrival order. A newer document cancels the retry of an older one. */
  apply(document: unknown): Promise<ApplyResult> {
    this.latest = { document, failures: 0 };
    clearTimeout(this.retryTimer);
    return this.enqueue(document);
  }

  /**
   * A referenced Secret's PEM (certificate chain and key), or why there is none. When the
   * served IR refers to it and it changed, the IR is applied again (a reload).
   */
  setCertificate(ref: string, value: { pem: string } | { problem: string }): void {
    const before = this.certificateState(ref);
    if ("pem" in value) {
      this.pems.set(ref, value.pem);
      this.pemProblems.delete(ref);
    } else {
      this.pems.delete(ref);
      this.pemProblems.set(ref, value.problem);
    }
    if (this.certificateState(ref) === before) return;
    // The newest document again, unless it was refused: then the one serving.
    const document = this.refused ? this.current?.document : (this.latest?.document ?? this.current?.document);
    if (document !== undefined && secretRefs(document).some((r) => secretRefKey(r) === ref)) void this.enqueue(document);
  }

  /** A Secret's PEM, or why it has none, as one comparable text. */
  private certificateState(ref: string): string {
    return this.pems.get(ref) ?? `problem: ${this.pemProblems.get(ref)}`;
  }

  private enqueue(document: unknown): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(document)).catch((e): ApplyResult => {
      // HAProxy did not take a configuration it had validated (a port taken, no new worker, ...).
      return this.failure(document, `${(e as Error).message}; the previous configuration keeps serving`);
    });
    this.queue = run.catch(() => undefined);
    return run.then((result) => this.report(result, document));
  }

  /** A failed attempt at the newest document is retried after a growing delay. */
  private failure(document: unknown, error: string): ApplyResult {
    const latest = this.latest?.document === document ? this.latest : undefined;
    const retryInMs = backoffDelay(latest ? ++latest.failures : 1, this.backoff);
    if (latest && !this.stopped) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        if (this.latest?.document === document) void this.enqueue(document);
      }, retryInMs);
    }
    return { kind: "failed", errors: [error], retryInMs };
  }

  /** Records how the newest document fared (re-applying the served one after a certificate change does not count). */
  private report(result: ApplyResult, document: unknown): ApplyResult {
    const latest = this.latest;
    if (latest && document === latest.document) {
      const at = new Date().toISOString();
      this.refused = result.kind === "rejected" ? { errors: result.errors, at } : undefined;
      this.failing = result.kind === "failed" ? { errors: result.errors, at, retryInMs: result.retryInMs } : undefined;
      if (result.kind !== "failed") latest.failures = 0;
    }
    this.emit("applied", result);
    return result;
  }

  /** Renders with each Secret certificate as its PEM file under `<filesDir>/certs`; those without a PEM left out. */
  private renderWith(ir: GatewayIr, filesDir: string, layout: SlotLayout, includeEndpoints = true): RenderedConfig {
    const certificateFiles = secretFileLookup(path.join(filesDir, "certs"));
    // An HAProxy we cannot signal stops its old workers itself.
    const hardStopAfterMs = this.proc.owned ? undefined : this.oldWorkerTimeoutMs;
    return render(withoutMissingCertificates(ir, this.pems), { runtimeDir: this.opts.runtimeDir, filesDir, layout, includeEndpoints, certificateFiles, hardStopAfterMs });
  }

  private async applyNow(document: unknown): Promise<ApplyResult> {
    const started = Date.now();
    const parsed = parseIr(document);
    if (!parsed.ok) return { kind: "rejected", errors: parsed.errors };
    const ir = parsed.ir;
    const layout = planSlots(ir, this.current?.layout);
    const refs = new Set(secretRefs(ir).map(secretRefKey));
    const pems = new Map([...this.pems].filter(([ref]) => refs.has(ref)));
    // The revision is at most a comment in the configuration: a new one alone needs no reload.
    const structural = structuralKey(this.renderWith(withoutRevision(ir), "-", layout, false), pems);
    const missing = missingCertificates(ir, this.pems, this.pemProblems, this.opts.unreadSecretReason);
    const next: Applied = { document, ir, layout, structural, missingCertificates: missing };
    const elapsed = () => Date.now() - started;

    if (this.current && this.proc.running && structural === this.current.structural) {
      const commands = runtimeCommands(this.current, { ir, layout });
      if (commands !== null) {
        const result = await runSetServerCommands(this.statsSocket, commands);
        if (result.ok) {
          this.current = next;
          return { kind: commands.length ? "runtime" : "unchanged", durationMs: elapsed() };
        }
        this.diag(`runtime update '${result.command}' failed (${result.answer}); reloading instead`);
      }
    }

    const written = this.writeGeneration(ir, layout);
    const problem = await validateConfig(this.haproxyBin, written.cfg);
    if (problem) return { kind: "rejected", errors: [`haproxy refused the generated configuration: ${problem}`] };
    const starting = !this.proc.running;
    await this.runGeneration(written, starting ? "start" : "reload");
    this.current = next;
    return { kind: starting ? "start" : "reload", durationMs: elapsed() };
  }

  /** Starts or reloads HAProxy on a written generation; on failure the previous one stays installed. */
  private async runGeneration(written: { cfg: string; generation: number }, how: "start" | "reload"): Promise<void> {
    const previous = this.lastGood;
    this.installConfig(written.cfg);
    let started: WorkerChange;
    try {
      if (how === "start") {
        await this.accessLog.start();
        started = await this.proc.start();
      } else {
        started = await this.proc.reload();
      }
    } catch (e) {
      // The running workers keep the old configuration; so must the next reload or restart.
      if (previous) this.installConfig(previous.cfg);
      throw new Error(`${how} failed: ${(e as Error).message}`);
    }
    this.upSince ??= Date.now();
    this.lastGood = written;
    this.workerGeneration.set(started.workerPid, written.generation);
    for (const pid of started.replaced) this.retiredAt.set(pid, Date.now());
    this.startSweeping();
    void this.sweepOldWorkers(); // not awaited: the caller records what now serves at once
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
    const certs = path.join(dir, "certs");
    fs.mkdirSync(certs, { recursive: true });
    // Each Secret's PEM as its own file; by file, what the renderer names as certificate and key.
    const secretPems = new Map<string, string>();
    for (const [ref, file] of certificateFiles(ir, certs)) {
      const pem = this.pems.get(ref);
      if (pem === undefined) continue;
      fs.writeFileSync(file, pem, { mode: 0o600 });
      secretPems.set(file, pem);
    }
    const cfg = writeRendered(this.renderWith(ir, dir, layout), dir, (tls) =>
      secretPems.get(tls.certificateFile) ?? pemBundle(fs.readFileSync(tls.certificateFile, "utf8"), fs.readFileSync(tls.keyFile, "utf8")));
    return { cfg, generation };
  }

  private startSweeping(): void {
    if (this.sweepTimer || this.stopped) return;
    const every = Math.min(Math.max(this.oldWorkerTimeoutMs / 10, 100), 30_000);
    this.sweepTimer = setInterval(() => void this.sweepOldWorkers(), every);
    this.sweepTimer.unref();
  }

  /**
   * Stops old workers retired more than `oldWorkerTimeoutMs` ago (their connections close),
   * then removes the generation directories no worker runs.
   */
  private async sweepOldWorkers(): Promise<void> {
    const list = await this.proc.processes().catch(() => undefined);
    if (!list) return;
    const now = Date.now();
    for (const w of list.oldWorkers) if (!this.retiredAt.has(w.pid)) this.retiredAt.set(w.pid, now);
    // HAProxy we do not own stops them itself (hard-stop-after): its processes may not even be visible here.
    const stopping = new Set(this.proc.owned ? oldWorkersToStop(list.oldWorkers.map((w) => w.pid), this.retiredAt, now, this.oldWorkerTimeoutMs) : []);
    for (const pid of stopping) {
      try {
        process.kill(pid, "SIGTERM"); // a worker's hard stop: its remaining connections close
        this.diag(`stopped old haproxy worker ${pid}: still holding connections ${Math.round((now - this.retiredAt.get(pid)!) / 1000)} s after its reload`);
        this.emit("oldWorkerStopped", pid);
      } catch {
        // it finished on its own meanwhile
      }
    }
    const alive = [...list.workers, ...list.oldWorkers].map((w) => w.pid).filter((pid) => !stopping.has(pid));
    for (const pid of [...this.retiredAt.keys()]) if (!alive.includes(pid)) this.retiredAt.delete(pid);
    for (const pid of [...this.workerGeneration.keys()]) if (!alive.includes(pid)) this.workerGeneration.delete(pid);
    this.pruneGenerations(new Set(alive.map((pid) => this.workerGeneration.get(pid)).filter((g): g is number => g !== undefined)));
  }

  private pruneGenerations(inUse: ReadonlySet<number>): void {
    if (!this.lastGood) return;
    const root = path.join(this.opts.runtimeDir, "gen");
    const existing = fs.readdirSync(root).map(Number).filter(Number.isInteger);
    // Generations newer than the one running are being validated or loaded right now.
    const settled = existing.filter((g) => g <= this.lastGood!.generation);
    for (const g of generationsToRemove(settled, inUse, this.lastGood.generation)) fs.rmSync(path.join(root, String(g)), { recursive: true, force: true });
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

  /**
   * HAProxy exited on its own: restart it with the last good configuration after a delay that
   * doubles with each attempt (bounded). The count starts over once it stayed up that long.
   * An HAProxy we do not own is restarted by its supervisor: the "restart" then waits for the
   * new master and reloads it with the current configuration (runtime API changes since the
   * last reload are not in the files the new master read).
   */
  private onHaproxyExit(exit: string): void {
    const upFor = this.upSince === undefined ? 0 : Date.now() - this.upSince;
    this.upSince = undefined;
    if (this.stopped || !this.current || !this.lastGood) return;
    if (upFor >= this.backoff.maxMs) this.restarts = 0;
    const attempt = ++this.restarts;
    const delayMs = backoffDelay(attempt, this.backoff);
    this.down = { exit, attempt, at: Date.now() + delayMs };
    this.diag(this.proc.owned
      ? `haproxy exited unexpectedly (${exit}); restart attempt ${attempt} in ${delayMs} ms with the last good configuration`
      : `haproxy went away (${exit}); in ${delayMs} ms, waiting for its master to answer again, then reloading it with the current configuration`);
    this.emit("restarting", { attempt, delayMs, exit });
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      // Restarting rewrites the slots from the IR: runtime changes are part of the last good config.
      const run = this.queue.then(async () => {
        if (this.stopped || this.proc.running) return; // a newer document started it meanwhile
        await this.runGeneration(this.writeGeneration(this.current!.ir, this.current!.layout), "start");
        this.down = undefined;
        this.emit("restarted");
      });
      this.queue = run.catch((e) => this.diag(`restart attempt ${attempt} failed: ${(e as Error).message}`));
    }, delayMs);
  }

  async health(): Promise<Record<string, ClusterHealth>> {
    if (!this.current) return {};
    const csv = await socketCommand(this.statsSocket, "show stat");
    return healthView(this.current.ir, this.current.layout, parseShowStat(csv));
  }

  private async serveAdmin(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = ({ status, body }: HttpAnswer) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    try {
      if (req.url === "/healthz") return send(healthzAnswer(this.status()));
      if (req.url === "/readyz") return send(readyzAnswer(this.status()));
      if (req.url === "/backends") return send({ status: 200, body: await this.health() });
      send({ status: 404, body: { error: "not found; try /readyz, /healthz or /backends" } });
    } catch (e) {
      send({ status: 500, body: { error: (e as Error).message } });
    }
  }

  /** Applies the file now and on every change (debounced: editors write in several steps). */
  async watchFile(file: string, debounceMs = 100): Promise<ApplyResult> {
    const load = () => {
      let doc: unknown;
      try {
        doc = YAML.parse(fs.readFileSync(file, "utf8"));
      } catch (e) {
        this.latest = { document: undefined, failures: 0 }; // the newest document is this unreadable one
        return Promise.resolve(this.report({ kind: "rejected", errors: [`${file}: ${(e as Error).message}`] }, undefined));
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

  /**
   * Stops HAProxy; with `drainMs`, open connections get that long to finish first. An HAProxy
   * we do not own keeps serving the last configuration.
   */
  async stop(drainMs = 0): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    for (const t of [this.debounce, this.retryTimer, this.restartTimer]) clearTimeout(t);
    clearInterval(this.sweepTimer);
    // An HAProxy we do not own is only let go of (which also ends a wait for its master) and
    // keeps serving; ours is stopped once the work in hand is done.
    if (!this.proc.owned) await this.proc.stop();
    await this.queue.catch(() => undefined);
    if (this.proc.owned) await this.proc.stop(drainMs);
    await this.accessLog.stop();
    for (const server of [this.admin, this.probes]) if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
