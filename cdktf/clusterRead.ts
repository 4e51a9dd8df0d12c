// What other stacks already created in the cluster, read once per synth so that limits and
// subnet budgets count them (as `pulumi preview` does). Synchronous: a child process does the
// reading (clusterReadMain.ts).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packageRoot } from "../cli/paths";
import { ObjectsByKind } from "../model/objects";

/** Where the stack's Kubernetes provider finds the cluster: a kubeconfig file and context. */
export interface ClusterAccess {
  kubeconfigPath?: string;
  context?: string;
}

export type ClusterRead = { objects: ObjectsByKind } | { error: string };

/** The child's script: beside this file when compiled, else in the package's dist/. */
function childScript(): string {
  const beside = path.join(__dirname, "clusterReadMain.js");
  return fs.existsSync(beside) ? beside : path.join(packageRoot, "dist", "cdktf", "clusterReadMain.js");
}

const expandHome = (p: string) => (p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p);

/** Every object of our kinds but those of `owners` (the app's stacks), or why they could not be read. */
export function readClusterSync(access: ClusterAccess, owners: readonly string[], timeoutMs = 30_000): ClusterRead {
  const input = JSON.stringify({ kubeconfig: access.kubeconfigPath && expandHome(access.kubeconfigPath), context: access.context, owners });
  const child = spawnSync(process.execPath, [childScript()], { input, encoding: "utf8", timeout: timeoutMs });
  if (child.error) return { error: child.error.message };
  try {
    return JSON.parse(child.stdout) as ClusterRead;
  } catch {
    return { error: `the cluster read ended without an answer (exit ${child.status}): ${child.stderr.trim().split("\n").pop() ?? ""}` };
  }
}
