// CDKTF on the local cluster: two stacks synthesized with the cluster read at synth (`alb` with
// the controller's install, `gateway` with the GatewayClass, a gateway on a delegated subnet, a
// frontend and a WebSocket service), their kubernetes_manifest objects applied as Terraform
// would (test/support/terraformApply.ts), reconciled by the controller to Succeeded, and a
// WebSocket message through the frontend. Then synth again, as on the next plan: this stack's
// own objects are not counted twice, while another stack's plan counts them.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Construct } from "constructs";
import * as agc from "../../cdktf";
import { webSocketRoundTrip } from "../../cli/demo/proof";
import { KubeClient, resourcePath } from "../../kube/client";
import { eventually } from "../dataplane/harness";
import { INVALID_STACKS, synthStack } from "../support/cdktfStacks";
import { programmedAddress } from "../support/gatewayApi";
import { testClient, testLayout } from "../support/localCluster";
import { uninstallAndWait, waitWhileTerminating } from "../support/manifests";
import { applySynthesized } from "../support/terraformApply";

jest.setTimeout(900_000);

type Obj = Record<string, any>;

const FIELD_MANAGER = "cdktf-test";
const HOST = "ws.contoso.com";
const NAMESPACE = "agc-system";

/** The gateway stack's resources: one association per gateway, so counting them twice would break AGC001. */
function gatewayResources(stack: Construct): void {
  new agc.AlbGatewayClass(stack, "gateway-class");
  const subnet = new agc.SubnetDelegation(stack, "cdktf-subnet", {
    location: "westeurope", virtualNetworkName: "cdktf", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24",
  });
  const gw = new agc.TrafficController(stack, "cdktf-gw", { location: "westeurope" });
  new agc.Association(stack, "cdktf-assoc", { trafficControllerId: gw.id, subnetId: subnet.id });
  const fe = new agc.Frontend(stack, "cdktf-fe", { trafficControllerId: gw.id });
  new agc.WebSocketService(stack, "cdktf-echo", { hostname: HOST, frontend: fe, replicas: 1, healthCheck: { path: "/health", intervalSeconds: 2 } });
}

