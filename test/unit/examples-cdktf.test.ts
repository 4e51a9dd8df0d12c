// examples/cdktf: examples/websocket as a CDK for Terraform app. Its synth, run as `cdktf synth`
// runs it (`node main.js`, outdir and context from the environment), must write the objects
// the Pulumi program applies, each waited for as the Pulumi resources wait, and the same
// objects as examples/gitops where the two overlap. An impossible plan fails the synth with
// the message `pulumi preview` prints. Needs the build (`npm run build`): the app imports
// `pulumi-agc/cdktf` from dist/.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packageRoot } from "../../cli/paths";
import { readManifests } from "../support/manifests";

type Obj = Record<string, any>;

const EXAMPLE = path.join(packageRoot, "examples", "cdktf");
const GITOPS = path.join(packageRoot, "examples", "gitops");
/** Off: the synth would otherwise read the cluster of ~/.kube/config for other stacks' gateways. */
const NO_CLUSTER_READ = JSON.stringify({ "agc:readCluster": false });

/**
 * A directory where `require` finds this package's build and its peers (cdktf, constructs,
 * the Kubernetes provider) as an app's node_modules would hold them.
 */
function appDirectory(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-cdktf-"));
  const modules = path.join(dir, "node_modules");
  fs.mkdirSync(path.join(modules, "@cdktf"), { recursive: true });
  fs.symlinkSync(packageRoot, path.join(modules, "pulumi-agc"), "dir");
  for (const name of ["cdktf", "constructs", "@cdktf/provider-kubernetes"]) {
    fs.symlinkSync(path.join(packageRoot, "node_modules", name), path.join(modules, name), "dir");
  }
  return dir;
}

/** `node ARGS...` in `cwd`, writing to `outdir`, with the cluster read off. */
function synth(cwd: string, outdir: string, args: string[]) {
  return spawnSync(process.execPath, args, {
    cwd,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: NO_CLUSTER_READ },
  });
}

const readJson = (file: string): Obj => JSON.parse(fs.readFileSync(file, "utf8"));
const describeObject = (o: Obj) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

let dir: string;
let outdir: string;
let alb: Obj;
let gateway: Obj;
let manifest: Obj;

