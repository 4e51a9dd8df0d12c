import * as fs from "fs";
import { clusterDown, clusterUp } from "../../cli/cluster/local";
import { requireToolchainBin } from "../../cli/paths";
import { TEST_STATE_DIR, testLayout } from "./localCluster";

/** A fresh cluster and Pulumi backend per run: nothing a previous run left can change the outcome. */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const log = (m: string) => process.stderr.write(`[test cluster] ${m}\n`);
  await clusterDown(testLayout(), log);
  fs.rmSync(TEST_STATE_DIR, { recursive: true, force: true });
  await clusterUp(requireToolchainBin(), testLayout(), log);
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
