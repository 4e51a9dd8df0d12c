// The e2e project's local cluster: started once before the e2e tests (globalSetup) in its own
// state directory and ports, so it never touches a cluster a developer started by hand, and
// stopped after them (globalTeardown) unless AGC_KEEP_TEST_CLUSTER=1.
import * as path from "path";
import { clusterLayout } from "../../cli/cluster/local";
import { packageRoot } from "../../cli/paths";

export const TEST_STATE_DIR = process.env.AGC_TEST_STATE_DIR ?? path.join(packageRoot, ".agc", "test");
/** AGC_TEST_PORT_BASE moves the test cluster's ports, for two checkouts testing at once. */
export const TEST_PORT_BASE = Number(process.env.AGC_TEST_PORT_BASE ?? 17443);

export const testLayout = () => clusterLayout(TEST_STATE_DIR, TEST_PORT_BASE);
