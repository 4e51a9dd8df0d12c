import { clusterDown } from "../../cli/cluster/local";
import { testLayout } from "./localCluster";

export default async function globalTeardown(): Promise<void> {
  if (process.env.AGC_KEEP_TEST_CLUSTER === "1") return;
  await clusterDown(testLayout(), (m) => process.stderr.write(`[test cluster] ${m}\n`));
}
