// Reads what other stacks created, for clusterRead.ts, which runs this file as a child process:
// CDKTF's validations are synchronous, and the Kubernetes client is not. Input on stdin, one
// JSON document on stdout: { objects } or { error }.
import * as fs from "fs";
import { readOtherStacksObjects } from "../sdk/clusterObjects";

async function main(): Promise<void> {
  const { kubeconfig, context, owners } = JSON.parse(fs.readFileSync(0, "utf8"));
  try {
    process.stdout.write(JSON.stringify({ objects: await readOtherStacksObjects(kubeconfig, owners, context) }));
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: (e as Error).message }));
  }
}

void main();
