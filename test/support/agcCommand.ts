// The `agc` command of the build (bin/agc.js) as a user runs it, with a state directory of its
// own: what the host tests drive.
import * as path from "path";
import { packageRoot } from "../../cli/paths";
import { run, RunResult } from "./pulumi";

/** `agc ARGS...` with AGC_STATE_DIR set to `stateDir`, run to its end. */
export function agcWithState(stateDir: string): (...args: string[]) => Promise<RunResult> {
  return (...args) => run(process.execPath, [path.join(packageRoot, "bin", "agc.js"), ...args], { env: { ...process.env, AGC_STATE_DIR: stateDir } });
}
