// `agc controller install`: the objects `agc render install` prints, applied to a cluster with
// server-side apply, then waited for: both Deployments rolled out and GatewayClass agc
// Accepted. The way to run the controller on the local cluster without a Pulumi program.
import { BOOTSTRAP_DEPLOYMENT, CONTROLLER_DEPLOYMENT, GATEWAY_CLASS, installObjects } from "../../controller/install";
import { KubeClient, resourcePath } from "../../kube/client";
import { applyManifest, describeObject } from "../../kube/manifests";
import { DEFAULT_NAMESPACE } from "../../model/kinds";
import { HELP as RENDER_HELP, installOptionsFromArgs } from "./render-install";
import { option } from "./controller-flags";

export const FIELD_MANAGER = "agc-install";
const DEFAULT_WAIT_SECONDS = 300;

export const HELP = `usage: agc controller install [--kubeconfig FILE] [--context NAME] [--wait-seconds N]
                            [the options of agc render install]

Installs the ALB controller into a cluster: applies the objects \`agc render install\` prints
(server-side apply, field manager ${FIELD_MANAGER}), then waits until the ${BOOTSTRAP_DEPLOYMENT}
and ${CONTROLLER_DEPLOYMENT} Deployments have rolled out and GatewayClass ${GATEWAY_CLASS} is Accepted.
Running it again applies changed options. On the local cluster run \`agc images\` first: the
pods run the images it builds. Pulumi programs use the AlbController component instead.

  --kubeconfig FILE  default: KUBECONFIG, then ~/.kube/config
  --context NAME     a context of that kubeconfig; default: its current context
  --wait-seconds N   how long to wait for the rollout; default ${DEFAULT_WAIT_SECONDS}

The options of agc render install:
${RENDER_HELP.split("\n").filter((l) => /^ {2}--/.test(l) || /^ {21}/.test(l)).join("\n")}`;

type Obj = Record<string, any>;
type Log = (m: string) => void;

/** Why a Deployment has not rolled out yet, or undefined once every replica is updated and available. */
export function rolloutPending(deployment: Obj | undefined): string | undefined {
  if (!deployment) return "not created yet";
  const wanted = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 1)) return "its change is not observed yet";
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < wanted || available < wanted || (status.replicas ?? 0) > wanted) {
    return `${updated} of ${wanted} replicas updated, ${available} available`;
  }
  return undefined;
}

/** Why GatewayClass agc is not Accepted yet, or undefined once it is. */
function classPending(gatewayClass: Obj | undefined): string | undefined {
  if (!gatewayClass) return "not created yet";
  const accepted = (gatewayClass.status?.conditions ?? []).find((c: Obj) => c.type === "Accepted");
  if (accepted?.status === "True" && accepted.observedGeneration === gatewayClass.metadata?.generation) return undefined;
  return accepted ? `Accepted=${accepted.status} (${accepted.reason}: ${accepted.message})` : "no Accepted condition yet";
}

/** Polls until `pending` says nothing is left, logging each new reason; fails with the last one. */
async function waitUntil(what: string, deadline: number, read: () => Promise<Obj | undefined>, pending: (o: Obj | undefined) => string | undefined, log: Log): Promise<void> {
  let last: string | undefined;
  for (;;) {
    const reason = pending(await read());
    if (reason === undefined) return;
    if (reason !== last) log(`${what}: ${reason}`);
    last = reason;
    if (Date.now() > deadline) throw new Error(`${what} is not ready: ${reason}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function install(client: KubeClient, objects: Obj[], namespace: string, waitSeconds: number, log: Log): Promise<void> {
  const started = Date.now();
  const deadline = started + waitSeconds * 1000;
  for (const o of objects) {
    // The classes wait for the CRDs the bootstrap pod installs.
    await applyManifest(client, o, FIELD_MANAGER, Math.max(deadline - Date.now(), 0));
    log(`applied ${describeObject(o)}`);
  }
  for (const name of [BOOTSTRAP_DEPLOYMENT, CONTROLLER_DEPLOYMENT]) {
    await waitUntil(`Deployment ${namespace}/${name}`, deadline, () => client.find(resourcePath("apps/v1", "deployments", namespace, name)), rolloutPending, log);
  }
  const classPath = resourcePath("gateway.networking.k8s.io/v1", "gatewayclasses", undefined, GATEWAY_CLASS);
  await waitUntil(`GatewayClass ${GATEWAY_CLASS}`, deadline, () => client.find(classPath), classPending, log);
  log(`the ALB controller runs in ${namespace} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const log: Log = (m) => console.error(`agc controller install: ${m}`);
  let objects: Obj[];
  let waitSeconds = DEFAULT_WAIT_SECONDS;
  const ours = ["--kubeconfig", "--context", "--wait-seconds"];
  try {
    const wait = option(args, "--wait-seconds");
    if (wait !== undefined) {
      if (!/^\d+$/.test(wait) || Number(wait) < 1) throw new Error(`--wait-seconds must be a whole number of seconds, 1 or more; got '${wait}'`);
      waitSeconds = Number(wait);
    }
    const renderArgs = args.filter((a, i) => !ours.includes(a) && !ours.includes(args[i - 1] ?? ""));
    objects = installObjects(installOptionsFromArgs(renderArgs));
  } catch (e) {
    console.error(`agc controller install: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const namespace = objects.find((o) => o.kind === "Deployment")?.metadata.namespace ?? DEFAULT_NAMESPACE;
  const client = KubeClient.fromKubeconfig(option(args, "--kubeconfig"), option(args, "--context"));
  try {
    await install(client, objects, namespace, waitSeconds, log);
    return 0;
  } finally {
    client.close();
  }
}
