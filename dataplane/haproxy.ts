/**
 * One HAProxy in master-worker mode, as a child process: start, validate, seamless reload,
 * stop. The master re-reads the same configuration path on every reload.
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

function sleep(ms: number): Promise<void> {
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

export interface HaproxyProcessOptions {
  haproxyBin: string;
  cfgPath: string;
  masterSocket: string;
  /** Default {@link DEFAULT_RELOAD_TIMEOUT_MS}. */
  reloadTimeoutMs?: number;
}

/**
 * Events: `line` (each stdout/stderr line), `exit` (code, signal; only when not stopped
 * through {@link stop}).
 */
export class HaproxyProcess extends EventEmitter {
  private child: ChildProcess | undefined;
  private stopping = false;
  private lastExit: { code: number | null; signal: string | null } | undefined;

  constructor(private readonly opts: HaproxyProcessOptions) {
    super();
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The master's pid. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the master and returns once its worker answers. */
  async start(): Promise<number> {
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
      if (!this.stopping) this.emit("exit", code, signal);
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`haproxy exited while starting (${describeExit(this.lastExit)})`);
      const worker = (await this.processes().catch(() => undefined))?.workers[0];
      if (worker && (await this.workerAnswers(worker.pid))) return worker.pid;
      await sleep(50);
    }
    throw new Error("haproxy worker did not answer within 20000 ms");
  }

  /** `show proc` on the master CLI; rejects when the master does not answer. */
  async processes(): Promise<ProcList> {
    const text = await socketCommand(this.opts.masterSocket, "show proc", MASTER_COMMAND_TIMEOUT_MS).catch((e: Error) => {
      throw new Error(`the haproxy master did not answer 'show proc' on ${this.opts.masterSocket}: ${e.message}`);
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
  private async workerAnswers(pid: number): Promise<boolean> {
    const info = await socketCommand(this.opts.masterSocket, `@!${pid} show info`, MASTER_COMMAND_TIMEOUT_MS).catch(() => "");
    return new RegExp(`^Pid: ${pid}$`, "m").test(info);
  }

  /**
   * Seamless reload: the master starts a new worker with the listening sockets handed over;
   * old workers finish their connections (WebSockets included) before exiting. Resolves with
   * the new worker's pid and those of the workers it replaces, once the master lists it and it
   * answers; rejects otherwise (the old workers then carry on with the previous configuration).
   */
  async reload(): Promise<{ workerPid: number; replaced: number[] }> {
    const before = await this.processes();
    // When the new worker cannot start (a port in use, say), the master counts a failed
    // reload; its alerts just before say why.
    const alerts: string[] = [];
    const onLine = (line: string) => {
      if (/\[ALERT\]/.test(line)) alerts.push(line.replace(/^\[ALERT\]\s+\(\d+\) : /, ""));
    };
    this.on("line", onLine);
    try {
      this.child?.kill("SIGUSR2");
      const timeoutMs = this.opts.reloadTimeoutMs ?? DEFAULT_RELOAD_TIMEOUT_MS;
      const deadline = Date.now() + timeoutMs;
      let lastProblem = "";
      while (Date.now() < deadline) {
        if (!this.running) throw new Error(`haproxy exited during the reload (${describeExit(this.lastExit)})`);
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
      throw new Error(`no new haproxy worker within ${timeoutMs} ms of the reload${lastProblem ? ` (${lastProblem})` : ""}`);
    } finally {
      this.off("line", onLine);
    }
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

/** A reload the master tried and counted as failed. */
class ReloadRefused extends Error {}

export function describeExit(exit: { code: number | null; signal: string | null } | undefined): string {
  if (!exit) return "still running";
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
