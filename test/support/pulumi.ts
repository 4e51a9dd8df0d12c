// Runs the real Pulumi CLI (from the toolchain) against the test cluster and a file backend.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { copyExample, installPackedPackage } from "../../cli/workspace";
import { localEnv } from "../../cli/env";
import { TEST_STATE_DIR, testLayout } from "./localCluster";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function testEnv(): Record<string, string> {
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

export interface ExampleStack {
  /** The program's directory in its workspace. */
  dir: string;
  stack: string;
  /** What `pulumi up` printed. */
  upOutput: string;
  outputs: Record<string, any>;
  /** Set once `pulumi destroy` of the stack succeeded. */
  destroyed?: boolean;
}

/**
 * An example program as a user runs it: the packed package installed into a new workspace, the
 * example copied beside it, a stack made and brought up; its outputs read back.
 */
export async function upExample(example: string, stack: string): Promise<ExampleStack> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `agc-${example}-`));
  installPackedPackage(workspace);
  const dir = path.join(workspace, example);
  copyExample(example, dir);
  await pulumiOk(["stack", "init", stack], dir);
  const upOutput = (await pulumiOk(["up", "--yes", "--stack", stack], dir)).stdout;
  const outputs = JSON.parse((await pulumiOk(["stack", "output", "--json", "--stack", stack], dir)).stdout);
  return { dir, stack, upOutput, outputs };
}

/** `pulumi destroy` of an example's stack; fails with Pulumi's output when destroy does. */
export async function destroyStack(example: ExampleStack): Promise<void> {
  await pulumiOk(["destroy", "--yes", "--stack", example.stack], example.dir);
  example.destroyed = true;
}

/** Destroys an example's stack unless that was done (reporting, not throwing, a failure) and removes its workspace. */
export async function destroyExample(example: ExampleStack | undefined): Promise<void> {
  if (!example) return;
  if (!example.destroyed) await destroyStack(example).catch((e) => process.stderr.write(`${e}\n`));
  fs.rmSync(path.dirname(example.dir), { recursive: true, force: true });
}
