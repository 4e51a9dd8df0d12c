// The e2e project's local cluster: started once before the e2e tests (globalSetup) in its own
// state directory and ports, and stopped after them (globalTeardown) unless
// AGC_KEEP_TEST_CLUSTER=1. One real node runs per machine: stop a cluster started by hand
// (`agc cluster down`) before the e2e tests.
import * as path from "path";
import { clusterLayout } from "../../cli/cluster/local";
import { packageRoot } from "../../cli/paths";
import { KubeClient } from "../../kube/client";

export const TEST_STATE_DIR = process.env.AGC_TEST_STATE_DIR ?? path.join(packageRoot, ".agc", "test");
export const TEST_PORT_BASE = Number(process.env.AGC_TEST_PORT_BASE ?? 17443);

export const testLayout = () => clusterLayout(TEST_STATE_DIR, TEST_PORT_BASE);

/** Polls until `probe` gives a value (not undefined or false), or fails naming what it waited for. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (last error: ${last})` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A pod's phase and each container's termination, for messages when a pod does not do what it should. */
export async function describePod(kube: KubeClient, namespace: string, name: string): Promise<string> {
  const pod = await kube.find(`/api/v1/namespaces/${namespace}/pods/${name}`);
  return JSON.stringify({ phase: pod?.status?.phase, conditions: pod?.status?.conditions, containers: pod?.status?.containerStatuses });
}
