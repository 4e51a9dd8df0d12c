/**
 * One HAProxy in master-worker mode: start, validate, seamless reload, stop. Either our child
 * process ({@link HaproxyProcess}) or a master another process runs and we reach through its
 * master socket ({@link ExternalHaproxy}). The master re-reads the same configuration path on
 * every reload.
 *
 * What runs is read from the master CLI (`show proc`), never inferred from the stats socket:
 * a reload counts as done only when the master lists a worker that was not there before.
 */
import { ChildProcess, execFile, spawn } from "child_process";
import { EventEmitter } from "events";
import * as readline from "readline";
import { socketCommand } from "./runtime-api";

export const DEFAULT_HAPROXY = "/usr/sbin/haproxy";

/** How long a reload may take before it counts as failed (the master re-executes itself). */
export const DEFAULT_RELOAD_TIMEOUT_MS = 30_000;

/** How long one master CLI command may take to answer. */
const MASTER_COMMAND_TIMEOUT_MS = 2000;

/** `haproxy -c`: null when valid, else HAProxy's complaint. */
export function validateConfig(haproxyBin: string, cfgPath: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(haproxyBin, ["-c", "-f", cfgPath], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve(err ? `${stdout}${stderr}`.trim() || err.message : null);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface WorkerProcess {
  pid: number;
  /** Reloads since this worker started. */
  reloads: number;
  uptimeSeconds: number;
}

/** The master CLI's `show proc`: the master's reload counters and its workers. */
export interface ProcList {
  masterPid: number;
  reloads: number;
  failedReloads: number;
  /** Workers serving new connections (more than one only with `nbproc`-like setups). */
  workers: WorkerProcess[];
  /** Workers left from earlier reloads, finishing their connections. */
  oldWorkers: WorkerProcess[];
}

/** `0d01h02m03s` into seconds. */
function parseUptime(text: string): number {
  const m = /^(\d+)d(\d+)h(\d+)m(\d+)s$/.exec(text);
  return m ? ((Number(m[1]) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60 + Number(m[4]) : 0;
}

/** Parses `show proc` (HAProxy 2.6 layout); undefined when the text is not that table. */
export function parseShowProc(text: string): ProcList | undefined {
  let section: "master" | "workers" | "old" | "other" = "master";
  let master: { pid: number; reloads: number; failed: number } | undefined;
  const workers: WorkerProcess[] = [];
  const oldWorkers: WorkerProcess[] = [];
  for (const line of text.split("\n")) {
    const heading = /^# (.*)$/.exec(line.trim());
    if (heading) {
      section = heading[1] === "workers" ? "workers" : heading[1] === "old workers" ? "old" : "other";
      continue;
    }
    if (line.startsWith("#")) continue;
    const masterRow = /^(\d+)\s+master\s+(\d+) \[failed: (\d+)\]/.exec(line);
    if (masterRow && section === "master") {
      master = { pid: Number(masterRow[1]), reloads: Number(masterRow[2]), failed: Number(masterRow[3]) };
      continue;
    }
    const workerRow = /^(\d+)\s+worker\s+(\d+)\s+(\S+)/.exec(line);
    if (!workerRow) continue;
    const worker = { pid: Number(workerRow[1]), reloads: Number(workerRow[2]), uptimeSeconds: parseUptime(workerRow[3]) };
    if (section === "workers") workers.push(worker);
    else if (section === "old") oldWorkers.push(worker);
  }
  if (!master) return undefined;
  return { masterPid: master.pid, reloads: master.reloads, failedReloads: master.failed, workers, oldWorkers };
}

export type ReloadProgress = { state: "pending" } | { state: "failed" } | { state: "done"; workerPid: number };

/**
 * Where a reload stands, from `show proc` before and after it was asked for: done when the
 * master counted a reload and lists a worker it did not list before; failed when it counted a
 * failed one; pending otherwise (the master may still be re-executing).
 */
export function reloadProgress(before: ProcList, now: ProcList): ReloadProgress {
  if (now.failedReloads > before.failedReloads) return { state: "failed" };
  const known = new Set([...before.workers, ...before.oldWorkers].map((w) => w.pid));
  const fresh = now.workers.find((w) => !known.has(w.pid));
  if (now.reloads > before.reloads && fresh) return { state: "done", workerPid: fresh.pid };
  return { state: "pending" };
}

const live = new Set<ChildProcess>();
// A test or agent that dies must not leave HAProxy listening behind it.
process.on("exit", () => { for (const p of live) p.kill("SIGKILL"); });

/** What starting or reloading produced: the worker now serving and those it replaced. */
export interface WorkerChange {
  workerPid: number;
  replaced: number[];
}

/**
 * One HAProxy master, whoever started it. Events: `line` (HAProxy's output, when it is ours,
 * and notices), `exit` (why, as text; only when it went away without {@link stop}).
 */
export interface HaproxyMaster extends EventEmitter {
  /** Whether stopping the agent stops HAProxy (false: HAProxy outlives the agent). */
  readonly owned: boolean;
  /** What {@link start} is waiting for, while it waits for something outside our control. */
  readonly waitingFor: string | undefined;
  readonly running: boolean;
  /** The master's pid. */
  readonly pid: number | undefined;
  /** Resolves once a worker serves the configuration installed at the master's path. */
  start(): Promise<WorkerChange>;
  processes(): Promise<ProcList>;
  workerPid(): Promise<number | undefined>;
  reload(): Promise<WorkerChange>;
  stop(drainMs?: number): Promise<void>;
}

/** The master CLI (`-S <socket>`): `show proc`, commands to workers, reload confirmation. */
abstract class MasterCli extends EventEmitter {
  constructor(protected readonly masterSocket: string, private readonly reloadTimeoutMs = DEFAULT_RELOAD_TIMEOUT_MS) {
    super();
  }

  abstract readonly running: boolean;
  /** Why the master is gone, when it is. */
  protected abstract goneReason(): string;
  /** Asks the master to reload. */
  protected abstract askReload(): Promise<void>;

  /** `show proc` on the master CLI; rejects when the master does not answer. */
  async processes(): Promise<ProcList> {
    const text = await socketCommand(this.masterSocket, "show proc", MASTER_COMMAND_TIMEOUT_MS).catch((e: Error) => {
      throw new Error(`the haproxy master did not answer 'show proc' on ${this.masterSocket}: ${e.message}`);
    });
    const list = parseShowProc(text);
    if (!list) throw new Error(`the haproxy master answered 'show proc' with something else: ${text.slice(0, 200)}`);
    return list;
  }

  /** The current worker's pid; undefined while the master does not answer. */
  async workerPid(): Promise<number | undefined> {
    return (await this.processes().catch(() => undefined))?.workers[0]?.pid;
  }

  /** A worker proves it runs by answering a command through the master. */
  protected async workerAnswers(pid: number): Promise<boolean> {
    const info = await socketCommand(this.masterSocket, `@!${pid} show info`, MASTER_COMMAND_TIMEOUT_MS).catch(() => "");
    return new RegExp(`^Pid: ${pid}$`, "m").test(info);
  }

  /** The master and a worker that answers, if they do now. */
  protected async answeringWorker(): Promise<{ list: ProcList; workerPid: number } | undefined> {
    const list = await this.processes().catch(() => undefined);
    const worker = list?.workers[0];
    return list && worker && (await this.workerAnswers(worker.pid)) ? { list, workerPid: worker.pid } : undefined;
  }

  /**
   * Seamless reload: the master starts a new worker with the listening sockets handed over;
   * old workers finish their connections (WebSockets included) before exiting. Resolves with
   * the new worker's pid and those of the workers it replaces, once the master lists it and it
   * answers; rejects otherwise (the old workers then carry on with the previous configuration).
   */
  async reload(): Promise<WorkerChange> {
    const before = await this.processes();
    // When the new worker cannot start (a port in use, say), the master counts a failed
    // reload; its alerts just before say why (on HAProxy's stderr, when it is our child).
    const alerts: string[] = [];
    const onLine = (line: string) => {
      if (/\[ALERT\]/.test(line)) alerts.push(line.replace(/^\[ALERT\]\s+\(\d+\) : /, ""));
    };
    this.on("line", onLine);
    try {
      await this.askReload();
      const deadline = Date.now() + this.reloadTimeoutMs;
      let lastProblem = "";
      while (Date.now() < deadline) {
        if (!this.running) throw new Error(`haproxy went away during the reload (${this.goneReason()})`);
        try {
          const progress = reloadProgress(before, await this.processes());
          if (progress.state === "failed") {
            await sleep(100); // the alerts come on stderr just before the failure is counted
            throw new ReloadRefused(`haproxy could not load the new configuration: ${alerts.join("; ") || "see its log"}`);
          }
          if (progress.state === "done" && (await this.workerAnswers(progress.workerPid))) {
            return { workerPid: progress.workerPid, replaced: before.workers.map((w) => w.pid) };
          }
        } catch (e) {
          if (e instanceof ReloadRefused) throw e;
          lastProblem = (e as Error).message; // the master re-executes itself: not answering for a moment is normal
        }
        await sleep(50);
      }
      throw new Error(`no new haproxy worker within ${this.reloadTimeoutMs} ms of the reload${lastProblem ? ` (${lastProblem})` : ""}`);
    } finally {
      this.off("line", onLine);
    }
  }
}

export interface HaproxyProcessOptions {
  haproxyBin: string;
  cfgPath: string;
  masterSocket: string;
  /** Default {@link DEFAULT_RELOAD_TIMEOUT_MS}. */
  reloadTimeoutMs?: number;
}

/** HAProxy as our child process: it ends when we stop it, or when this process exits. */
export class HaproxyProcess extends MasterCli implements HaproxyMaster {
  readonly owned = true;
  readonly waitingFor = undefined;
  private child: ChildProcess | undefined;
  private stopping = false;
  private lastExit: { code: number | null; signal: string | null } | undefined;

  constructor(private readonly opts: HaproxyProcessOptions) {
    super(opts.masterSocket, opts.reloadTimeoutMs);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The master's pid. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  protected goneReason(): string {
    return describeExit(this.lastExit);
  }

  protected async askReload(): Promise<void> {
    this.child?.kill("SIGUSR2");
  }

  /** Starts the master and returns once its worker answers. */
  async start(): Promise<WorkerChange> {
    this.stopping = false;
    const child = spawn(this.opts.haproxyBin, ["-W", "-S", `${this.opts.masterSocket},mode,600`, "-f", this.opts.cfgPath], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    live.add(child);
    for (const stream of [child.stdout!, child.stderr!]) {
      readline.createInterface({ input: stream }).on("line", (line) => this.emit("line", line));
    }
    child.on("exit", (code, signal) => {
      live.delete(child);
      if (this.child !== child) return;
      this.lastExit = { code, signal };
      if (!this.stopping) this.emit("exit", describeExit(this.lastExit));
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`haproxy exited while starting (${describeExit(this.lastExit)})`);
      const answering = await this.answeringWorker();
      if (answering) return { workerPid: answering.workerPid, replaced: [] };
      await sleep(50);
    }
    throw new Error("haproxy worker did not answer within 20000 ms");
  }

  /**
   * Stops the master and every worker, old ones included. With `drainMs`, a soft stop first:
   * listeners close and established connections get that long to finish.
   */
  async stop(drainMs = 0): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.stopping = true;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    const timers: NodeJS.Timeout[] = [];
    if (drainMs > 0) {
      child.kill("SIGUSR1");
      timers.push(setTimeout(() => child.kill("SIGTERM"), drainMs));
    } else {
      child.kill("SIGTERM");
    }
    timers.push(setTimeout(() => child.kill("SIGKILL"), drainMs + 5000));
    await exited;
    timers.forEach(clearTimeout);
  }
}

/** How often an adopted master is asked whether it is still there. */
const MASTER_WATCH_MS = 500;
/** An adopted master silent this long is gone (a reload's re-execution takes far less). */
const MASTER_SILENT_MS = 3000;

export interface ExternalHaproxyOptions {
  masterSocket: string;
  /** Default {@link DEFAULT_RELOAD_TIMEOUT_MS}. */
  reloadTimeoutMs?: number;
}

/**
 * An HAProxy master someone else runs (`agc dataplane proxy`), driven only through its master
 * socket: it outlives this process, and stopping this process leaves it serving.
 */
export class ExternalHaproxy extends MasterCli implements HaproxyMaster {
  readonly owned = false;
  private master: number | undefined;
  private lost = "not adopted yet";
  private watchTimer: NodeJS.Timeout | undefined;
  private silentSince: number | undefined;
  private closed = false;
  waitingFor: string | undefined;

  constructor(opts: ExternalHaproxyOptions) {
    super(opts.masterSocket, opts.reloadTimeoutMs);
  }

  get running(): boolean {
    return this.master !== undefined;
  }

  get pid(): number | undefined {
    return this.master;
  }

  protected goneReason(): string {
    return this.lost;
  }

  protected async askReload(): Promise<void> {
    // The master answers nothing in 2.6; it re-executes itself and the socket closes.
    await socketCommand(this.masterSocket, "reload", MASTER_COMMAND_TIMEOUT_MS).catch(() => undefined);
  }

  /**
   * Waits (without limit) for the master and a worker that answers, then adopts it and
   * reloads: the worker may run an older configuration, or runtime API changes this process
   * never saw; a reload loads the one installed now and leaves open connections on the old
   * worker, where a stop would cut them.
   */
  async start(): Promise<WorkerChange> {
    this.waitingFor = `the haproxy master to answer on ${this.masterSocket} (agc dataplane proxy starts it)`;
    let announced = false;
    try {
      for (;;) {
        if (this.closed) throw new Error("stopped while waiting for the haproxy master");
        const answering = await this.answeringWorker();
        if (answering) {
          this.master = answering.list.masterPid;
          this.silentSince = undefined;
          break;
        }
        if (!announced) this.emit("line", `waiting for ${this.waitingFor}`);
        announced = true;
        await sleep(100);
      }
    } finally {
      this.waitingFor = undefined;
    }
    this.watch();
    return this.reload();
  }

  /** Notices the master going away (silent, or replaced by a new one after a crash). */
  private watch(): void {
    if (this.watchTimer) return;
    let busy = false;
    this.watchTimer = setInterval(() => {
      if (busy || this.master === undefined) return;
      busy = true;
      void this.processes().then(
        (list) => {
          if (list.masterPid === this.master) this.silentSince = undefined;
          else this.gone(`a new haproxy master (pid ${list.masterPid}) replaced pid ${this.master}`);
        },
        () => {
          this.silentSince ??= Date.now();
          if (Date.now() - this.silentSince >= MASTER_SILENT_MS) this.gone(`the master (pid ${this.master}) has not answered on ${this.masterSocket} for ${MASTER_SILENT_MS} ms`);
        },
      ).finally(() => { busy = false; });
    }, MASTER_WATCH_MS);
    this.watchTimer.unref();
  }

  private gone(reason: string): void {
    this.master = undefined;
    this.lost = reason;
    if (!this.closed) this.emit("exit", reason);
  }

  /** Stops watching and waiting; HAProxy keeps running. */
  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }
}

/** A reload the master tried and counted as failed. */
class ReloadRefused extends Error {}

export function describeExit(exit: { code: number | null; signal: string | null } | undefined): string {
  if (!exit) return "still running";
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
