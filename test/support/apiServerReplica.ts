// A second kube-apiserver of the test cluster: the same etcd, certificates and flags, another
// port. A test can crash and restart it (an API server outage as its clients see it) without
// disturbing the other tests that share the cluster's own API server. Also: waiting until an
// API server a test started is ready.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KubeClient } from "../../kube/client";
import { sleep } from "../dataplane/harness";
import { testKubeconfigAt, testLayout } from "./localCluster";

function clusterApiServerCommand(): string[] {
  const pid = fs.readFileSync(path.join(testLayout().dir, "kube-apiserver.pid"), "utf8").trim();
  return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
}

/**
 * Waits up to 90 s until the kube-apiserver `child` answers /readyz through `client` (closed
 * after), failing at once should it exit; `whereToLook` completes the message of a failure.
 */
export async function apiServerReady(child: ChildProcess, client: KubeClient, whereToLook: () => string): Promise<void> {
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if ((await client.request<unknown>("/readyz", { timeoutMs: 3000 }).catch(() => undefined)) === "ok") return;
      if (child.exitCode !== null) throw new Error(`the API server exited: ${whereToLook()}`);
      if (Date.now() > deadline) throw new Error(`the API server did not get ready in 90 s: ${whereToLook()}`);
      await sleep(250);
    }
  } finally {
    client.close();
  }
}

export class ApiServerReplica {
  /** A kubeconfig like the cluster's, pointing at this replica. */
  readonly kubeconfig: string;
  private child: ChildProcess | undefined;

  constructor(private readonly port: number, private readonly dir: string) {
    this.kubeconfig = path.join(dir, "replica.kubeconfig");
    fs.writeFileSync(this.kubeconfig, testKubeconfigAt(port), { mode: 0o600 });
  }

  /** Starts it and returns once it answers /readyz. */
  async start(): Promise<void> {
    const [bin, ...args] = clusterApiServerCommand();
    // On loopback, where its kubeconfig points (the cluster's own binds the node's bridge), and
    // out of the kubernetes Service's endpoints, so pods never reach it and its crash is its alone.
    const replaced: Record<string, string> = {
      "--secure-port": String(this.port),
      "--bind-address": "127.0.0.1",
      "--endpoint-reconciler-type": "none",
    };
    const replicaArgs = [
      ...args.filter((a) => !(a.split("=")[0] in replaced)),
      ...Object.entries(replaced).map(([flag, value]) => `${flag}=${value}`),
    ];
    const log = fs.openSync(path.join(this.dir, "replica-apiserver.log"), "a");
    this.child = spawn(bin, replicaArgs, { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    await apiServerReady(this.child, KubeClient.fromKubeconfig(this.kubeconfig), () => `see ${path.join(this.dir, "replica-apiserver.log")}`);
  }

  /** Kills it at once: its clients' connections break, as in a crash. */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }
}
