/**
 * One HAProxy in master-worker mode, as a child process: start, validate, seamless reload,
 * stop. The master re-reads the same configuration path on every reload.
 */
import { ChildProcess, execFile, spawn } from "child_process";
import { EventEmitter } from "events";
import * as readline from "readline";
import { socketCommand } from "./runtime-api";

export const DEFAULT_HAPROXY = "/usr/sbin/haproxy";

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

const live = new Set<ChildProcess>();
// A test or agent that dies must not leave HAProxy listening behind it.
process.on("exit", () => { for (const p of live) p.kill("SIGKILL"); });

export interface HaproxyProcessOptions {
  haproxyBin: string;
  cfgPath: string;
  statsSocket: string;
  masterSocket: string;
}

/**
 * Events: `line` (each stdout/stderr line), `exit` (code, signal; only when not stopped
 * through {@link stop}).
 */
export class HaproxyProcess extends EventEmitter {
  private child: ChildProcess | undefined;
  private stopping = false;

  constructor(private readonly opts: HaproxyProcessOptions) {
    super();
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
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
      if (this.child === child && !this.stopping) this.emit("exit", code, signal);
    });
    await this.waitForWorker(undefined, 20_000);
  }

  /** The current worker's pid, from the stats socket; undefined while none answers. */
  async workerPid(): Promise<number | undefined> {
    try {
      const info = await socketCommand(this.opts.statsSocket, "show info", 2000);
      const m = /^Pid: (\d+)$/m.exec(info);
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  private async waitForWorker(notPid: number | undefined, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error("haproxy exited while starting");
      const pid = await this.workerPid();
      if (pid !== undefined && pid !== notPid) return pid;
      await sleep(50);
    }
    throw new Error(`haproxy worker did not answer within ${timeoutMs} ms`);
  }

  /**
   * Seamless reload: the master starts a new worker with the listening sockets handed over;
   * old workers finish their connections (WebSockets included) before exiting.
   */
  async reload(): Promise<void> {
    const before = await this.workerPid();
    // The master says "Loading failure!" when the new worker cannot start (a port in use,
    // say); the old workers then carry on. Collect its alerts to say why.
    const alerts: string[] = [];
    let onLine: ((line: string) => void) | undefined;
    const failed = new Promise<never>((_, reject) => {
      onLine = (line: string) => {
        if (/\[ALERT\]/.test(line)) alerts.push(line.replace(/^\[ALERT\]\s+\(\d+\) : /, ""));
        if (line.includes("Loading failure!")) reject(new Error(`haproxy could not load the new configuration: ${alerts.join("; ")}`));
      };
      this.on("line", onLine);
    });
    try {
      this.child?.kill("SIGUSR2");
      await Promise.race([this.waitForWorker(before, 30_000), failed]);
    } finally {
      this.off("line", onLine!);
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
