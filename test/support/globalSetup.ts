import { clusterUp } from "../../cli/cluster/local";
import { requireToolchainBin } from "../../cli/paths";
import { testLayout } from "./localCluster";

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  await clusterUp(requireToolchainBin(), testLayout(), (m) => process.stderr.write(`[test cluster] ${m}\n`));
  process.stderr.write(`[test cluster] ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