/** Both stacks synthesized into a temporary directory, the cluster read through each stack's provider. */
function synthBoth(): { alb: Obj; gateway: Obj } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-cdktf-e2e-"));
  try {
    const app = new App({ outdir });
    const configPath = testLayout().kubeconfig;
    const alb = new TerraformStack(app, "alb");
    new KubernetesProvider(alb, "kubernetes", { configPath });
    new agc.AlbController(alb, "alb", { replicas: 1 });
    const gateway = new TerraformStack(app, "gateway");
    new KubernetesProvider(gateway, "kubernetes", { configPath });
    gateway.addDependency(alb);
    gatewayResources(gateway);
    app.synth();
    const read = (name: string) => JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
    return { alb: read("alb"), gateway: read("gateway") };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const kindsOf = (config: Obj) => Object.values(config.resource.kubernetes_manifest as Obj).map((r) => `${r.manifest.kind}/${r.manifest.metadata.name}`).sort();
/** What the stack's kubernetes_resource data sources read: the object as the API server has it. */
const ours = (plural: string, name: string) => client.get(resourcePath("alb.agc.dev/v1alpha1", plural, NAMESPACE, name));

let client: KubeClient;
let configs: { alb: Obj; gateway: Obj };
/** What each stack applied, in order. */
let install: Obj[] = [];
let gatewayObjects: Obj[] = [];
let address: string;

beforeAll(async () => {
  client = testClient();
  await waitWhileTerminating(client, [NAMESPACE]);
  configs = synthBoth();
  install = await applySynthesized(client, configs.alb, FIELD_MANAGER);
  gatewayObjects = await applySynthesized(client, configs.gateway, FIELD_MANAGER);
  address = await eventually("Gateway default/cdktf-echo Programmed with an address", () => programmedAddress(client, "default", "cdktf-echo"), 180_000, 1_000);
});

afterAll(async () => {
  // Deleted last created first: the gateway stack's objects, then the install.
  if (client) await uninstallAndWait(client, install, gatewayObjects);
  client?.close();
});

test("the alb stack holds the install but the GatewayClass, which the gateway stack holds", () => {
  expect(kindsOf(configs.alb)).toEqual([
    "ClusterRole/alb-controller",
    "ClusterRole/alb-controller-bootstrap",
    "ClusterRoleBinding/alb-controller",
    "ClusterRoleBinding/alb-controller-bootstrap",
    "Deployment/alb-controller",
    "Deployment/alb-controller-bootstrap",
    "IngressClass/agc",
    "Namespace/agc-system",
    "Role/alb-controller-leader-election",
    "RoleBinding/alb-controller-leader-election",
    "ServiceAccount/alb-controller",
    "ServiceAccount/alb-controller-bootstrap",
  ]);
  expect(kindsOf(configs.gateway)).toEqual([
    "Association/cdktf-assoc",
    "Deployment/cdktf-echo",
    "Frontend/cdktf-fe",
    "Gateway/cdktf-echo",
    "GatewayClass/agc",
    "HTTPRoute/cdktf-echo",
    "HealthCheckPolicy/cdktf-echo",
    "RoutePolicy/cdktf-echo",
    "Service/cdktf-echo",
    "SubnetDelegation/cdktf-subnet",
    "TrafficController/cdktf-gw",
  ]);
});

test("every custom resource reached Succeeded; the status the stack's outputs read is there", async () => {
  for (const [plural, name] of [["trafficcontrollers", "cdktf-gw"], ["frontends", "cdktf-fe"], ["associations", "cdktf-assoc"], ["subnetdelegations", "cdktf-subnet"]]) {
    expect((await ours(plural!, name!)).status?.provisioningState).toBe("Succeeded");
  }
  expect((await ours("associations", "cdktf-assoc")).status.allocatedPrefix).toBe("10.1.0.0/24");
  expect((await ours("frontends", "cdktf-fe")).status.fqdn).toMatch(/^[0-9a-f]{16}\.fz[0-9a-f]{6}\.alb\.agc\.local$/);
});

test("a WebSocket message sent to the frontend's address with Host ws.contoso.com comes back", async () => {
  const echoed = await eventually("an echo through the gateway", async () => (await webSocketRoundTrip(address, HOST, "hello from cdktf")).echoed, 120_000, 500);
  expect(echoed).toBe("hello from cdktf");
});

test("the next synth of the same stack, with its objects in the cluster, does not count them twice", () => {
  const { error } = synthStack(gatewayResources, testLayout().kubeconfig);
  expect(error).toBeUndefined();
});

test("another stack's plan counts what this one created: a second association on the gateway fails at synth", () => {
  const { error } = synthStack((s) => {
    const subnet = new agc.SubnetDelegation(s, "other-subnet", {
      location: "westeurope", virtualNetworkName: "other", virtualNetworkAddressSpace: ["10.9.0.0/16"], addressPrefix: "10.9.0.0/24",
    });
    new agc.Association(s, "other-assoc", { trafficControllerId: "agc-system/trafficcontrollers/cdktf-gw", subnetId: subnet.id });
  }, testLayout().kubeconfig, "other");
  expect(error).toContain(
    "[other/other-assoc] Association 'other-assoc': property trafficControllerId: gateway 'cdktf-gw' already has 1 association (cdktf-assoc); at most 1 is allowed per gateway [AGC001]",
  );
});

test("with the cluster read, a reference to a gateway that exists nowhere fails at synth (AGC022)", () => {
  const { error } = synthStack(INVALID_STACKS.AGC022, testLayout().kubeconfig);
  expect(error).toContain("[gateway/fe] Frontend 'fe': property trafficControllerId:");
  expect(error).toContain("[AGC022]");
});
