// CDKTF stacks for the tests: one impossible plan per rule a plan can break (as
// examples/invalid holds for Pulumi), and synth into a temporary directory.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Construct } from "constructs";
import * as agc from "../../cdktf";
import { RuleCode } from "../../model/rules";

type Builder = (stack: Construct) => void;

const westeurope = { location: "westeurope" };
const space16 = { virtualNetworkAddressSpace: ["10.1.0.0/16"] };

function gatewayManifest(stack: Construct, name: string, port = 80): Manifest {
  return new Manifest(stack, `gateway-${name}`, {
    manifest: {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name, namespace: "default" },
      spec: { gatewayClassName: "agc", listeners: [{ name: "http", port, protocol: "HTTP" }] },
    },
  });
}

function route(stack: Construct, id: string, name: string, gateway: string, rules: unknown[]): Manifest {
  return new Manifest(stack, id, {
    manifest: { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name, namespace: "default" }, spec: { parentRefs: [{ name: gateway }], rules } },
  });
}

/** A stack per rule, each breaking that rule and no other; AGC022 needs the cluster read (its references are strict only then). */
export const INVALID_STACKS: Readonly<Record<RuleCode, Builder>> = {
  AGC001: (s) => {
    const gw = new agc.TrafficController(s, "gw", westeurope);
    const a = new agc.SubnetDelegation(s, "subnet-a", { ...westeurope, ...space16, addressPrefix: "10.1.0.0/24" });
    const b = new agc.SubnetDelegation(s, "subnet-b", { ...westeurope, ...space16, addressPrefix: "10.1.1.0/24" });
    new agc.Association(s, "assoc-a", { trafficControllerId: gw.id, subnetId: a.id });
    new agc.Association(s, "assoc-b", { trafficControllerId: gw.id, subnetId: b.id });
  },
  AGC002: (s) => {
    for (let i = 1; i <= 1001; i++) new agc.TrafficController(s, `gw-${i}`, westeurope);
  },
  AGC003: (s) => {
    const gw = new agc.TrafficController(s, "gw", westeurope);
    for (let i = 1; i <= 6; i++) new agc.Frontend(s, `fe-${i}`, { trafficControllerId: gw.id });
  },
  AGC004: (s) => {
    const gw = new agc.TrafficController(s, "gw", westeurope);
    const subnet = new agc.SubnetDelegation(s, "subnet", { ...westeurope, ...space16, addressPrefix: "10.1.0.0/24", delegation: "Microsoft.Web/serverFarms" });
    new agc.Association(s, "assoc", { trafficControllerId: gw.id, subnetId: subnet.id });
  },
  AGC005: (s) => {
    const subnet = new agc.SubnetDelegation(s, "subnet", { ...westeurope, ...space16, addressPrefix: "10.1.0.0/24" });
    for (const name of ["gw-a", "gw-b"]) {
      const gw = new agc.TrafficController(s, name, westeurope);
      new agc.Association(s, `${name}-assoc`, { trafficControllerId: gw.id, subnetId: subnet.id });
    }
  },
  AGC006: (s) => {
    const subnet = new agc.SubnetDelegation(s, "alb-subnet", { ...westeurope, ...space16, addressPrefix: "10.1.0.0/24" });
    const gw = new agc.TrafficController(s, "gw", westeurope);
    new agc.Association(s, "gw-assoc", { trafficControllerId: gw.id, subnetId: subnet.id });
    new Manifest(s, "db", {
      manifest: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "db", namespace: "default" },
        spec: { type: "LoadBalancer", externalIPs: ["10.1.0.50"], selector: { app: "db" }, ports: [{ port: 5432 }] },
      },
    });
  },
  AGC007: (s) => {
    const gw = new agc.TrafficController(s, "gw", westeurope);
    const subnet = new agc.SubnetDelegation(s, "subnet", { location: "northeurope", ...space16, addressPrefix: "10.1.0.0/24" });
    new agc.Association(s, "assoc", { trafficControllerId: gw.id, subnetId: subnet.id });
  },
  AGC008: (s) => {
    new agc.SubnetDelegation(s, "subnet", { ...westeurope, ...space16, addressPrefix: "10.2.0.0/24" });
  },
  AGC009: (s) => {
    new agc.SubnetDelegation(s, "subnet-a", { ...westeurope, ...space16, addressPrefix: "10.1.0.0/23" });
    new agc.SubnetDelegation(s, "subnet-b", { ...westeurope, ...space16, addressPrefix: "10.1.1.0/24" });
  },
  AGC010: (s) => {
    const gw = new agc.TrafficController(s, "gw", westeurope);
    new agc.Frontend(s, "fe", { trafficControllerId: gw.id, type: "private" });
  },
  AGC011: (s) => {
    const gw = new agc.TrafficController(s, "gw", westeurope);
    const fe = new agc.Frontend(s, "fe", { trafficControllerId: gw.id });
    new agc.WebSocketService(s, "chat", { frontend: fe, path: "/chat" });
    new agc.WebSocketService(s, "news", { frontend: fe, path: "/news" });
  },
  AGC012: (s) => {
    agc.enableChecks(s);
    gatewayManifest(s, "web", 8080);
  },
  AGC013: (s) => {
    agc.enableChecks(s);
    gatewayManifest(s, "shop");
    for (const part of ["a", "b"]) {
      const rule = (half: string) => ({
        matches: Array.from({ length: 51 }, (_, i) => ({ path: { type: "PathPrefix", value: `/${part}/${half}/item-${i}` } })),
        backendRefs: [{ name: "shop", port: 80 }],
      });
      route(s, `catalogue-${part}`, `catalogue-${part}`, "shop", [rule("x"), rule("y")]);
    }
  },
  AGC014: (s) => {
    agc.enableChecks(s);
    gatewayManifest(s, "web");
    route(s, "orders", "orders-".padEnd(129, "x"), "web", [{ backendRefs: [{ name: "orders", port: 80 }] }]);
  },
  AGC015: (s) => {
    new agc.TrafficController(s, "gw", { name: "-gateway-", ...westeurope });
  },
  AGC016: (s) => {
    const gw = new agc.TrafficController(s, "gw", westeurope);
    const subnet = new agc.SubnetDelegation(s, "subnet", { ...westeurope, ...space16, addressPrefix: "10.1.0.0/24" });
    new agc.Association(s, "assoc", { trafficControllerId: gw.id, subnetId: subnet.id, associationType: "vnets" as "subnets" });
  },
  AGC017: (s) => {
    new agc.TrafficController(s, "gw", {} as agc.TrafficControllerProps);
  },
  AGC018: (s) => {
    new agc.SubnetDelegation(s, "subnet", { ...westeurope, ...space16, addressPrefix: "10.1.0.0/33" });
  },
  AGC019: (s) => {
    const gw = new agc.TrafficController(s, "gw", westeurope);
    const fe = new agc.Frontend(s, "fe", { trafficControllerId: gw.id });
    // A Frontend's id where the gateway's belongs.
    new agc.Frontend(s, "fe-2", { trafficControllerId: fe.id });
  },
  AGC020: (s) => {
    new agc.TrafficController(s, "gw", { ...westeurope, tags: { team: 42 as unknown as string } });
  },
  AGC021: (s) => {
    const gw = new agc.TrafficController(s, "gw", westeurope);
    new agc.Frontend(s, "fe", { trafficControllerId: gw.id, type: "internal" as "public" });
  },
  AGC022: (s) => {
    new agc.Frontend(s, "fe", { trafficControllerId: "agc-system/trafficcontrollers/no-such-gateway" });
  },
  AGC023: (s) => {
    new agc.SubnetDelegation(s, "subnet-a", { ...westeurope, virtualNetworkName: "hub", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" });
    new agc.SubnetDelegation(s, "subnet-b", { ...westeurope, virtualNetworkName: "hub", virtualNetworkAddressSpace: ["10.2.0.0/16"], addressPrefix: "10.2.0.0/24" });
  },
};

export interface Synth {
  /** The synth's error message, when it failed. */
  error?: string;
  /** The stack's cdk.tf.json, when it succeeded. */
  config?: Record<string, any>;
  /** The warnings CDKTF recorded for the stack. */
  warnings: string[];
}

/**
 * Builds a stack (named `gateway` unless told) with a Kubernetes provider (kubeconfig
 * `kubeconfigPath`; the cluster is read at synth only when one is given), runs `build` in it and
 * synthesizes.
 */
export function synthStack(build: Builder, kubeconfigPath?: string, stackName = "gateway"): Synth {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-cdktf-"));
  try {
    const app = new App({ outdir, context: { [agc.READ_CLUSTER_CONTEXT]: kubeconfigPath !== undefined } });
    const stack = new TerraformStack(app, stackName);
    new KubernetesProvider(stack, "kubernetes", { configPath: kubeconfigPath ?? "/nonexistent/kubeconfig" });
    build(stack);
    try {
      app.synth();
    } catch (e) {
      return { error: (e as Error).message, warnings: warningsOf(outdir) };
    }
    const config = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stackName, "cdk.tf.json"), "utf8"));
    return { config, warnings: warningsOf(outdir) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function warningsOf(outdir: string): string[] {
  const manifest = path.join(outdir, "manifest.json");
  if (!fs.existsSync(manifest)) return [];
  const stacks = JSON.parse(fs.readFileSync(manifest, "utf8")).stacks ?? {};
  return Object.values(stacks).flatMap((s: any) => (s.annotations ?? []).filter((a: any) => a.level === "@cdktf/warn").map((a: any) => `[${a.constructPath}] ${a.message}`));
}
