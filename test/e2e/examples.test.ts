// The examples through the real engine, with the package installed the way a user installs it
// (npm pack, then npm install of the tarball): every invalid program is rejected by
// `pulumi preview` with its rule's code, with the cluster reachable and without; the valid one
// goes through up, refresh and destroy with the controller running.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installCrds } from "../../controller/bootstrap";
import { Controller } from "../../controller/run";
import { KubeClient } from "../../kube/client";
import { testClient, testLayout } from "../support/localCluster";
import { pulumi, pulumiOk, uniqueStack } from "../support/pulumi";
import { copyExample, installPackedPackage } from "../../cli/workspace";
import { packageRoot } from "../../cli/paths";
import { DEFAULT_NAMESPACE } from "../../model/kinds";
import { INVALID_EXAMPLES, PREVIEW_RULES, invalidProgramsOf } from "../support/invalidExamples";
import { UNREACHABLE_KUBECONFIG } from "../support/unreachableCluster";

jest.setTimeout(900_000);

// The programs of the rules preview enforces (test/support/invalidExamples.ts states which;
// test/unit/examples.test.ts checks that each has its program).
const invalidPrograms = PREVIEW_RULES.flatMap((rule) => invalidProgramsOf(rule).map((program) => [program, rule] as const));

let workspace: string;
let unreachable: string;

/** Installs the packed package into a workspace, and copies the examples beside it. */
function installWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-examples-"));
  installPackedPackage(dir);
  fs.cpSync(INVALID_EXAMPLES, path.join(dir, "invalid"), { recursive: true });
  copyExample("gateway", path.join(dir, "gateway"));
  return dir;
}

beforeAll(() => {
  workspace = installWorkspace();
  unreachable = path.join(workspace, "unreachable.kubeconfig");
  fs.writeFileSync(unreachable, UNREACHABLE_KUBECONFIG);
});

afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

async function preview(dir: string, kubeconfig: string) {
  await pulumi(["stack", "init", "test"], dir, { KUBECONFIG: kubeconfig });
  const started = Date.now();
  const r = await pulumi(["preview", "--stack", "test"], dir, { KUBECONFIG: kubeconfig });
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

describe.each([
  ["with the cluster reachable", () => testLayout().kubeconfig],
  ["with no cluster reachable", () => unreachable],
])("invalid programs, %s", (_label, kubeconfig) => {
  test.each(invalidPrograms)("%s is rejected at preview with %s", async (program, rule) => {
    const dir = path.join(workspace, "invalid", program);
    const r = await preview(dir, kubeconfig());
    const output = r.stdout + r.stderr;
    if (kubeconfig() === unreachable && fs.existsSync(path.join(dir, ".needs-cluster"))) {
      // Only the cluster can tell: without it the preview passes, saying what it could not check.
      expect(r.code).toBe(0);
      expect(output).toMatch(/could not read the cluster/);
      return;
    }
    expect(r.code).not.toBe(0);
    expect(output).toContain(`[${rule}]`);
    // Nothing was created: preview never writes.
    expect(output).not.toMatch(/created \(/);
    process.stderr.write(`${program}: rejected in ${r.seconds.toFixed(1)} s\n`);
  });
});

describe("the repository's own program (Pulumi.yaml at its root)", () => {
  const stack = uniqueStack("root");

  afterAll(async () => {
    await pulumi(["stack", "rm", "--yes", "--force", "--stack", stack], packageRoot);
  });

  test("is the websocket example, and previews from a clone once built", async () => {
    await pulumiOk(["stack", "init", stack], packageRoot);
    const r = await pulumi(["preview", "--stack", stack], packageRoot, { KUBECONFIG: unreachable });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\+ +agc:index:AlbController +alb +create/);
    expect(r.stdout).toMatch(/\+ +pulumi-nodejs:dynamic\/agc:Frontend +fe +create/);
    expect(r.stdout).toMatch(/\+ +agc:index:WebSocketService +echo +create/);
    expect(r.stdout).toMatch(/\+ +kubernetes:gateway\.networking\.k8s\.io\/v1:HTTPRoute +echo +create/);
  });
});

describe("the gateway example", () => {
  const dir = () => path.join(workspace, "gateway");
  const stack = uniqueStack("e2e");
  let client: KubeClient;
  let controller: Controller;

  beforeAll(async () => {
    client = testClient();
    await installCrds(client);
    // The example declares its resources in the default namespace; other test files run their
    // own controllers on their own namespaces at the same time.
    controller = new Controller(client, { dnsZone: "alb.test.local", log: () => {}, namespaces: [DEFAULT_NAMESPACE] });
    await controller.start();
    await pulumiOk(["stack", "init", stack], dir());
  });

  afterAll(async () => {
    await pulumi(["destroy", "--yes", "--stack", stack], dir());
    await pulumi(["stack", "rm", "--yes", "--force", "--stack", stack], dir());
    controller.stop();
    client.close();
  });

  test("preview without a cluster passes, and says what it could not check", async () => {
    const r = await pulumi(["preview", "--stack", stack], dir(), { KUBECONFIG: unreachable });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/could not read the cluster.*checked against what this program declares only/s);
  });

  test("up provisions every resource and reports the frontend's host name", async () => {
    // The kubeconfig as a secret input: it must stay encrypted in the state.
    const kubeconfigText = fs.readFileSync(testLayout().kubeconfig, "utf8");
    await pulumiOk(["config", "set", "--secret", "--stack", stack, "kubeconfig", kubeconfigText], dir());
    await pulumiOk(["up", "--yes", "--skip-preview", "--stack", stack], dir(), { KUBECONFIG: unreachable });
    const out = JSON.parse((await pulumiOk(["stack", "output", "--json", "--stack", stack], dir())).stdout);
    expect(out.fqdn).toMatch(/^[0-9a-f]{16}\.fz[0-9a-f]{6}\.alb\.test\.local$/);
    expect(out.url).toBe(`ws://${out.fqdn}/ws`);
    expect(out.allocatedPrefix).toBe("10.1.0.0/24");
    const gw = await client.get("/apis/alb.agc.dev/v1alpha1/namespaces/agc-system/trafficcontrollers/gw");
    expect(gw.status).toMatchObject({ provisioningState: "Succeeded", frontends: ["fe"], associations: ["gw-assoc"] });
    // The kubeconfig went to every resource (KUBECONFIG pointed nowhere) and is in the state
    // only encrypted: no key material in plaintext.
    const state = (await pulumiOk(["stack", "export", "--stack", stack], dir())).stdout;
    expect(state).toContain('"kubeconfig"');
    expect(state).not.toMatch(/client-key-data|certificate-authority-data/);
  });

  test("refresh finds no drift", async () => {
    const r = await pulumi(["refresh", "--yes", "--expect-no-changes", "--stack", stack], dir());
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  });

  test("destroy removes every custom resource", async () => {
    await pulumiOk(["destroy", "--yes", "--skip-preview", "--stack", stack], dir());
    for (const plural of ["trafficcontrollers", "frontends", "associations", "subnetdelegations"]) {
      const list = await client.get(`/apis/alb.agc.dev/v1alpha1/namespaces/agc-system/${plural}`);
      expect(list.items.map((i: any) => i.metadata.name)).toEqual([]);
    }
  });
});
