import { Controller } from "../../controller/run";
import { DEFAULT_DNS_ZONE } from "../../controller/reconcile";
import { KubeClient } from "../../kube/client";
import { installCrds } from "../../controller/bootstrap";

export const summary = "run the ALB controller against a cluster (reconciles gateways, frontends, associations, subnets)";

const HELP = `usage: agc controller [--kubeconfig FILE] [--context NAME] [--dns-zone ZONE] [--no-install-crds]

Runs the ALB controller in the foreground: it watches TrafficControllers, Frontends,
Associations and SubnetDelegations (group alb.agc.dev) in every namespace, checks them
with the same rules as \`pulumi preview\`, allocates each association's block in its
subnet, gives each frontend a unique and stable host name, and writes their status
(provisioningState Succeeded, or Failed with the rule's message). It installs or
upgrades its CRDs first. Stop it with Ctrl-C.

  --kubeconfig FILE  default: KUBECONFIG, then ~/.kube/config, then in-cluster
  --context NAME     a context of that kubeconfig; default: its current context
  --dns-zone ZONE    the zone frontends' host names are made in; default ${DEFAULT_DNS_ZONE}
  --no-install-crds  leave the CRDs as they are (another bootstrap owns them)`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith("--")) throw new Error(`${name} needs a value`);
  return v;
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const known = new Set(["--kubeconfig", "--context", "--dns-zone"]);
  const unknown = args.filter((a, i) => a.startsWith("--") && !known.has(a) && a !== "--no-install-crds" && !known.has(args[i - 1] ?? ""));
  if (unknown.length) {
    console.error(`agc controller: unknown option ${unknown[0]}\n\n${HELP}`);
    return 2;
  }
  const client = KubeClient.fromKubeconfig(option(args, "--kubeconfig"), option(args, "--context"));
  if (!args.includes("--no-install-crds")) await installCrds(client, (m) => console.error(`controller: ${m}`));
  const controller = new Controller(client, { dnsZone: option(args, "--dns-zone") ?? DEFAULT_DNS_ZONE });
  await controller.start();
  console.error(`controller: watching ${client.creds.server}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      controller.stop();
      client.close();
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
