/**
 * HAProxy's own process in the data plane pod (`agc dataplane proxy`): it waits until the
 * agent has installed a first validated `haproxy.cfg` in the shared runtime directory, runs
 * HAProxy master-worker with its master socket there, and restarts it (growing, bounded
 * delays) when it dies. It never looks at the agent: the agent going away changes nothing here,
 * which is what lets HAProxy and its connections outlive agent restarts. Reloads come from
 * the agent through the master socket.
 */
import { EventEmitter } from "events";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { backoffDelay, RetryBackoff } from "../kube/backoff";
import { HaproxyProcess, sleep } from "./haproxy";
import { HttpAnswer } from "./status";

export interface SupervisorOptions {
  runtimeDir: string;
  haproxyBin: string;
  backoff: RetryBackoff;
  /** HAProxy's own output and the supervisor's notices. */
  log: (line: string) => void;
}

/** What the supervisor knows, for its /healthz. */
export type SupervisorState =
  | { state: "waiting"; for: string }
  | { state: "running"; masterPid: number }
  | { state: "down"; exit: string; attempt: number; nextAttemptInMs: number };

/** /healthz of the supervisor: waiting for a first configuration is healthy; HAProxy down is not. */
export function supervisorHealth(s: SupervisorState): HttpAnswer {
  if (s.state === "down") return { status: 503, body: { ok: false, reason: `haproxy is not running (${s.exit}); restart attempt ${s.attempt} in ${s.nextAttemptInMs} ms` } };
  return { status: 200, body: { ok: true, ...s } };
}

/** Events: `started` (master pid), `exited` (why). */
export class HaproxySupervisor extends EventEmitter {
  private readonly proc: HaproxyProcess;
  private stopped = false;
  private attempts = 0;
  private down: { exit: string; attempt: number; at: number } | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private probes: http.Server | undefined;

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.proc = new HaproxyProcess({ haproxyBin: opts.haproxyBin, cfgPath: this.cfgPath, masterSocket: path.join(opts.runtimeDir, "master.sock") });
    this.proc.on("line", (line: string) => opts.log(line));
    this.proc.on("exit", (why: string) => this.onExit(why));
  }

  get cfgPath(): string {
    return path.join(this.opts.runtimeDir, "haproxy.cfg");
  }

  state(): SupervisorState {
    if (this.proc.running) return { state: "running", masterPid: this.proc.pid! };
    if (this.down) return { state: "down", exit: this.down.exit, attempt: this.down.attempt, nextAttemptInMs: Math.max(0, this.down.at - Date.now()) };
    return { state: "waiting", for: this.cfgPath };
  }

  /** /healthz on `port` (every address), for the kubelet's liveness probe. */
  async serveProbes(port: number): Promise<number> {
    this.probes = http.createServer((req, res) => {
      const { status, body } = req.url === "/healthz" ? supervisorHealth(this.state()) : { status: 404, body: { error: "not found; try /healthz" } };
      res.writeHead(status, { "content-type": "application/json" });
      res.end(`${JSON.stringify(body)}\n`);
    });
    await new Promise<void>((r) => this.probes!.listen(port, () => r()));
    return (this.probes.address() as { port: number }).port;
  }

  /** Waits for the first configuration (polling: the directory may not support watches), then starts HAProxy. */
  async run(): Promise<void> {
    let announced = false;
    while (!fs.existsSync(this.cfgPath)) {
      if (this.stopped) return;
      if (!announced) this.opts.log(`waiting for the agent to write ${this.cfgPath}`);
      announced = true;
      await sleep(100);
    }
    await this.startOnce();
  }

  private async startOnce(): Promise<void> {
    if (this.stopped || this.proc.running) return;
    try {
      const { workerPid } = await this.proc.start();
      this.down = undefined;
      const upSince = Date.now();
      this.proc.once("exit", () => { if (Date.now() - upSince >= this.opts.backoff.maxMs) this.attempts = 0; });
      this.opts.log(`haproxy runs: master ${this.proc.pid}, worker ${workerPid}`);
      this.emit("started", this.proc.pid);
    } catch (e) {
      // HAProxy that exited while starting has been reported through `exit` already.
      if (!this.proc.running) return;
      await this.proc.stop();
      this.onExit((e as Error).message);
    }
  }

  private onExit(why: string): void {
    if (this.stopped) return;
    const attempt = ++this.attempts;
    const delayMs = backoffDelay(attempt, this.opts.backoff);
    this.down = { exit: why, attempt, at: Date.now() + delayMs };
    this.opts.log(`haproxy exited (${why}); restart attempt ${attempt} in ${delayMs} ms`);
    this.emit("exited", why);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.startOnce(), delayMs);
  }

  /** Soft stop: listeners close, open connections get `drainMs` to finish, then HAProxy ends. */
  async stop(drainMs = 0): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.proc.stop(drainMs);
    if (this.probes) await new Promise<void>((r) => this.probes!.close(() => r()));
  }
}
