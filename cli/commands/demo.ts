import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { clusterLayout, clusterUp } from "../cluster/local";
import { buildImages, hostImageSpecs, imageCacheDir, importImages } from "../images/build";
import { localEnv } from "../env";
import { packageRoot, stateDir, toolchainBin, toolchainScript } from "../paths";
import { copyExample, installPackedPackage } from "../workspace";

export const summary = "build what is missing, start the local cluster and controller, and `pulumi up` the gateway example";

const HELP = `usage: agc demo [--stack NAME] [--destroy]

Runs the gateway example (examples/gateway) on the embedded default:
  1. builds the toolchain if it is missing (agc toolchain; once per machine),
  2. starts the local cluster (a real node) and the ALB controller (agc cluster up),
  3. builds the images and imports them into the node (agc images; cached),
  4. installs this package into .agc/demo the way a user would (npm pack + npm install),
  5. runs \`pulumi up\` there, on a file backend in .agc/, stack dev by default.
Afterwards:
  eval "$(agc cluster env)"; cd .agc/demo; pulumi stack output    to look at it
  agc cluster down                                                to stop the cluster
  agc demo --destroy                                              to remove what it created`;

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const i = args.indexOf("--stack");
  const stack = i >= 0 ? args[i + 1] : "dev";
  if (!stack) throw new Error("--stack needs a name");
  const say = (m: string) => console.error(`demo: ${m}`);

  if (!fs.existsSync(path.join(toolchainBin(), "pulumi"))) {
    say("building the toolchain first (once per machine)");
    const r = spawnSync("bash", [toolchainScript], { stdio: "inherit" });
    if (r.status !== 0) return r.status ?? 1;
  }
  const state = stateDir();
  const layout = clusterLayout(state);
  await clusterUp(toolchainBin(), layout, say, { controller: true });
  importImages(await buildImages(hostImageSpecs(packageRoot, toolchainBin()), imageCacheDir(), say), layout.node.containerdSocket, say);

  const program = path.join(state, "demo");
  say(`installing pulumi-agc into ${program}`);
  installPackedPackage(program);
  copyExample("gateway", program);

  const env = { ...process.env, ...localEnv(state) };
  const pulumi = (...a: string[]) => spawnSync("pulumi", [...a, "--non-interactive"], { cwd: program, env, stdio: "inherit" }).status ?? 1;
  const quiet = (...a: string[]) => spawnSync("pulumi", a, { cwd: program, env, stdio: "ignore" }).status ?? 1;
  if (quiet("stack", "select", stack) !== 0 && pulumi("stack", "init", stack) !== 0) return 1;
  if (args.includes("--destroy")) return pulumi("destroy", "--yes", "--stack", stack);
  const code = pulumi("up", "--yes", "--stack", stack);
  const agc = `node ${path.relative(process.cwd(), path.join(packageRoot, "bin", "agc.js")) || "bin/agc.js"}`;
  if (code === 0) say(`done. Look at it: eval "$(${agc} cluster env)" && cd ${program} && pulumi stack output`);
  return code;
}
