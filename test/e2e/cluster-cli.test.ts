// `agc cluster` as a user runs it: up (twice: it is idempotent), status, env, down, with its
// own state directory and ports beside the test cluster. Needs the build (`npm run build`).
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { portIsFree } from "../../cli/cluster/local";
import { packageRoot } from "../../cli/paths";
import { run } from "../support/pulumi";

jest.setTimeout(240_000);

const PORT_BASE = 19443;
const state = fs.mkdtempSync(path.join(os.tmpdir(), "agc-cluster-cli-"));

const agc = (...args: string[]) => run(process.execPath, [path.join(packageRoot, "bin", "agc.js"), ...args], { env: { ...process.env, AGC_STATE_DIR: state } });

const pids = () =>
  fs.readdirSync(path.join(state, "cluster")).filter((f) => f.endsWith(".pid")).map((f) => Number(fs.readFileSync(path.join(state, "cluster", f), "utf8")));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  await agc("cluster", "down");
  fs.rmSync(state, { recursive: true, force: true });
});

test("up starts a ready cluster with the controller, and a second up starts nothing", async () => {
  const first = await agc("cluster", "up", "--port-base", String(PORT_BASE));
  expect(first.code).toBe(0);
  expect(first.stderr).toMatch(/node agc-node-1 is Ready/);
  expect(first.stderr).toMatch(/started agc-controller/);

  const again = await agc("cluster", "up");
  expect(again.code).toBe(0);
  expect(again.stderr).not.toMatch(/started /);
  expect(again.stderr).toMatch(/kube-apiserver already running/);
});

test("status lists every process and the ready API on the chosen port", async () => {
  const r = await agc("cluster", "status");
  expect(r.code).toBe(0);
  for (const name of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "agc-controller"]) {
    expect(r.stdout).toMatch(new RegExp(`^${name} +running \\(pid \\d+\\)$`, "m"));
  }
  expect(r.stdout).toContain(`ready at https://127.0.0.1:${PORT_BASE}`);
  expect(r.stdout).toMatch(/agc-node-1 \(Ready\)/);
});

test("env prints exports a shell can evaluate", async () => {
  const r = await agc("cluster", "env");
  const shown = await new Promise<string>((resolve) => {
    const sh = spawn("sh", ["-c", `${r.stdout}\nprintf '%s|%s' "$KUBECONFIG" "$PULUMI_BACKEND_URL"`]);
    let out = "";
    sh.stdout.on("data", (c) => (out += c));
    sh.on("close", () => resolve(out));
  });
  expect(shown).toBe(`${path.join(state, "kubeconfig")}|file://${path.join(state, "pulumi-state")}`);
});

test("down stops every process and frees the ports", async () => {
  const running = pids();
  expect(running.length).toBe(6);
  const r = await agc("cluster", "down");
  expect(r.code).toBe(0);
  expect(running.filter(alive)).toEqual([]);
  for (const port of [PORT_BASE, PORT_BASE + 1, PORT_BASE + 2]) expect(await portIsFree(port)).toBe(true);
  const status = await agc("cluster", "status");
  expect(status.code).toBe(1);
  expect(status.stdout).toContain("not answering");
});
