// The environment under which Pulumi and kubectl-style tools use the local cluster and a file
// state backend: what `agc cluster env` prints and what the demo and tests run with.
import * as fs from "fs";
import * as path from "path";
import { clusterLayout } from "./cluster/local";
import { GATEWAY_ADDRESS_POOL } from "./cluster/node";
import { packageRoot, stateDir, toolchainBin } from "./paths";

/**
 * Puts the toolchain's Kubernetes provider into Pulumi's plugin cache, as a link, so the
 * engine loads it as an installed plugin (not an ambient one from PATH, which it warns about).
 */
function linkCachedPlugins(bin: string, pulumiHome: string): void {
  const versions = fs.readFileSync(path.join(packageRoot, "toolchain", "versions.env"), "utf8");
  const version = /^PULUMI_KUBERNETES_VERSION=(\S+)/m.exec(versions)?.[1];
  const binary = path.join(bin, "pulumi-resource-kubernetes");
  if (!version || !fs.existsSync(binary)) return;
  const dir = path.join(pulumiHome, "plugins", `resource-kubernetes-v${version}`);
  if (fs.existsSync(path.join(dir, "pulumi-resource-kubernetes"))) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(fs.realpathSync(binary), path.join(dir, "pulumi-resource-kubernetes"));
}

export function localEnv(state = stateDir()): Record<string, string> {
  const backend = path.join(state, "pulumi-state");
  const pulumiHome = path.join(state, "pulumi-home");
  fs.mkdirSync(backend, { recursive: true });
  const bin = toolchainBin();
  linkCachedPlugins(bin, pulumiHome);
  return {
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
    KUBECONFIG: clusterLayout(state).kubeconfig,
    // Addresses for gateway frontends (LoadBalancer Services), routed to the local node.
    AGC_GATEWAY_ADDRESS_POOL: GATEWAY_ADDRESS_POOL,
    PULUMI_BACKEND_URL: `file://${backend}`,
    // Local stacks on this machine only: their secrets are encrypted with an empty passphrase.
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
    PULUMI_HOME: pulumiHome,
    // Plugins come from the toolchain (beside pulumi, or linked into the plugin cache above);
    // never from elsewhere on PATH, and never downloaded.
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
  };
}

/** Shell exports, quoted for sh. */
export function formatExports(env: Record<string, string>): string {
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${quote(v)}`)
    .join("\n");
}
