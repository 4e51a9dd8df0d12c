// `agc controller` and `agc controller bootstrap` as their pods run them, with the API server
// out of reach (a kubeconfig whose server refuses connections): the probes answer from the
// start, liveness holds, readiness says what the process waits for. Runs the built command
// (`npm run build` first).
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packageRoot } from "../../../cli/paths";
import { eventually, httpGet } from "../../dataplane/harness";
import { UNREACHABLE_KUBECONFIG } from "../../support/unreachableCluster";

jest.setTimeout(30_000);

interface Started {
  child: ChildProcess;
  output: () => string;
  port: number;
}

const children: ChildProcess[] = [];
let dir: string;
let kubeconfig: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-probes-"));
  kubeconfig = path.join(dir, "kubeconfig");
  fs.writeFileSync(kubeconfig, UNREACHABLE_KUBECONFIG);
});

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts `agc controller ARGS` with a health endpoint on a free loopback port, and reads that port from its log. */
async function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [path.join(packageRoot, "bin", "agc.js"), "controller", ...args, "--kubeconfig", kubeconfig, "--health-port", "0", "--health-address", "127.0.0.1"]);
  children.push(child);
  let output = "";
  child.stderr!.on("data", (c) => (output += c));
  const port = await eventually("the health endpoint's port in the log", () => /health endpoint on 127\.0\.0\.1:(\d+)/.exec(output)?.[1], 15_000);
  return { child, output: () => output, port: Number(port) };
}

async function probe(port: number, urlPath: string): Promise<{ status: number; body: any }> {
  const { status, body } = await httpGet(port, urlPath);
  return { status, body: JSON.parse(body) };
}

test("a controller replica that cannot reach the lease is alive, and not ready, saying why", async () => {
  const replica = await start(["--leader-elect", "--no-install-crds"]);
  const ready = await eventually("a failed lease attempt", async () => {
    const answer = await probe(replica.port, "/readyz");
    return answer.body.reason === "acquiring the lease" ? undefined : answer;
  });
  expect(ready).toEqual({ status: 503, body: { ready: false, reason: "the lease could not be read or written; trying again" } });
  expect(await probe(replica.port, "/healthz")).toEqual({ status: 200, body: { ok: true } });
});

test("the bootstrap is alive and not ready until the CRDs are installed, and keeps trying", async () => {
  const crds = path.join(dir, "standard");
  fs.mkdirSync(crds);
  fs.writeFileSync(path.join(crds, "gateway.networking.k8s.io_gatewayclasses.yaml"), [
    "apiVersion: apiextensions.k8s.io/v1", "kind: CustomResourceDefinition", "metadata:", "  name: gatewayclasses.gateway.networking.k8s.io",
    "  annotations:", "    gateway.networking.k8s.io/bundle-version: v1.6.3", "    gateway.networking.k8s.io/channel: standard", "",
  ].join("\n"));
  const bootstrap = await start(["bootstrap", "--gateway-api-crds", crds]);
  expect(await probe(bootstrap.port, "/readyz")).toEqual({ status: 503, body: { ready: false, reason: "installing the CRDs (ours and Gateway API v1.6.3)" } });
  expect(await probe(bootstrap.port, "/healthz")).toEqual({ status: 200, body: { ok: true } });
  await eventually("a failed attempt in the log", () => /bootstrap: installing the CRDs failed: .*; trying again in \d+\.\d s/.test(bootstrap.output()) || undefined);
});

test("the bootstrap refuses a directory without a Gateway API release's CRDs before connecting", async () => {
  const empty = fs.mkdtempSync(path.join(dir, "empty-"));
  const child = spawn(process.execPath, [path.join(packageRoot, "bin", "agc.js"), "controller", "bootstrap", "--gateway-api-crds", empty, "--kubeconfig", kubeconfig]);
  children.push(child);
  let output = "";
  child.stderr!.on("data", (c) => (output += c));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  expect(code).toBe(1);
  expect(output).toContain(`agc: Gateway API CRDs: no CustomResourceDefinition in ${empty}; expected the files of a Gateway API release's config/crd/standard`);
});