beforeAll(() => {
  if (!fs.existsSync(path.join(packageRoot, "dist", "cdktf", "index.js"))) throw new Error("dist/cdktf is missing: run `npm run build` first");
  dir = appDirectory();
  for (const file of ["main.js", "cdktf.json"]) fs.copyFileSync(path.join(EXAMPLE, file), path.join(dir, file));
  outdir = path.join(dir, "cdktf.out");
  const run = synth(dir, outdir, ["main.js"]);
  if (run.status !== 0) throw new Error(`node main.js exited ${run.status}: ${run.stderr}`);
  alb = readJson(path.join(outdir, "stacks", "alb", "cdk.tf.json"));
  gateway = readJson(path.join(outdir, "stacks", "gateway", "cdk.tf.json"));
  manifest = readJson(path.join(outdir, "manifest.json"));
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The stack's kubernetes_manifest resources, by Terraform name. */
const manifestsOf = (stack: Obj): Record<string, Obj> => stack.resource.kubernetes_manifest;
/** The one kubernetes_manifest of the stack whose object is `kind` `name`. */
function resourceOf(stack: Obj, kind: string, name: string): Obj {
  const found = Object.values(manifestsOf(stack)).filter((r) => r.manifest.kind === kind && r.manifest.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}
/** What two tools writing the same object must agree on: identity and spec. */
const identityAndSpec = (o: Obj) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace, spec: o.spec });

describe("examples/cdktf", () => {
  test("cdktf.json runs main.js, with no provider to generate (the Kubernetes provider's bindings are prebuilt)", () => {
    expect(readJson(path.join(EXAMPLE, "cdktf.json"))).toMatchObject({ app: "node main.js", terraformProviders: [] });
  });

  test("two stacks, gateway after alb, with no warning", () => {
    expect(Object.keys(manifest.stacks)).toEqual(["alb", "gateway"]);
    expect(manifest.stacks.gateway.dependencies).toEqual(["alb"]);
    expect(manifest.stacks.alb.annotations).toEqual([]);
    expect(manifest.stacks.gateway.annotations).toEqual([]);
  });

  test("stack alb is the controller's install without the GatewayClass, both Deployments waited for until rolled out", () => {
    expect(Object.keys(alb.resource)).toEqual(["kubernetes_manifest"]);
    expect(Object.values(manifestsOf(alb)).map((r) => describeObject(r.manifest)).sort()).toEqual([
      "ClusterRole alb-controller",
      "ClusterRole alb-controller-bootstrap",
      "ClusterRoleBinding alb-controller",
      "ClusterRoleBinding alb-controller-bootstrap",
      "Deployment agc-system/alb-controller",
      "Deployment agc-system/alb-controller-bootstrap",
      "IngressClass agc",
      "Namespace agc-system",
      "Role agc-system/alb-controller-leader-election",
      "RoleBinding agc-system/alb-controller-leader-election",
      "ServiceAccount agc-system/alb-controller",
      "ServiceAccount agc-system/alb-controller-bootstrap",
    ]);
    for (const name of ["alb-controller", "alb-controller-bootstrap"]) {
      expect(resourceOf(alb, "Deployment", name)).toMatchObject({ wait: { rollout: true }, timeouts: { create: "10m", update: "10m" } });
    }
    expect(resourceOf(alb, "Deployment", "alb-controller").manifest.spec.replicas).toBe(2);
    expect(alb.provider.kubernetes).toHaveLength(1);
  });

  test("stack gateway holds the GatewayClass agc, the four custom resources waited for until Succeeded, and the echo service", () => {
    expect(Object.values(manifestsOf(gateway)).map((r) => `${r.manifest.apiVersion} ${describeObject(r.manifest)}`).sort()).toEqual([
      "alb.agc.dev/v1alpha1 Association agc-system/gw-assoc",
      "alb.agc.dev/v1alpha1 Frontend agc-system/fe",
      "alb.agc.dev/v1alpha1 HealthCheckPolicy default/echo",
      "alb.agc.dev/v1alpha1 RoutePolicy default/echo",
      "alb.agc.dev/v1alpha1 SubnetDelegation agc-system/alb-subnet",
      "alb.agc.dev/v1alpha1 TrafficController agc-system/gw",
      "apps/v1 Deployment default/echo",
      "gateway.networking.k8s.io/v1 Gateway default/echo",
      "gateway.networking.k8s.io/v1 GatewayClass agc",
      "gateway.networking.k8s.io/v1 HTTPRoute default/echo",
      "v1 Service default/echo",
    ]);
    expect(resourceOf(gateway, "GatewayClass", "agc").manifest.spec).toEqual({
      controllerName: "alb.agc.dev/alb-controller",
      description: "Application Gateway for Containers, self-hosted (pulumi-agc)",
    });
    for (const [kind, name] of [["SubnetDelegation", "alb-subnet"], ["TrafficController", "gw"], ["Association", "gw-assoc"], ["Frontend", "fe"]]) {
      expect(resourceOf(gateway, kind!, name!)).toMatchObject({
        wait: { fields: { "status.provisioningState": "Succeeded" } },
        timeouts: { create: "300s", update: "300s" },
      });
    }
    expect(resourceOf(gateway, "Deployment", "echo").wait).toEqual({ rollout: true });
  });

  test("the custom resources' specs, owned by the stack, and each created after what it references", () => {
    const spec = (kind: string, name: string) => resourceOf(gateway, kind, name).manifest.spec;
    expect(spec("SubnetDelegation", "alb-subnet")).toEqual({
      location: "westeurope",
      virtualNetworkName: "default",
      virtualNetworkAddressSpace: ["10.1.0.0/16"],
      addressPrefix: "10.1.0.0/24",
      delegation: "Microsoft.ServiceNetworking/trafficControllers",
    });
    expect(spec("TrafficController", "gw")).toEqual({ location: "westeurope", tags: { app: "websocket" } });
    expect(spec("Association", "gw-assoc")).toEqual({ associationType: "subnets", subnetRef: { name: "alb-subnet" }, trafficControllerRef: { name: "gw" } });
    expect(spec("Frontend", "fe")).toEqual({ trafficControllerRef: { name: "gw" }, type: "public" });
    expect(resourceOf(gateway, "Frontend", "fe").manifest.metadata.annotations).toEqual({ "alb.agc.dev/name": "fe", "alb.agc.dev/owner": "cdktf/gateway" });

    expect(resourceOf(gateway, "Association", "gw-assoc").depends_on).toEqual(["kubernetes_manifest.gw_manifest_7CA1DE5D", "kubernetes_manifest.alb-subnet_manifest_A3EAD459"]);
    expect(resourceOf(gateway, "Frontend", "fe").depends_on).toEqual(["kubernetes_manifest.gw_manifest_7CA1DE5D"]);
    expect(manifestsOf(gateway)["gw_manifest_7CA1DE5D"].manifest.kind).toBe("TrafficController");
    expect(manifestsOf(gateway)["alb-subnet_manifest_A3EAD459"].manifest.kind).toBe("SubnetDelegation");
  });

  test("the echo service: after the association; a Gateway bound to the Frontend and created after it, the HTTPRoute last", () => {
    const gw = resourceOf(gateway, "Gateway", "echo");
    expect(gw.manifest.spec.addresses).toEqual([{ type: "alb.agc.dev/alb-frontend", value: "agc-system/fe" }]);
    expect(gw.depends_on).toEqual(["kubernetes_manifest.gw-assoc_manifest_294722EA", "kubernetes_manifest.fe_manifest_9FE2B6E8"]);
    expect(resourceOf(gateway, "Deployment", "echo").depends_on).toEqual(["kubernetes_manifest.gw-assoc_manifest_294722EA"]);
    expect(resourceOf(gateway, "HTTPRoute", "echo").depends_on).toEqual([
      "kubernetes_manifest.gw-assoc_manifest_294722EA",
      "kubernetes_manifest.echo_deployment_DC7C5F5F",
      "kubernetes_manifest.echo_service_0E19AE44",
      "kubernetes_manifest.echo_healthCheckPolicy_CFD122E5",
      "kubernetes_manifest.echo_gateway_3E6F34C7",
      "kubernetes_manifest.echo_routePolicy_2DDAECC8",
    ]);
    expect(resourceOf(gateway, "HTTPRoute", "echo").manifest.spec.hostnames).toEqual(["ws.contoso.com"]);
    expect(resourceOf(gateway, "HealthCheckPolicy", "echo").manifest.spec.default).toEqual({ interval: "2s", http: { path: "/health" } });
    expect(resourceOf(gateway, "Deployment", "echo").manifest.spec.replicas).toBe(2);
  });

  test("outputs: fqdn read back from the Frontend's status, url from the host name", () => {
    expect(gateway.output).toEqual({
      fqdn: { value: "${data.kubernetes_resource.fe_status_60DC46E3.object.status.fqdn}" },
      url: { value: "ws://ws.contoso.com/" },
    });
    const status = gateway.data.kubernetes_resource.fe_status_60DC46E3;
    expect(status).toMatchObject({ api_version: "alb.agc.dev/v1alpha1", kind: "Frontend", metadata: { name: "fe", namespace: "agc-system" } });
    expect(status.depends_on).toEqual(["kubernetes_manifest.fe_manifest_9FE2B6E8"]);
  });

  test("the gateway's custom resources are those of examples/gitops/gateway.yaml", () => {
    const gitops = readManifests(path.join(GITOPS, "gateway.yaml"));
    expect(gitops.map((o) => o.kind)).toEqual(["SubnetDelegation", "TrafficController", "Association", "Frontend"]);
    for (const o of gitops) {
      expect(identityAndSpec(resourceOf(gateway, o.kind, o.metadata.name).manifest)).toEqual(identityAndSpec(o));
    }
  });

  test("the echo service's objects are those of examples/gitops/app.yaml, in namespace default rather than echo", () => {
    const gitops = readManifests(path.join(GITOPS, "app.yaml")).filter((o) => o.kind !== "Namespace");
    expect(gitops.map((o) => o.kind)).toEqual(["Deployment", "Service", "HealthCheckPolicy", "Gateway", "RoutePolicy", "HTTPRoute"]);
    for (const o of gitops) {
      // app.yaml's one difference: a namespace of its own; and Argo CD's annotations.
      const { annotations: _annotations, ...metadata } = o.metadata;
      expect(o.metadata.namespace).toBe("echo");
      expect(resourceOf(gateway, o.kind, o.metadata.name).manifest).toEqual({ ...o, metadata: { ...metadata, namespace: "default" } });
    }
  });
});

describe("cdktf synth of an impossible plan", () => {
  const SIX_FRONTENDS = `
    const { App, TerraformStack } = require("cdktf");
    const { KubernetesProvider } = require("@cdktf/provider-kubernetes/lib/provider");
    const agc = require("pulumi-agc/cdktf");
    const app = new App();
    const stack = new TerraformStack(app, "gateway");
    new KubernetesProvider(stack, "kubernetes", {});
    const gw = new agc.TrafficController(stack, "gw", { location: "westeurope" });
    for (let i = 1; i <= 6; i++) new agc.Frontend(stack, "fe-" + i, { trafficControllerId: gw.id });
    app.synth();
  `;

  test("a sixth Frontend on one gateway fails the synth with AGC003, as pulumi preview does", () => {
    const app = appDirectory();
    try {
      const run = synth(app, path.join(app, "cdktf.out"), ["-e", SIX_FRONTENDS]);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(
        "Frontend 'fe-6': property trafficControllerId: gateway 'gw' already has 5 frontends (fe-1, fe-2, fe-3, fe-4, fe-5); at most 5 are allowed per gateway [AGC003]",
      );
      expect(fs.existsSync(path.join(app, "cdktf.out", "manifest.json"))).toBe(false);
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
  });
});
