// `cdktf synth` of an impossible plan fails with the rule's code and the message `pulumi
// preview` prints, under the construct at fault; values Terraform computes at apply are left to
// the controller, and a reference synth cannot follow is said so.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack, TerraformVariable } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import * as agc from "../../../cdktf";
import { PREVIEW_RULES } from "../../support/invalidExamples";
import { INVALID_STACKS, synthStack } from "../../support/cdktfStacks";

jest.setTimeout(60_000);

const LONG_NAME = "orders-".padEnd(129, "x");

/** What synth prints for each impossible plan, the construct's path first. AGC022 needs the cluster (test/e2e/cdktf.test.ts). */
const EXPECTED: Record<string, string> = {
  AGC001: `[gateway/assoc-b] Association 'assoc-b': property trafficControllerId: gateway 'gw' already has 1 association (assoc-a); at most 1 is allowed per gateway [AGC001]`,
  AGC002: `[gateway/gw-1001] TrafficController 'gw-1001': property name: the cluster already has 1000 gateways (1001 declared); at most 1000 are allowed per cluster: remove gateways or use another cluster [AGC002]`,
  AGC003: `[gateway/fe-6] Frontend 'fe-6': property trafficControllerId: gateway 'gw' already has 5 frontends (fe-1, fe-2, fe-3, fe-4, fe-5); at most 5 are allowed per gateway [AGC003]`,
  AGC004: `[gateway/assoc] Association 'assoc': property subnetId: subnet 'subnet' is delegated to 'Microsoft.Web/serverFarms'; an association's subnet must be delegated to 'Microsoft.ServiceNetworking/trafficControllers' [AGC004]`,
  AGC005: `[gateway/gw-b-assoc] Association 'gw-b-assoc': property subnetId: subnet 'subnet' (10.1.0.0/24) has 256 addresses and already holds 1 association (gw-a-assoc); 2 associations need 512 addresses (2 x 256): use a /23 or larger prefix [AGC005]`,
  AGC006: `[gateway/alb-subnet] SubnetDelegation 'alb-subnet': property delegation: subnet 'alb-subnet' is delegated to 'Microsoft.ServiceNetworking/trafficControllers' but also holds Service default/db; a delegated subnet holds nothing but the service it is delegated to: move them to another subnet [AGC006]`,
  AGC007: `[gateway/assoc] Association 'assoc': property subnetId: subnet 'subnet' is in location 'northeurope' but gateway 'gw' is in 'westeurope'; an association's subnet must be in its gateway's location 'westeurope' [AGC007]`,
  AGC008: `[gateway/subnet] SubnetDelegation 'subnet': property addressPrefix: '10.2.0.0/24' is outside the address space of virtual network 'default' (10.1.0.0/16); choose a prefix inside it, e.g. 10.1.0.0/24 [AGC008]`,
  AGC009: `[gateway/subnet-b] SubnetDelegation 'subnet-b': property addressPrefix: '10.1.1.0/24' overlaps 10.1.0.0/23 of subnet 'subnet-a' in virtual network 'default'; subnets of one virtual network must not overlap: use a free prefix such as 10.1.2.0/24 [AGC009]`,
  AGC010: `[gateway/fe] Frontend 'fe': property type: private frontends are not supported yet; use 'public' (the default) [AGC010]`,
  AGC011: `[gateway/news] Gateway 'default/news': property frontend: frontend 'agc-system/fe' already serves Gateway default/chat; a frontend serves exactly one Gateway or Ingress: give this one its own frontend [AGC011]`,
  AGC012: `[gateway/gateway-web] Gateway 'default/web': property spec.listeners[0].port: 8080 is not an allowed listener port; listeners accept ports 80 (HTTP) and 443 (HTTPS) only [AGC012]`,
  AGC013: `[gateway/gateway-shop] Gateway 'default/shop': property rules: gateway 'default/shop' has 204 routing rules; at most 200 are allowed per gateway [AGC013]`,
  AGC014: `[gateway/orders] HTTPRoute 'default/${LONG_NAME}': property metadata.name: '${LONG_NAME}' has 129 characters; at most 128 are allowed [AGC014]`,
  AGC015: `[gateway/gw] TrafficController '-gateway-': property name: '-gateway-' does not start and end with a letter or digit; a name has 1 to 64 characters (letters, digits, '_', '.', '-') and starts and ends with a letter or digit [AGC015]`,
  AGC016: `[gateway/assoc] Association 'assoc': property associationType: 'vnets' is not an association type; the only type is 'subnets' [AGC016]`,
  AGC017: `[gateway/gw] TrafficController 'gw': property location: the property is required: a location (region) name such as 'westeurope' [AGC017]`,
  AGC018: `[gateway/subnet] SubnetDelegation 'subnet': property addressPrefix: 10.1.0.0/33 is not a valid IPv4 prefix: the length must be 0..32 [AGC018]`,
  AGC019: `[gateway/fe-2] Frontend 'fe-2': property trafficControllerId: 'agc-system/frontends/fe' is the id of a Frontend, not of a TrafficController: expected <namespace>/trafficcontrollers/<name>, e.g. 'agc-system/trafficcontrollers/my-name' [AGC019]`,
  AGC020: `[gateway/gw] TrafficController 'gw': property tags.team: 42 is a number; tag values must be strings [AGC020]`,
  AGC021: `[gateway/fe] Frontend 'fe': property type: 'internal' is not a frontend type; use one of 'public', 'private' ('public' is the default; 'private' is not supported yet) [AGC021]`,
  AGC023: `[gateway/subnet-b] SubnetDelegation 'subnet-b': property virtualNetworkAddressSpace: [10.2.0.0/16] differs from [10.1.0.0/16] declared by subnet 'subnet-a' for virtual network 'hub'; subnets of one virtual network must declare the same address space [AGC023]`,
};

