// A second kube-apiserver of the test cluster: the same etcd, certificates and flags, another
// port. A test can crash and restart it (an API server outage as its clients see it) without
// disturbing the other tests that share the cluster's own API server.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KubeClient } from "../../kube/client";
import { testLayout } from "./localCluster";

function clusterApiServerCommand(): string[] {
  const pid = fs.readFileSync(path.join(testLayout().dir, "kube-apiserver.pid"), "utf8").trim();
  return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
}

export class ApiServerReplica {
  /** A kubeconfig like the cluster's, pointing at this replica. */
  readonly kubeconfig: string;
  private child: ChildProcess | undefined;

  constructor(private readonly port: number, private readonly dir: string) {
    const layout = testLayout();
    this.kubeconfig = path.join(dir, "replica.kubeconfig");
    const text = fs.readFileSync(layout.kubeconfig, "utf8").replace(`https://127.0.0.1:${layout.ports.apiserver}`, `https://127.0.0.1:${port}`);
    fs.writeFileSync(this.kubeconfig, text, { mode: 0o600 });
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
    const client = KubeClient.fromKubeconfig(this.kubeconfig);
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (this.child.exitCode !== null) throw new Error(`the replica API server exited; see ${path.join(this.dir, "replica-apiserver.log")}`);
        if ((await client.request<unknown>("/readyz", { timeoutMs: 3000 }).catch(() => undefined)) === "ok") return;
        if (Date.now() > deadline) throw new Error("the replica API server did not get ready in 90 s");
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      client.close();
    }
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
