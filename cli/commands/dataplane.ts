// `agc dataplane --ir FILE | --configmap NAMESPACE/NAME`: runs HAProxy and keeps it in line
// with the IR document, until SIGINT/SIGTERM.
import * as os from "os";
import * as path from "path";
import { KubeClient } from "../../kube/client";
import { DataplaneAgent } from "../../dataplane/agent";
import { followConfigMap, IR_CONFIGMAP_KEY, parseConfigMapRef } from "../../dataplane/configmap";
import { parseFlags } from "./render";

export const summary = "run the data plane: HAProxy kept in line with an IR document";

const HELP = `usage: agc dataplane (--ir FILE | --configmap NAMESPACE/NAME) [options]

  --ir FILE                 IR document to serve; changes to the file apply as they happen
  --configmap NS/NAME       IR published by the controller: key '${IR_CONFIGMAP_KEY}' of that ConfigMap, polled every second
  --kubeconfig PATH         for --configmap (default: $KUBECONFIG, ~/.kube/config, then the pod's service account)
  --runtime-dir DIR         config, maps, certificates and sockets (default: $TMPDIR/agc-dataplane-<pid>)
  --admin-port PORT         admin HTTP on 127.0.0.1: /readyz (with the latest refusal), /healthz, /backends (default 9901, 0 = any)
  --haproxy PATH            HAProxy binary (default /usr/sbin/haproxy)
  --drain-seconds N         on SIGTERM/SIGINT, let open connections finish for up to N s (default 10)

Access log lines (JSON, one per request, with the x-request-id) go to stdout.`;

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { flags, error } = parseFlags(args, ["--ir", "--configmap", "--kubeconfig", "--runtime-dir", "--admin-port", "--haproxy", "--drain-seconds"]);
  if (error) {
    console.error(`agc dataplane: ${error}\n\n${HELP}`);
    return 2;
  }
  const source = flags["--ir"] ? "file" : flags["--configmap"] ? "configmap" : undefined;
  if (!source || (flags["--ir"] && flags["--configmap"])) {
    console.error(`agc dataplane: give exactly one of --ir FILE and --configmap NAMESPACE/NAME\n\n${HELP}`);
    return 2;
  }
  const ref = flags["--configmap"] ? parseConfigMapRef(flags["--configmap"]) : undefined;
  if (source === "configmap" && !ref) {
    console.error(`agc dataplane: --configmap must be NAMESPACE/NAME, got '${flags["--configmap"]}'`);
    return 2;
  }
  const adminPort = Number(flags["--admin-port"] ?? 9901);
  if (!Number.isInteger(adminPort) || adminPort < 0 || adminPort > 65535) {
    console.error(`agc dataplane: --admin-port must be a port number, got ${flags["--admin-port"]}`);
    return 2;
  }
  const drainSeconds = Number(flags["--drain-seconds"] ?? 10);
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0) {
    console.error(`agc dataplane: --drain-seconds must be a number of seconds, got ${flags["--drain-seconds"]}`);
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
  const stopping = new AbortController();
  process.once("SIGINT", () => stopping.abort());
  process.once("SIGTERM", () => stopping.abort());
  if (source === "file") {
    const first = await agent.watchFile(path.resolve(flags["--ir"]));
    if (first.kind === "rejected") {
      await agent.stop();
      return 1;
    }
    console.error(`agc dataplane: serving; admin on http://127.0.0.1:${agent.adminAddress?.port}/readyz`);
    await new Promise<void>((resolve) => stopping.signal.addEventListener("abort", () => resolve(), { once: true }));
  } else {
    let client: KubeClient;
    try {
      client = KubeClient.fromKubeconfig(flags["--kubeconfig"]);
    } catch (e) {
      console.error(`agc dataplane: ${(e as Error).message}`);
      await agent.stop();
      return 1;
    }
    console.error(`agc dataplane: following ConfigMap ${flags["--configmap"]}; admin on http://127.0.0.1:${agent.adminAddress?.port}/readyz`);
    await followConfigMap(client, ref!, (doc) => agent.apply(doc), (m) => console.error(`agc dataplane: ${m}${agent.ready ? "; the last applied configuration keeps serving" : ""}`), stopping.signal);
    client.close();
  }
  console.error(`agc dataplane: stopping; open connections get up to ${drainSeconds} s`);
  await agent.stop(drainSeconds * 1000);
  return 0;
}
