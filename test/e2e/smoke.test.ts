// The toolchain end to end: the real Pulumi engine, our Node.js language host, the Kubernetes
// provider plugin and the dynamic provider host, against the real local API server.
import { KubeClient } from "../../kube/client";
import * as path from "path";
import { packageRoot } from "../../cli/paths";
import { eventually } from "../dataplane/harness";
import { testClient } from "../support/localCluster";
import { pulumi, pulumiOk, uniqueStack } from "../support/pulumi";

jest.setTimeout(600_000);

const program = path.join(packageRoot, "examples", "smoke");

describe("smoke program on the local cluster", () => {
  const stack = uniqueStack("smoke");
  const namespace = `smoke-${stack}`;
  let kube: KubeClient;

  beforeAll(async () => {
    kube = testClient();
    await pulumiOk(["stack", "init", stack], program);
  });

  afterAll(async () => {
    await pulumi(["destroy", "--yes", "--stack", stack], program);
    await pulumi(["stack", "rm", "--yes", "--force", "--stack", stack], program);
    kube.close();
  });

  test("preview plans every resource and creates nothing", async () => {
    const r = await pulumiOk(["preview", "--stack", stack], program);
    expect(r.stdout).toMatch(/\+ +kubernetes:core\/v1:Namespace +smoke +create/);
    expect(r.stdout).toMatch(/\+ +kubernetes:apps\/v1:Deployment +web +create/);
    expect(r.stdout).toMatch(/\+ +pulumi-nodejs:dynamic:Resource +stamp +create/);
    expect(await kube.find(`/api/v1/namespaces/${namespace}`)).toBeUndefined();
  });

  test("up creates the objects, and the Deployment becomes Available", async () => {
    await pulumiOk(["up", "--yes", "--skip-preview", "--stack", stack], program);
    const cm = await kube.get(`/api/v1/namespaces/${namespace}/configmaps/settings`);
    expect(cm.data.greeting).toBe("hello from pulumi-agc");
    const dep = await kube.get(`/apis/apps/v1/namespaces/${namespace}/deployments/web`);
    const available = dep.status.conditions.find((c: any) => c.type === "Available");
    expect(available.status).toBe("True");
    expect(dep.status.readyReplicas).toBe(2);

    const out = JSON.parse((await pulumiOk(["stack", "output", "--json", "--stack", stack], program)).stdout);
    expect(out.readyReplicas).toBe(2);
    expect(out.stampId).toBe(`stamp-${namespace}/web`);
    expect(out.stampLength).toBe(`${namespace}/web`.length);
  });

  test("refresh finds no drift", async () => {
    const r = await pulumi(["refresh", "--yes", "--expect-no-changes", "--stack", stack], program);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  });

  test("destroy removes everything", async () => {
    await pulumiOk(["destroy", "--yes", "--skip-preview", "--stack", stack], program);
    // The namespace is finalized by the namespace controller after its content is gone.
    await eventually(`namespace ${namespace} gone`, async () => (await kube.find(`/api/v1/namespaces/${namespace}`)) === undefined, 60_000, 500);
    const r = await pulumiOk(["stack", "export", "--stack", stack], program);
    expect(JSON.parse(r.stdout).deployment.resources ?? []).toHaveLength(0);
  });
});
