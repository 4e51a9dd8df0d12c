// The e2e project's local cluster: started once before the e2e tests (globalSetup) in its own
// state directory and ports, and stopped after them (globalTeardown) unless
// AGC_KEEP_TEST_CLUSTER=1. One real node runs per machine: stop a cluster started by hand
// (`agc cluster down`) before the e2e tests.
import * as fs from "fs";
import * as path from "path";
import { clusterLayout, hostApiServerUrl } from "../../cli/cluster/local";
import { packageRoot } from "../../cli/paths";
import { KubeClient } from "../../kube/client";

export const TEST_STATE_DIR = process.env.AGC_TEST_STATE_DIR ?? path.join(packageRoot, ".agc", "test");
/** AGC_TEST_PORT_BASE moves the test cluster's ports, for two checkouts testing at once. */
const TEST_PORT_BASE = Number(process.env.AGC_TEST_PORT_BASE ?? 17443);

export const testLayout = () => clusterLayout(TEST_STATE_DIR, TEST_PORT_BASE);

/** A client of the test cluster, as its admin. */
export const testClient = () => KubeClient.fromKubeconfig(testLayout().kubeconfig);

/** The test cluster's kubeconfig with its server moved to another port of 127.0.0.1 (a relay, a replica). */
export function testKubeconfigAt(port: number): string {
  const layout = testLayout();
  return fs.readFileSync(layout.kubeconfig, "utf8").replace(hostApiServerUrl(layout), `https://127.0.0.1:${port}`);
}

/** A pod's phase and each container's termination, for messages when a pod does not do what it should. */
export async function describePod(kube: KubeClient, namespace: string, name: string): Promise<string> {
  const pod = await kube.find(`/api/v1/namespaces/${namespace}/pods/${name}`);
  return JSON.stringify({ phase: pod?.status?.phase, conditions: pod?.status?.conditions, containers: pod?.status?.containerStatuses });
}
