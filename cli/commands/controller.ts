import { Controller } from "../../controller/run";
import { DEFAULT_DNS_ZONE } from "../../controller/reconcile";
import { KubeClient } from "../../kube/client";
import * as os from "os";
import { installCrds, installGatewayApiCrds } from "../../controller/bootstrap";
import { defaultGatewayApiCrds } from "../paths";
import { CONTROLLER_LEASE, LeaderElector } from "../../controller/leader";
import { DEFAULT_NAMESPACE } from "../../model/kinds";
import { DEFAULT_ADDRESS_POOL, parseAddressPool } from "../../controller/addresses";
import { DEFAULT_DATAPLANE_IMAGE, DEFAULT_DATAPLANE_REPLICAS, LOAD_BALANCER_CLASS } from "../../controller/dataplane-objects";
import { ControllerPhase, controllerReadiness, serveHealth } from "../../controller/health";
import { leveledLog } from "../../controller/log";
import { CONTROLLER_NAME } from "../../translate";
import * as bootstrap from "./controller-bootstrap";
import { SHARED_HELP, SHARED_VALUE_OPTIONS, healthListen, logLevel, option, unknownOption } from "./controller-flags";

export const summary = "run the ALB controller against a cluster (gateways, frontends, Gateway API, Ingress, data planes)";

const HELP = `usage: agc controller [--kubeconfig FILE] [--context NAME] [--dns-zone ZONE] [--namespaces NS,...]
                      [--no-install-crds | --gateway-api-crds DIR]
                      [--dataplane-image IMAGE] [--dataplane-replicas N] [--address-pool CIDR]
                      [--leader-elect [--lease-namespace NS] [--lease-seconds N]
                                      [--renew-deadline-seconds N] [--retry-period-seconds N]]
                      [--health-port N [--health-address ADDR]] [--log-level LEVEL]
       agc controller bootstrap ...   install the CRDs and keep them installed (--help for more)
       agc controller install ...     install the controller's pods into a cluster (--help for more)

Runs the ALB controller in the foreground. It watches TrafficControllers, Frontends,
Associations and SubnetDelegations (group alb.agc.dev) in every namespace, checks them
with the same rules as \`pulumi preview\`, allocates each association's block in its
subnet, gives each frontend a unique and stable host name, and writes their status
(provisioningState Succeeded, or Failed with the rule's message).
It also turns GatewayClasses (controllerName ${CONTROLLER_NAME}), Gateways, HTTPRoutes and
Ingresses into traffic: per TrafficController, and per Gateway or Ingress that names no
Frontend, a data plane (a ConfigMap with its IR, a Deployment running \`agc dataplane\`, its
ServiceAccount and Role), and per frontend a LoadBalancer Service (class ${LOAD_BALANCER_CLASS})
whose address it hands out from --address-pool; it writes their Gateway API and Ingress status.
Gateway API kinds whose CRDs are not installed are looked for again every few seconds.
It installs or upgrades its CRDs and the Gateway API CRDs first (unless --no-install-crds:
then \`agc controller bootstrap\` does). With --health-port, /readyz answers 200 once the
informers have listed everything, and on a stand-by (--leader-elect) once it has seen another
replica hold the lease. Stop it with Ctrl-C.

  --dns-zone ZONE    the zone frontends' host names are made in; default ${DEFAULT_DNS_ZONE}
  --no-install-crds  leave the CRDs as they are (another bootstrap owns them)
  --namespaces NS,...  reconcile only these namespaces; default: every namespace
  --gateway-api-crds DIR  the Gateway API release's CRD files to install (its
                     config/crd/standard); default: those the controller image carries, else
                     those the toolchain keeps (\`agc toolchain path\`/gateway-api-crds/standard)
  --dataplane-image IMAGE  the data plane pods' image; default ${DEFAULT_DATAPLANE_IMAGE}
                     (what \`agc images\` builds)
  --dataplane-replicas N  pods per data plane; default ${DEFAULT_DATAPLANE_REPLICAS}
  --address-pool CIDR  IPv4 range frontend Services' addresses come from; default
                     ${DEFAULT_ADDRESS_POOL} (the local cluster routes it to its bridge)
  --leader-elect     run as one of several replicas: only the holder of the Lease
                     ${CONTROLLER_LEASE} reconciles, the others stand by; a leader that loses
                     the lease exits (its Deployment restarts it as a stand-by). The holder's
                     name is POD_NAME when set, else host name and process id
  --lease-namespace NS  where that Lease lives; default POD_NAMESPACE when set, else ${DEFAULT_NAMESPACE}
  --lease-seconds N  how long the lease holds without renewal; default 15
  --renew-deadline-seconds N  a leader that has not renewed for this long stops writing
                     and exits, before the lease can pass to another; default 2/3 of the lease
  --retry-period-seconds N  how often to try to acquire or renew; default 2/15 of the lease
${SHARED_HELP}`;

