// `agc dataplane --ir FILE | --configmap NAMESPACE/NAME`: runs HAProxy and keeps it in line
// with the IR document, until SIGINT/SIGTERM.
import * as os from "os";
import * as path from "path";
import { DataplaneAgent } from "../../dataplane/agent";
import { parseFlags } from "./render";

export const summary = "run the data plane: HAProxy kept in line with an IR document";

const HELP = `usage: agc dataplane (--ir FILE | --configmap NAMESPACE/NAME) [options]

  --ir FILE                 IR document to serve; changes to the file apply as they happen
  --configmap NS/NAME       IR published by the controller in a ConfigMap (not available yet)
  --runtime-dir DIR         config, maps, certificates and sockets (default: $TMPDIR/agc-dataplane-<pid>)
  --admin-port PORT         admin HTTP on 127.0.0.1: /readyz, /healthz, /backends (default 9901, 0 = any)
  --haproxy PATH            HAProxy binary (default /usr/sbin/haproxy)

Access log lines (JSON, one per request, with the x-request-id) go to stdout.`;

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { flags, error } = parseFlags(args, ["--ir", "--configmap", "--runtime-dir", "--admin-port", "--haproxy"]);
  if (error) {
    console.error(`agc dataplane: ${error}\n\n${HELP}`);
    return 2;
  }
  if (flags["--configmap"]) {
    console.error("agc dataplane: --configmap is not available yet (it needs the Kubernetes client); use --ir FILE");
    return 2;
  }
  if (!flags["--ir"]) {
    console.error(`agc dataplane: --ir FILE is required\n\n${HELP}`);
    return 2;
  }
  const adminPort = Number(flags["--admin-port"] ?? 9901);
  if (!Number.isInteger(adminPort) || adminPort < 0 || adminPort > 65535) {
    console.error(`agc dataplane: --admin-port must be a port number, got ${flags["--admin-port"]}`);
    return 2;
  }
  const agent = new DataplaneAgent({
    runtimeDir: flags["--runtime-dir"] ?? path.join(os.tmpdir(), `agc-dataplane-${process.pid}`),
    haproxyBin: flags["--haproxy"],
    adminPort,
  });
  agent.on("applied", (r) => {
    if (r.kind === "rejected") console.error(`agc dataplane: IR refused, the previous configuration keeps serving:\n  ${r.errors.join("\n  ")}`);
    else if (r.kind !== "unchanged") console.error(`agc dataplane: applied (${r.kind}) in ${r.durationMs} ms`);
  });
  agent.on("restarted", () => console.error("agc dataplane: haproxy restarted with the last good configuration"));
  await agent.startAdmin();
  const first = await agent.watchFile(path.resolve(flags["--ir"]));
  if (first.kind === "rejected") {
    await agent.stop();
    return 1;
  }
  console.error(`agc dataplane: serving; admin on http://127.0.0.1:${agent.adminAddress?.port}/readyz`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await agent.stop();
  return 0;
}
