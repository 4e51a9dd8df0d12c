// What AlbController registers with the engine: one typed Kubernetes resource per object of
// installObjects (the objects `agc render install` prints), and its outputs. The engine behind
// it is Pulumi's mock monitor (runtime.setMocks): it records the registrations, and answers each
// resource's state as its inputs. That the cluster runs them is for `pulumi up` on a real cluster.
import * as pulumi from "@pulumi/pulumi";
import { installObjects } from "../../../controller/install";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

const registered: Registered[] = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "project",
  "stack",
  true,
);

// Loaded after the mocks, as Pulumi's testing guide says.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AlbController } = require("../../../index") as typeof import("../../../index");

const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

describe("AlbController with its defaults", () => {
  const alb = new AlbController("alb");

  test("outputs the namespace, the controller's Deployment and the two class names", async () => {
    expect(await value(alb.namespace)).toBe("agc-system");
    expect(await value(alb.deploymentName)).toBe("alb-controller");
    expect(await value(alb.gatewayClassName)).toBe("agc");
    expect(await value(alb.ingressClassName)).toBe("agc");
  });

  // The engine registers them as their dependencies resolve: in no fixed order.
  test("registers one typed resource per install object, named after the component", async () => {
    await value(alb.ingressClassName);
    expect(registered.filter((r) => r.name.startsWith("alb")).map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "agc:index:AlbController alb",
      "kubernetes:apps/v1:Deployment alb-deployment-alb-controller",
      "kubernetes:apps/v1:Deployment alb-deployment-alb-controller-bootstrap",
      "kubernetes:core/v1:Namespace alb-namespace-agc-system",
      "kubernetes:core/v1:ServiceAccount alb-serviceaccount-alb-controller",
      "kubernetes:core/v1:ServiceAccount alb-serviceaccount-alb-controller-bootstrap",
      "kubernetes:gateway.networking.k8s.io/v1:GatewayClass alb-gatewayclass-agc",
      "kubernetes:networking.k8s.io/v1:IngressClass alb-ingressclass-agc",
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole alb-clusterrole-alb-controller",
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole alb-clusterrole-alb-controller-bootstrap",
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding alb-clusterrolebinding-alb-controller",
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding alb-clusterrolebinding-alb-controller-bootstrap",
      "kubernetes:rbac.authorization.k8s.io/v1:Role alb-role-alb-controller-leader-election",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding alb-rolebinding-alb-controller-leader-election",
    ]);
  });

  test("each resource's inputs are the object agc render install prints", async () => {
    await value(alb.ingressClassName);
    const byName = new Map(registered.filter((r) => r.name.startsWith("alb-")).map((r) => [r.name, r.inputs]));
    for (const o of installObjects()) expect(byName.get(`alb-${o.kind.toLowerCase()}-${o.metadata.name}`)).toEqual(o);
  });
});

test("options reach the objects; a bad one fails the program with the option's name", async () => {
  const alb = new AlbController("gw", { namespace: "gateways", replicas: 3 });
  expect(await value(alb.namespace)).toBe("gateways");
  const deployment = registered.find((r) => r.name === "gw-deployment-alb-controller")!;
  expect(deployment.inputs.spec.replicas).toBe(3);
  expect(() => new AlbController("bad", { replicas: 0 })).toThrow("replicas must be a whole number, 1 or more; got 0");
});

test("a kubeconfig gives the component its own Kubernetes provider", async () => {
  const alb = new AlbController("kc", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
  await value(alb.namespace);
  expect(registered.filter((r) => r.name.startsWith("kc-kubernetes")).map((r) => r.type)).toEqual(["pulumi:providers:kubernetes"]);
});

test("the classes wait for the bootstrap (the CRDs installed); the controller for its RBAC and the bootstrap", async () => {
  const names = new Map<pulumi.Resource, string>();
  const waitsFor = new Map<string, pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined>();
  const alb = new AlbController("dep", {}, {
    transformations: [(args) => {
      names.set(args.resource, args.name);
      waitsFor.set(args.name, args.opts.dependsOn);
      return undefined;
    }],
  });
  await value(alb.ingressClassName);
  const dependencies = (name: string) => ((waitsFor.get(name) ?? []) as pulumi.Resource[]).map((r) => names.get(r)).sort();
  expect(dependencies("dep-gatewayclass-agc")).toEqual(["dep-deployment-alb-controller-bootstrap"]);
  expect(dependencies("dep-ingressclass-agc")).toEqual(["dep-deployment-alb-controller-bootstrap"]);
  expect(dependencies("dep-deployment-alb-controller")).toEqual([
    "dep-clusterrole-alb-controller",
    "dep-clusterrolebinding-alb-controller",
    "dep-deployment-alb-controller-bootstrap",
    "dep-namespace-agc-system",
    "dep-role-alb-controller-leader-election",
    "dep-rolebinding-alb-controller-leader-election",
    "dep-serviceaccount-alb-controller",
  ]);
  expect(dependencies("dep-serviceaccount-alb-controller-bootstrap")).toEqual(["dep-namespace-agc-system"]);
});
