import { apiServerUrl, hostApiServerUrl, clusterDown, clusterLayout, clusterStatus, clusterUp, DEFAULT_PORT_BASE } from "../cluster/local";
import { GATEWAY_ADDRESS_POOL, NODE_NETWORK } from "../cluster/node";
import { formatExports, localEnv } from "../env";
import { requireToolchainBin, stateDir } from "../paths";

export const summary = "run a local single-node Kubernetes with real pods (up | down | status | env)";

const HELP = `usage: agc cluster <up | down | status | env> [--port-base N]

A local Kubernetes with one real node: etcd, kube-apiserver, kube-controller-manager,
kube-scheduler, containerd, the kubelet and kube-proxy. The ALB controller runs in it as
pods: installed by a Pulumi program's AlbController (npm run demo), or by
\`agc images && agc controller install\`. Pods join the bridge ${NODE_NETWORK.bridge} (${NODE_NETWORK.podCidr}); the node and
the API server are at ${NODE_NETWORK.nodeAddress}; Services use ${NODE_NETWORK.serviceCidr}; gateway frontends get
addresses from ${GATEWAY_ADDRESS_POOL}, routed to the bridge. Nothing is reachable from, or
reaches, outside the machine. Runs as root; one such cluster per machine. State and logs live
in .agc/ (AGC_STATE_DIR overrides); the kubeconfig is .agc/kubeconfig. Images: agc images.

  up       start what is not running; returns when /readyz answers and the node is Ready
  down     remove the pods, stop every process up started, and undo its changes to the
           machine (bridge, iptables chains, mounts, cgroups, sysctls such as ip_forward)
  status   each part: processes, the API, the node, the bridge, the gateway address pool
  env      shell exports for this cluster and a file Pulumi backend:  eval "$(agc cluster env)"

  --port-base N     the API server's port (etcd, the kubelet and kube-proxy use N+1 to N+6); default ${DEFAULT_PORT_BASE}`;

function parsePortBase(args: string[]): number | undefined {
  const i = args.indexOf("--port-base");
  if (i < 0) return undefined;
  const n = Number(args[i + 1]);
  // N+6 (kube-proxy's health port) must be a port too.
  if (!Number.isInteger(n) || n < 1024 || n > 65529) throw new Error(`--port-base must be a port number from 1024 to 65529, got '${args[i + 1] ?? ""}'`);
  return n;
}

export async function main(args: string[]): Promise<number> {
  const [verb] = args;
  if (!verb || args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return verb ? 0 : 2;
  }
  const layout = clusterLayout(stateDir(), parsePortBase(args));
  const log = (msg: string) => console.error(`cluster: ${msg}`);
  switch (verb) {
    case "up": {
      const started = Date.now();
      await clusterUp(requireToolchainBin(), layout, log);
      log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s; use it with: eval "$(agc cluster env)"`);
      log(`the ALB controller: a Pulumi program's AlbController, or \`agc images && agc controller install --kubeconfig ${layout.kubeconfig}\``);
      return 0;
    }
    case "down":
      await clusterDown(layout, log);
      return 0;
    case "status": {
      const s = await clusterStatus(layout);
      for (const p of s.processes) console.log(`${p.name.padEnd(24)} ${p.pid ? `running (pid ${p.pid})` : "stopped"}`);
      console.log(`${"api".padEnd(24)} ${s.ready ? `ready at ${apiServerUrl(layout)} (and ${hostApiServerUrl(layout)})` : "not answering"}`);
      console.log(`${"nodes".padEnd(24)} ${s.nodes.join(", ") || "-"}`);
      console.log(`${"bridge".padEnd(24)} ${s.bridge ?? "absent"}`);
      console.log(`${"gateway addresses".padEnd(24)} ${GATEWAY_ADDRESS_POOL}`);
      return s.ready ? 0 : 1;
    }
    case "env":
      console.log(formatExports(localEnv()));
      return 0;
    default:
      console.error(`agc cluster: unknown verb '${verb}'\n\n${HELP}`);
      return 2;
  }
}
