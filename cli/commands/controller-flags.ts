// Options `agc controller` and `agc controller bootstrap` share: where the cluster is, the
// health endpoint, how much to log.
import { DEFAULT_LOG_LEVEL, LogLevel, parseLogLevel } from "../../controller/log";
import { parsePort } from "../../controller/health";

/** The value after `name`, or undefined when the option is absent. */
export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith("--")) throw new Error(`${name} needs a value`);
  return v;
}

/** Options with a value that both commands take. */
export const SHARED_VALUE_OPTIONS = ["--kubeconfig", "--context", "--health-port", "--health-address", "--log-level"];

/** The first argument that is neither a known option nor the value of one. */
export function unknownOption(args: string[], valueOptions: string[], flags: string[]): string | undefined {
  return args.find((a, i) => a.startsWith("--") && !valueOptions.includes(a) && !flags.includes(a) && !valueOptions.includes(args[i - 1] ?? ""));
}

export const SHARED_HELP = `  --kubeconfig FILE  default: KUBECONFIG, then ~/.kube/config, then in-cluster
  --context NAME     a context of that kubeconfig; default: its current context
  --health-port N    serve /healthz (liveness: answers while the process runs) and /readyz
                     (readiness) on this port (0: any free one, printed); default: none
  --health-address ADDR  the address it listens on; default 0.0.0.0 (every address; the
                     installed pods pass their pod IP)
  --log-level LEVEL  error, warn, info or debug (also each probe answered); default ${DEFAULT_LOG_LEVEL}`;

export interface HealthListen {
  address: string;
  port: number;
}

/** Where to serve the probes, or undefined without --health-port. */
export function healthListen(args: string[]): HealthListen | undefined {
  const port = option(args, "--health-port");
  const address = option(args, "--health-address");
  if (port === undefined) {
    if (address !== undefined) throw new Error("--health-address needs --health-port (the health endpoint is off without a port)");
    return undefined;
  }
  return { address: address ?? "0.0.0.0", port: parsePort("--health-port", port) };
}

export function logLevel(args: string[]): LogLevel {
  const value = option(args, "--log-level");
  return value === undefined ? DEFAULT_LOG_LEVEL : parseLogLevel(value);
}