test("every rule preview enforces has an impossible CDKTF stack", () => {
  expect(Object.keys(INVALID_STACKS).sort()).toEqual([...PREVIEW_RULES].sort());
});

describe("impossible plans fail at synth", () => {
  test.each(Object.keys(EXPECTED))("%s", (code) => {
    const { error } = synthStack(INVALID_STACKS[code as keyof typeof INVALID_STACKS]);
    expect(error).toContain("Validation failed with the following errors:");
    expect(error).toContain(EXPECTED[code]);
    // One rule broken, one problem reported.
    expect(error!.match(/\[AGC\d{3}\]/g)).toEqual([`[${code}]`]);
  });
});

test("without the cluster read, a gateway the stack does not declare may be another stack's: synth goes through", () => {
  const { error, config } = synthStack(INVALID_STACKS.AGC022);
  expect(error).toBeUndefined();
  expect(Object.values(config!.resource.kubernetes_manifest).map((r: any) => r.manifest.spec.trafficControllerRef)).toEqual([{ name: "no-such-gateway" }]);
});

test("a value Terraform computes at apply is not judged at synth, and reaches the manifest as a reference", () => {
  const { error, config } = synthStack((s) => {
    const location = new TerraformVariable(s, "location", { type: "string" });
    new agc.TrafficController(s, "gw", { location: location.stringValue });
  });
  expect(error).toBeUndefined();
  const [gateway] = Object.values(config!.resource.kubernetes_manifest) as any[];
  expect(gateway.manifest.spec).toEqual({ location: "${var.location}" });
});

