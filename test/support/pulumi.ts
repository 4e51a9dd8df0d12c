// Runs the real Pulumi CLI (from the toolchain) against the test cluster and a file backend.
import { spawn } from "child_process";
import { localEnv } from "../../cli/env";
import { TEST_STATE_DIR, testLayout } from "./localCluster";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function testEnv(): Record<string, string> {
  const env = localEnv(TEST_STATE_DIR);
  return { ...(process.env as Record<string, string>), ...env, KUBECONFIG: testLayout().kubeconfig };
}

/** Runs a command to its end and collects what it printed. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function pulumi(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return run("pulumi", [...args, "--non-interactive"], { cwd, env: { ...testEnv(), ...extraEnv } });
}

/** Fails with Pulumi's own output when a command did not succeed. */
export async function pulumiOk(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const r = await pulumi(args, cwd, extraEnv);
  if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

export function uniqueStack(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}

