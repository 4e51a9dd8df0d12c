// `agc dataplane proxy --runtime-dir DIR`: HAProxy's own process, for a data plane whose agent
// runs apart (`agc dataplane --external-haproxy`) and may restart without HAProxy stopping.
import { DEFAULT_HAPROXY } from "../../dataplane/haproxy";
import { DEFAULT_RETRY_BACKOFF } from "../../dataplane/policy";
import { HaproxySupervisor } from "../../dataplane/supervisor";
import { numberFlag } from "./dataplane";
import { parseFlags } from "./render";

const DEFAULT_DRAIN_SECONDS = 10;

export const HELP = `usage: agc dataplane proxy --runtime-dir DIR [options]

Runs HAProxy (master-worker, master socket DIR/master.sock) on DIR/haproxy.cfg once the agent
(agc dataplane --external-haproxy --runtime-dir DIR) has written a first valid one, and restarts
it when it dies. Reloads come from the agent through the master socket; the agent stopping or
restarting leaves HAProxy and its connections as they are.

Options (default in brackets):
  --runtime-dir DIR          the directory shared with the agent (required)
  --probe-port PORT          /healthz on every address: 200 while HAProxy runs or waits for its first
                             configuration, 503 while it is down between restarts [none]
  --haproxy PATH             the HAProxy 2.6+ binary [${DEFAULT_HAPROXY}]
  --drain-seconds N          on SIGTERM/SIGINT, open connections get up to N s to finish [${DEFAULT_DRAIN_SECONDS}]
  --retry-max-seconds N      restarts wait ${DEFAULT_RETRY_BACKOFF.initialMs / 1000} s, doubling up to N s [${DEFAULT_RETRY_BACKOFF.maxMs / 1000}]

HAProxy's own output goes to stderr.`;

export const FLAGS = ["--runtime-dir", "--probe-port", "--haproxy", "--drain-seconds", "--retry-max-seconds"];

export interface ProxyConfig {
  runtimeDir: string;
  probePort?: number;
  haproxyBin: string;
  drainSeconds: number;
  retryMaxMs: number;
}

export function proxyConfig(args: string[]): { ok: true; config: ProxyConfig } | { ok: false; error: string } {
  const { flags, error } = parseFlags(args, FLAGS);
  if (error) return { ok: false, error };
  if (!flags["--runtime-dir"]) return { ok: false, error: "--runtime-dir DIR is required: the directory the agent writes haproxy.cfg into" };
  const numbers = {
    probePort: numberFlag(flags, "--probe-port", -1, 1, 65535, true), // -1: none
    drainSeconds: numberFlag(flags, "--drain-seconds", DEFAULT_DRAIN_SECONDS, 0, 86_400),
    retryMaxSeconds: numberFlag(flags, "--retry-max-seconds", DEFAULT_RETRY_BACKOFF.maxMs / 1000, DEFAULT_RETRY_BACKOFF.initialMs / 1000, 3_600),
  };
  const bad = Object.values(numbers).find((v): v is string => typeof v === "string");
  if (bad) return { ok: false, error: bad };
  const n = numbers as Record<keyof typeof numbers, number>;
  return {
    ok: true,
    config: {
      runtimeDir: flags["--runtime-dir"],
      ...(n.probePort >= 0 ? { probePort: n.probePort } : {}),
      haproxyBin: flags["--haproxy"] ?? DEFAULT_HAPROXY,
      drainSeconds: n.drainSeconds,
      retryMaxMs: n.retryMaxSeconds * 1000,
    },
  };
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const parsed = proxyConfig(args);
  if (!parsed.ok) {
    console.error(`agc dataplane proxy: ${parsed.error}\n\n${HELP}`);
    return 2;
  }
  const config = parsed.config;
  const log = (m: string) => console.error(`agc dataplane proxy: ${m}`);
  const supervisor = new HaproxySupervisor({
    runtimeDir: config.runtimeDir,
    haproxyBin: config.haproxyBin,
    backoff: { initialMs: DEFAULT_RETRY_BACKOFF.initialMs, maxMs: config.retryMaxMs },
    log,
  });
  const stopping = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  if (config.probePort !== undefined) await supervisor.serveProbes(config.probePort);
  void supervisor.run();
  await stopping;
  log(`stopping; open connections get up to ${config.drainSeconds} s`);
  await supervisor.stop(config.drainSeconds * 1000);
  return 0;
}
