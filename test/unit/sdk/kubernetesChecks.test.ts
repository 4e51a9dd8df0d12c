// The controller's rules over the Kubernetes objects a program declares, as preview runs them:
// from the declared objects (our resources as the custom resources they become, and what
// @pulumi/kubernetes declares) to the violations, each with the declaration it is reported under.
// That `pulumi preview` fails on them is shown with the real engine by examples/invalid/agc006-*,
// agc011-* to agc014-* (test/e2e/examples.test.ts).
import * as pulumi from "@pulumi/pulumi";
import { DeclaredObject, declaredObjectViolations, plannedObject } from "../../../sdk/declaredObjects";
import { declaredObject, translatedKindOf } from "../../../sdk/kubernetesChecks";
import { manifestsOf, webSocketServiceObjects, webSocketServiceSpec } from "../../../sdk/websocketObjects";
import { KubeObject } from "../../../translate";
import { PlannedResource, UNKNOWN } from "../../../model/rules";

const gatewayPlan: PlannedResource = { kind: "TrafficController", declaredName: "gw", props: { location: "westeurope" }, references: {} };
const frontendPlan: PlannedResource = { kind: "Frontend", declaredName: "fe", props: {}, references: { trafficControllerId: "agc-system/trafficcontrollers/gw" } };
const subnetPlan: PlannedResource = {
  kind: "SubnetDelegation",
  declaredName: "alb-subnet",
  props: { location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" },
  references: {},
};

/** Our resources, each declared by the resource of its own name. */
const ours = (...plans: PlannedResource[]): DeclaredObject<string>[] => plans.map((p) => ({ object: plannedObject(p)!, owner: p.declaredName }));

/** A WebSocketService's objects on the Frontend `fe`, each declared by the component's child of that kind. */
const webSocketService = (name: string): DeclaredObject<string>[] =>
  manifestsOf(webSocketServiceObjects(name, webSocketServiceSpec({ frontend: "agc-system/frontends/fe" }))).map((m) => ({
    object: m as unknown as KubeObject,
    owner: `${name} ${m.kind}`,
  }));

const gatewayWith = (listeners: object[]): KubeObject => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "web", namespace: "apps" },
  spec: { gatewayClassName: "agc", listeners },
});

const reported = (found: ReturnType<typeof declaredObjectViolations<string>>) => found.map(({ violation, owner }) => [owner, violation.message]);

describe("declaredObjectViolations", () => {
  it("AGC011: two WebSocketServices on one Frontend, reported under the Gateway of the one declared second", () => {
    const found = declaredObjectViolations([...ours(gatewayPlan, frontendPlan), ...webSocketService("chat"), ...webSocketService("news")]);
    expect(reported(found)).toEqual([
      [
        "news Gateway",
        "Gateway 'default/news': property frontend: frontend 'agc-system/fe' already serves Gateway default/chat; a frontend serves exactly one Gateway or Ingress: give this one its own frontend [AGC011]",
      ],
    ]);
  });

  it("finds nothing wrong with one WebSocketService per Frontend", () => {
    expect(declaredObjectViolations([...ours(gatewayPlan, frontendPlan), ...webSocketService("chat")])).toEqual([]);
  });

  it("AGC012: a Gateway of class agc listening on 8080, the class assumed installed when the program does not declare it", () => {
    const found = declaredObjectViolations([{ object: gatewayWith([{ name: "alt", port: 8080, protocol: "HTTP" }]), owner: "web" }]);
    expect(reported(found)).toEqual([
      ["web", "Gateway 'apps/web': property spec.listeners[0].port: 8080 is not an allowed listener port; listeners accept ports 80 (HTTP) and 443 (HTTPS) only [AGC012]"],
    ]);
  });

  it("leaves alone a Gateway of a class the program declares for another controller", () => {
    const other: KubeObject = { kind: "GatewayClass", metadata: { name: "agc" }, spec: { controllerName: "example.com/other" } };
    const found = declaredObjectViolations([
      { object: other, owner: "class" },
      { object: gatewayWith([{ name: "alt", port: 8080, protocol: "HTTP" }]), owner: "web" },
    ]);
    expect(found).toEqual([]);
  });

  it("AGC013: 65 listeners on one Gateway", () => {
    const listeners = Array.from({ length: 65 }, (_, i) => ({ name: `l${i}`, port: 80, protocol: "HTTP", hostname: `h${i}.example.com` }));
    expect(reported(declaredObjectViolations([{ object: gatewayWith(listeners), owner: "web" }]))).toEqual([
      ["web", "Gateway 'apps/web': property spec.listeners: 65 listeners declared; at most 64 are allowed per Gateway: split it into several Gateways [AGC013]"],
    ]);
  });

  it("AGC006: a LoadBalancer Service with an external IP inside the delegated subnet, reported under the SubnetDelegation", () => {
    const database: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "db", namespace: "data" },
      spec: { type: "LoadBalancer", externalIPs: ["10.1.0.50"], ports: [{ port: 5432 }] },
    };
    expect(reported(declaredObjectViolations([...ours(subnetPlan), { object: database, owner: "db" }]))).toEqual([
      [
        "alb-subnet",
        "SubnetDelegation 'alb-subnet': property delegation: subnet 'alb-subnet' is delegated to 'Microsoft.ServiceNetworking/trafficControllers' but also holds Service data/db; a delegated subnet holds nothing but the service it is delegated to: move them to another subnet [AGC006]",
      ],
    ]);
  });
});