test("a reference that is a Terraform expression: synth warns which rules it skipped, and the object names the gateway at apply", () => {
  const { error, config, warnings } = synthStack((s) => {
    const gatewayId = new TerraformVariable(s, "gateway_id", { type: "string" });
    new agc.Frontend(s, "fe", { trafficControllerId: gatewayId.stringValue });
  });
  expect(error).toBeUndefined();
  expect(warnings).toEqual([
    "[gateway/fe] Frontend 'fe': property trafficControllerId: cannot tell which TrafficController it names: it is a Terraform expression " +
      "(a variable, a function), not the `id` of a TrafficController of this app. " +
      "Skipped at synth for this Frontend: AGC003 (at most 5 frontends per gateway), AGC022 (references point at resources that exist); " +
      "the controller still checks them at apply. To have them checked at synth, pass the TrafficController's `id` itself.",
  ]);
  const [frontend] = Object.values(config!.resource.kubernetes_manifest) as any[];
  expect(frontend.manifest.spec.trafficControllerRef).toEqual({ name: '${element(split("/", var.gateway_id), 2)}' });
});

test("a frontend's gateway named by its id: the manifest names it literally and is created after it", () => {
  const { config } = synthStack((s) => {
    const gw = new agc.TrafficController(s, "gw", { location: "westeurope" });
    new agc.Frontend(s, "fe", { trafficControllerId: gw.id, timeoutSeconds: 120 });
  });
  const manifests = config!.resource.kubernetes_manifest;
  const frontend = Object.values(manifests).find((r: any) => r.manifest.kind === "Frontend") as any;
  expect(frontend.manifest).toEqual({
    apiVersion: "alb.agc.dev/v1alpha1",
    kind: "Frontend",
    metadata: {
      name: "fe",
      namespace: "agc-system",
      labels: { "app.kubernetes.io/managed-by": "pulumi-agc" },
      annotations: { "alb.agc.dev/name": "fe", "alb.agc.dev/owner": "cdktf/gateway" },
    },
    spec: { trafficControllerRef: { name: "gw" }, type: "public" },
  });
  expect(frontend.depends_on).toEqual([expect.stringMatching(/^kubernetes_manifest\.gw_manifest_[0-9A-F]{8}$/)]);
  expect(frontend.wait).toEqual({ fields: { "status.provisioningState": "Succeeded" } });
  expect(frontend.timeouts).toEqual({ create: "120s", update: "120s" });
});

test("a stack of kubernetes_manifest resources only is checked once enableChecks is called", () => {
  const port8080 = (enable: boolean) => (s: any) => {
    if (enable) agc.enableChecks(s);
    new Manifest(s, "web", {
      manifest: {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: "web", namespace: "default" },
        spec: { gatewayClassName: "agc", listeners: [{ name: "http", port: 8080, protocol: "HTTP" }] },
      },
    });
  };
  expect(synthStack(port8080(false)).error).toBeUndefined();
  expect(synthStack(port8080(true)).error).toContain("[AGC012]");
});

test("a WebSocketService with an invalid port: it fails the synth, naming the property", () => {
  const { error } = synthStack((s) => new agc.WebSocketService(s, "chat", { image: "example/chat:1", port: 70000 }));
  expect(error).toContain("[gateway/chat] WebSocketService 'chat': property port: 70000 is not a port; expected an integer from 1 to 65535");
});

test("a WebSocketService without a health path on another image: synth warns of the 502 trap", () => {
  const { warnings } = synthStack((s) => new agc.WebSocketService(s, "chat", { image: "example/chat:1" }));
  expect(warnings).toEqual([
    "[gateway/chat] WebSocketService 'chat': no healthCheck.path: the default probe's GET / gets 400 from a WebSocket-only server, " +
      "so the data plane marks every pod unhealthy and answers 502; set healthCheck.path (e.g. /health)",
  ]);
});

test("synth reads no cluster when told not to, and says so when it cannot", () => {
  // A kubeconfig path that does not exist: the read fails at once, and the stack is checked alone.
  const { warnings, error } = synthStack(INVALID_STACKS.AGC022, "/nonexistent/kubeconfig");
  expect(error).toBeUndefined();
  expect(warnings).toEqual([
    "[gateway] pulumi-agc: could not read the cluster (ENOENT: no such file or directory, open '/nonexistent/kubeconfig'); " +
      "the limits and subnet budgets were checked against what this program declares only, not against gateways other stacks created",
  ]);
});

