// The environment under which Pulumi and kubectl-style tools use the local cluster and a file
// state backend: what `agc cluster env` prints and what the demo and tests run with.
import * as fs from "fs";
import * as path from "path";
import { clusterLayout } from "./cluster/local";
import { stateDir, toolchainBin } from "./paths";

export function localEnv(state = stateDir()): Record<string, string> {
  const backend = path.join(state, "pulumi-state");
  fs.mkdirSync(backend, { recursive: true });
  return {
    PATH: `${toolchainBin()}${path.delimiter}${process.env.PATH ?? ""}`,
    KUBECONFIG: clusterLayout(state).kubeconfig,
    PULUMI_BACKEND_URL: `file://${backend}`,
    // Local stacks on this machine only: their secrets are encrypted with an empty passphrase.
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
    PULUMI_HOME: path.join(state, "pulumi-home"),
    // Plugins come from the toolchain on PATH; never try to download one.
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