describe("plannedObject", () => {
  it("is the custom resource the provider writes, its reference followed to the parent's name", () => {
    expect(plannedObject(frontendPlan)).toMatchObject({
      apiVersion: "alb.agc.dev/v1alpha1",
      kind: "Frontend",
      metadata: { name: "fe", namespace: "agc-system", annotations: { "alb.agc.dev/name": "fe" } },
      spec: { trafficControllerRef: { name: "gw" }, type: "public" },
    });
  });

  it("is undefined while a reference or a value is not known", () => {
    expect(plannedObject({ ...frontendPlan, references: {} })).toBeUndefined();
    expect(plannedObject({ ...subnetPlan, props: { ...subnetPlan.props, addressPrefix: UNKNOWN } })).toBeUndefined();
  });
});

describe("translatedKindOf", () => {
  it("names the kinds translation reads, from @pulumi/kubernetes type tokens", () => {
    expect(translatedKindOf("kubernetes:core/v1:Service")).toBe("Service");
    expect(translatedKindOf("kubernetes:networking.k8s.io/v1:Ingress")).toBe("Ingress");
    expect(translatedKindOf("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")).toBe("HTTPRoute");
    expect(translatedKindOf("kubernetes:apps/v1:Deployment")).toBeUndefined();
    expect(translatedKindOf("pulumi:providers:kubernetes")).toBeUndefined();
    expect(translatedKindOf("pulumi-nodejs:dynamic/agc:Frontend")).toBeUndefined();
  });
});

describe("declaredObject", () => {
  it("is the object with its Outputs resolved, named by the kind the resource declares", async () => {
    const props = { apiVersion: "v1", metadata: pulumi.output({ name: "db", namespace: "data" }), spec: { type: pulumi.output("LoadBalancer") } };
    expect(await declaredObject("Service", props)).toEqual({ apiVersion: "v1", kind: "Service", metadata: { name: "db", namespace: "data" }, spec: { type: "LoadBalancer" } });
  });

  it("never reads a Secret's data, and leaves out an object Pulumi will name", async () => {
    const secret = { apiVersion: "v1", metadata: { name: "tls" }, type: "kubernetes.io/tls", data: { "tls.key": "a2V5" }, stringData: { "tls.crt": "x" } };
    expect(await declaredObject("Secret", secret)).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "tls" }, type: "kubernetes.io/tls" });
    expect(await declaredObject("Service", { metadata: {}, spec: {} })).toBeUndefined();
  });
});