describe("the provider's typed resources are checked as the objects they create", () => {
  test("a kubernetes_service_v1 LoadBalancer on an address of the delegated subnet: AGC006 under the subnet", () => {
    const { error } = synthStack((s) => {
      const subnet = new agc.SubnetDelegation(s, "alb-subnet", { location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" });
      const gw = new agc.TrafficController(s, "gw", { location: "westeurope" });
      new agc.Association(s, "gw-assoc", { trafficControllerId: gw.id, subnetId: subnet.id });
      new ServiceV1(s, "db", {
        metadata: { name: "db" },
        spec: { type: "LoadBalancer", externalIps: ["10.1.0.50"], selector: { app: "db" }, port: [{ port: 5432 }] },
      });
    });
    expect(error).toContain(
      "[gateway/alb-subnet] SubnetDelegation 'alb-subnet': property delegation: subnet 'alb-subnet' is delegated to 'Microsoft.ServiceNetworking/trafficControllers' but also holds Service default/db; " +
        "a delegated subnet holds nothing but the service it is delegated to: move them to another subnet [AGC006]",
    );
  });

  test("two kubernetes_ingress_v1 of class agc on one Frontend: AGC011 under the second", () => {
    const { error } = synthStack((s) => {
      const gw = new agc.TrafficController(s, "gw", { location: "westeurope" });
      new agc.Frontend(s, "fe", { trafficControllerId: gw.id });
      for (const name of ["shop", "blog"]) {
        new IngressV1(s, name, {
          metadata: { name, namespace: "default", annotations: { "alb.agc.dev/alb-frontend": "fe", "alb.agc.dev/alb-namespace": "agc-system" } },
          spec: { ingressClassName: "agc", rule: [{ http: { path: [{ path: `/${name}`, pathType: "Prefix", backend: { service: { name, port: { number: 80 } } } }] } }] },
        });
      }
    });
    expect(error).toContain(
      "[gateway/blog] Ingress 'default/blog': property frontend: frontend 'agc-system/fe' already serves Ingress default/shop; " +
        "a frontend serves exactly one Gateway or Ingress: give this one its own frontend [AGC011]",
    );
    expect(error!.match(/\[AGC\d{3}\]/g)).toEqual(["[AGC011]"]);
  });

  test("a kubernetes_service_v1 inside the gateway's budget is accepted", () => {
    const { error } = synthStack((s) => {
      agc.enableChecks(s);
      new ServiceV1(s, "web", { metadata: { name: "web" }, spec: { selector: { app: "web" }, port: [{ port: 80, targetPort: "8080" }] } });
    });
    expect(error).toBeUndefined();
  });
});

test("a gateway's id used in another stack of the app: the stacks are one plan, and the user is applied after", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-cdktf-"));
  try {
    const app = new App({ outdir, context: { [agc.READ_CLUSTER_CONTEXT]: false } });
    const network = new TerraformStack(app, "network");
    new KubernetesProvider(network, "kubernetes", { configPath: "/nonexistent/kubeconfig" });
    const gw = new agc.TrafficController(network, "gw", { location: "westeurope" });
    for (let i = 1; i <= 3; i++) new agc.Frontend(network, `fe-${i}`, { trafficControllerId: gw.id });
    const apps = new TerraformStack(app, "apps");
    new KubernetesProvider(apps, "kubernetes", { configPath: "/nonexistent/kubeconfig" });
    for (let i = 4; i <= 6; i++) new agc.Frontend(apps, `fe-${i}`, { trafficControllerId: gw.id });
    expect(() => app.synth()).toThrow(
      "[apps/fe-6] Frontend 'fe-6': property trafficControllerId: gateway 'gw' already has 5 frontends (fe-1, fe-2, fe-3, fe-4, fe-5); at most 5 are allowed per gateway [AGC003]",
    );
    expect(apps.dependencies).toEqual([network]);
    const frontend = apps.node.findChild("fe-4") as agc.Frontend;
    expect((frontend.manifest.manifestInput as any).spec.trafficControllerRef).toEqual({ name: "gw" });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
