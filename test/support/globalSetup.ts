import * as fs from "fs";
import { clusterDown, clusterUp } from "../../cli/cluster/local";
import { buildImages, hostImageSpecs, imageCacheDir, importImages } from "../../cli/images/build";
import { packageRoot, requireToolchainBin } from "../../cli/paths";
import { TEST_STATE_DIR, testLayout } from "./localCluster";

/**
 * A fresh cluster and Pulumi backend per run: nothing a previous run left can change the
 * outcome. The images (echo backend, controller, data plane) are imported before any test runs.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const log = (m: string) => process.stderr.write(`[test cluster] ${m}\n`);
  await clusterDown(testLayout(), log);
  fs.rmSync(TEST_STATE_DIR, { recursive: true, force: true });
  const bin = requireToolchainBin();
  await clusterUp(bin, testLayout(), log);
  importImages(await buildImages(hostImageSpecs(packageRoot, bin), imageCacheDir(), log), testLayout().node.containerdSocket, log);
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