export async function main(args: string[]): Promise<number> {
  if (args[0] === "bootstrap") return bootstrap.main(args.slice(1));
  // Loaded only when asked for: the pods' process never holds the install code (nor the RBAC scan).
  if (args[0] === "install") return require("./controller-install").main(args.slice(1));
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const valueOptions = [...SHARED_VALUE_OPTIONS, "--dns-zone", "--dataplane-image", "--dataplane-replicas", "--address-pool", "--lease-namespace", "--lease-seconds", "--renew-deadline-seconds", "--retry-period-seconds", "--namespaces", "--gateway-api-crds"];
  const unknown = unknownOption(args, valueOptions, ["--no-install-crds", "--leader-elect"]);
  if (unknown) {
    console.error(`agc controller: unknown option ${unknown}\n\n${HELP}`);
    return 2;
  }
  const replicas = option(args, "--dataplane-replicas");
  if (replicas !== undefined && !/^\d+$/.test(replicas)) throw new Error(`--dataplane-replicas must be a whole number of pods (0 or more); got '${replicas}'`);
  const addressPool = option(args, "--address-pool") ?? DEFAULT_ADDRESS_POOL;
  parseAddressPool(addressPool); // refuse a bad pool before connecting
  const logs = leveledLog(logLevel(args), "controller");
  const log = logs.info;
  const listen = healthListen(args);
  const client = KubeClient.fromKubeconfig(option(args, "--kubeconfig"), option(args, "--context"));
  const elector = args.includes("--leader-elect")
    ? new LeaderElector(client, {
        namespace: option(args, "--lease-namespace") ?? process.env.POD_NAMESPACE ?? DEFAULT_NAMESPACE,
        name: CONTROLLER_LEASE,
        identity: process.env.POD_NAME || `${os.hostname()}_${process.pid}`,
        leaseSeconds: seconds(args, "--lease-seconds"),
        renewDeadlineSeconds: seconds(args, "--renew-deadline-seconds"),
        retryPeriodSeconds: seconds(args, "--retry-period-seconds"),
        log,
      })
    : undefined;
  // The probes answer from the start: a stand-by waits in acquire() for as long as another leads.
  let phase: ControllerPhase = elector ? "electing" : "starting";
  const health = listen
    ? await serveHealth({ ...listen, readiness: () => controllerReadiness(phase, elector?.lastAttempt), log: logs.debug })
    : undefined;
  if (health) log(`health endpoint on ${listen!.address}:${health.port}`);
  const close = async () => {
    await health?.close();
    client.close();
  };
  // Settles once the lease is lost, which ends the process while it is still starting (a CRD
  // install or a first list stuck behind a cut network) as surely as later: the stand-by may
  // already lead.
  let lost = new Promise<"lost">(() => {});
  if (elector) {
    await elector.acquire();
    // Renewing starts at once: installing CRDs or a slow first list must not let the lease lapse.
    lost = new Promise((resolve) => elector.keepRenewing(() => resolve("lost")));
  }
  const start = async (): Promise<Controller> => {
    phase = "starting";
    if (!args.includes("--no-install-crds")) {
      await installCrds(client, log);
      const gatewayApiCrds = option(args, "--gateway-api-crds") ?? defaultGatewayApiCrds();
      if (gatewayApiCrds) await installGatewayApiCrds(client, gatewayApiCrds, log);
      else log("Gateway API CRDs left as they are: no --gateway-api-crds DIR given and the toolchain has none (run `agc toolchain`)");
    }
    const controller = new Controller(client, {
      dnsZone: option(args, "--dns-zone") ?? DEFAULT_DNS_ZONE,
      isLeader: elector ? () => elector.isLeader() : undefined,
      dataplaneImage: option(args, "--dataplane-image"),
      dataplaneReplicas: replicas === undefined ? undefined : Number(replicas),
      addressPool,
      namespaces: option(args, "--namespaces")?.split(",").filter((n) => n !== ""),
      log,
    });
    await controller.start();
    phase = "running";
    return controller;
  };
  const lostLease = () => logs.error("lost the lease (another replica leads, or it could not be renewed in time); exiting");
  const started = await Promise.race([start(), lost]);
  if (started === "lost") {
    lostLease();
    await close();
    return 1;
  }
  log(`watching ${client.creds.server}`);
  const code = await new Promise<number>((resolve) => {
    process.once("SIGINT", () => resolve(0));
    process.once("SIGTERM", () => resolve(0));
    void lost.then(() => {
      lostLease();
      resolve(1);
    });
  });
  elector?.stop();
  started.stop();
  await close();
  return code;
}

/** A positive number of seconds, or undefined when the option is absent. */
function seconds(args: string[], name: string): number | undefined {
  const v = option(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of seconds; got '${v}'`);
  return n;
}
