// `agc controller bootstrap`: what the alb-controller-bootstrap pod runs. It installs or
// upgrades the CRDs (ours and the Gateway API release's), is ready once they are established,
// and applies them again now and then, so the controller's pods need no right to write CRDs.
import { applyGatewayApiRelease, installCrds, readGatewayApiCrds } from "../../controller/bootstrap";
import { Readiness, serveHealth } from "../../controller/health";
import { leveledLog } from "../../controller/log";
import { KubeClient, backoffMs } from "../../kube/client";
import { sleep } from "../../kube/list-watch";
import { IMAGE_GATEWAY_API_CRDS } from "../../model/images";
import { defaultGatewayApiCrds } from "../paths";
import { SHARED_HELP, SHARED_VALUE_OPTIONS, healthListen, logLevel, option, unknownOption } from "./controller-flags";

const DEFAULT_RESYNC_SECONDS = 300;

export const HELP = `usage: agc controller bootstrap [--kubeconfig FILE] [--context NAME] [--gateway-api-crds DIR]
                                [--resync-seconds N | --once]
                                [--health-port N [--health-address ADDR]] [--log-level LEVEL]

Installs or upgrades the CRDs the ALB controller needs: its own (group alb.agc.dev) and the
Gateway API release's standard channel, by server-side apply, and waits until the API server
serves them. Then it stays up and applies them again every --resync-seconds, so a CRD deleted
or replaced by an older one comes back. A Gateway API CRD from a newer release or from the
experimental channel (another implementation's) is kept as it is. A failed install is tried
again with a growing delay. /readyz answers 200 once every CRD has been installed.

This is what the alb-controller-bootstrap pod runs; the alb-controller pods then run with
--no-install-crds, so only the bootstrap may write CRDs.

  --gateway-api-crds DIR  the Gateway API release's CRD files (its config/crd/standard);
                     default ${IMAGE_GATEWAY_API_CRDS} (in the controller image), else those
                     the toolchain keeps (\`agc toolchain path\`/gateway-api-crds/standard)
  --resync-seconds N  how often to apply them again; default ${DEFAULT_RESYNC_SECONDS}
  --once             install once (trying again until it works) and exit
${SHARED_HELP}`;

/** A positive whole number of seconds. */
function resyncSeconds(args: string[]): number {
  const value = option(args, "--resync-seconds");
  if (value === undefined) return DEFAULT_RESYNC_SECONDS;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`--resync-seconds must be a whole number of seconds, 1 or more; got '${value}'`);
  return Number(value);
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const unknown = unknownOption(args, [...SHARED_VALUE_OPTIONS, "--gateway-api-crds", "--resync-seconds"], ["--once"]);
  if (unknown) {
    console.error(`agc controller bootstrap: unknown option ${unknown}\n\n${HELP}`);
    return 2;
  }
  const log = leveledLog(logLevel(args), "bootstrap");
  const resyncMs = resyncSeconds(args) * 1000;
  const listen = healthListen(args);
  const dir = option(args, "--gateway-api-crds") ?? defaultGatewayApiCrds();
  if (!dir) {
    console.error(`agc controller bootstrap: no Gateway API CRDs: pass --gateway-api-crds DIR (a release's config/crd/standard), or run \`agc toolchain\`, which keeps them`);
    return 2;
  }
  // A directory that holds no release's CRDs is refused now, not on every attempt.
  const release = readGatewayApiCrds(dir);
  const { bundleVersion } = release;
  const client = KubeClient.fromKubeconfig(option(args, "--kubeconfig"), option(args, "--context"));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  let readiness: Readiness = { ready: false, reason: `installing the CRDs (ours and Gateway API ${bundleVersion})` };
  const health = listen ? await serveHealth({ ...listen, readiness: () => readiness, log: log.debug }) : undefined;
  if (health) log.info(`health endpoint on ${listen!.address}:${health.port}`);
  let failures = 0;
  try {
    while (!stop.signal.aborted) {
      try {
        await installCrds(client, log.info);
        await applyGatewayApiRelease(client, release, dir, log.info);
        failures = 0;
        // Once installed, a failed resync leaves them installed: the pod stays ready.
        readiness = { ready: true, reason: `CRDs installed (ours and Gateway API ${bundleVersion})` };
        if (args.includes("--once")) break;
        await sleep(resyncMs, stop.signal);
      } catch (e) {
        const delay = backoffMs(++failures);
        log.info(`installing the CRDs failed: ${(e as Error).message}; trying again in ${(delay / 1000).toFixed(1)} s`);
        await sleep(delay, stop.signal);
      }
    }
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await health?.close();
    client.close();
  }
  return readiness.ready ? 0 : 1;
}
