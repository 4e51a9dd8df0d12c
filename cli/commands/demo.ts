import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { clusterLayout, clusterUp } from "../cluster/local";
import { localEnv } from "../env";
import { packageRoot, stateDir, toolchainBin, toolchainScript } from "../paths";

export const summary = "build what is missing, start the local cluster and run `pulumi up` of the example program";

const HELP = `usage: agc demo [--stack NAME] [--destroy]

Runs the example program on the embedded default: builds the toolchain if it is missing,
starts the local cluster (agc cluster up), selects or creates the stack (default: dev) in
the file backend under .agc/, and runs \`pulumi up\`. Afterwards:
  eval "$(agc cluster env)"; pulumi stack output      to look at it
  agc demo --destroy                                  to remove what it created`;

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
  await clusterUp(toolchainBin(), clusterLayout(state), (m) => say(m));
  const env = { ...process.env, ...localEnv(state) };
  const pulumi = (...a: string[]) => spawnSync("pulumi", [...a, "--non-interactive"], { cwd: packageRoot, env, stdio: "inherit" }).status ?? 1;
  const quiet = (...a: string[]) => spawnSync("pulumi", a, { cwd: packageRoot, env, stdio: "ignore" }).status ?? 1;

  if (quiet("stack", "select", stack) !== 0 && pulumi("stack", "init", stack) !== 0) return 1;
  if (args.includes("--destroy")) return pulumi("destroy", "--yes", "--stack", stack);
  const code = pulumi("up", "--yes", "--stack", stack);
  if (code === 0) say(`done. Look at it with: eval "$(node ${path.join(packageRoot, "bin", "agc.js")} cluster env)" && pulumi stack output --stack ${stack}`);
  return code;
}
