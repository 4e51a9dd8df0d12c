// examples/gitops: the gateway and WebSocket service of examples/websocket as plain YAML. Each
// object must be one the cluster serves once the controller is installed, ours must pass the
// CRD schemas, and the two examples must not drift apart: the gateway's objects are what the
// provider writes, the service's what WebSocketService makes, for the same inputs.
import * as path from "path";
import { packageRoot } from "../../cli/paths";
import { installObjects } from "../../controller/install";
import { API_VERSION, KindName } from "../../model/kinds";
import { inventoryFromObjects } from "../../model/objects";
import { checkInventory } from "../../model/rules";
import { BINDINGS } from "../../model/bindings";
import { manifestsOf, webSocketServiceObjects, webSocketServiceSpec } from "../../sdk/websocketObjects";
import { CONTROLLER_NAME, translate } from "../../translate";
import { snapshotFromObjects } from "../../translate/snapshot";
import { crdManifests } from "../../model/crds";
import { crdSchemaFor, schemaProblems } from "../support/crdSchema";
import { readManifests } from "../support/manifests";

type Obj = Record<string, any>;

const EXAMPLE = path.join(packageRoot, "examples", "gitops");
const gateway = readManifests(path.join(EXAMPLE, "gateway.yaml"));
const app = readManifests(path.join(EXAMPLE, "app.yaml"));
const crds = crdManifests() as Record<string, any>[];

/** What examples/websocket/index.ts declares (its defaults: config unset), by resource. */
const WEBSOCKET_EXAMPLE = {
  SubnetDelegation: { name: "alb-subnet", location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" },
  TrafficController: { name: "gw", location: "westeurope", tags: { app: "websocket" } },
  Association: { name: "gw-assoc", trafficControllerId: "agc-system/trafficcontrollers/gw", subnetId: "agc-system/subnetdelegations/alb-subnet" },
  Frontend: { name: "fe", trafficControllerId: "agc-system/trafficcontrollers/gw" },
  echo: { hostname: "ws.contoso.com", frontend: "agc-system/frontends/fe", replicas: 2, healthCheck: { path: "/health", intervalSeconds: 2 } },
};
/** The one difference: the service has a namespace of its own, which app.yaml creates. */
const APP_NAMESPACE = "echo";

/** Kinds Kubernetes serves itself, and those the Gateway API standard CRDs add (the bootstrap installs them). */
const SERVED_WITHOUT_OUR_CRDS = ["v1 Namespace", "v1 Service", "apps/v1 Deployment", "gateway.networking.k8s.io/v1 Gateway", "gateway.networking.k8s.io/v1 HTTPRoute"];

const withoutAnnotations = (o: Obj) => {
  const { annotations: _annotations, ...metadata } = o.metadata;
  return { ...o, metadata };
};

describe("examples/gitops", () => {
  test("gateway.yaml holds the subnet, the gateway, its association and frontend, in agc-system", () => {
    expect(gateway.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      "alb.agc.dev/v1alpha1 SubnetDelegation agc-system/alb-subnet",
      "alb.agc.dev/v1alpha1 TrafficController agc-system/gw",
      "alb.agc.dev/v1alpha1 Association agc-system/gw-assoc",
      "alb.agc.dev/v1alpha1 Frontend agc-system/fe",
    ]);
  });

  test("every object is of a kind our CRDs define, Kubernetes serves, or the Gateway API standard CRDs add", () => {
    const unserved = [...gateway, ...app].filter((o) => !crdSchemaFor(crds, o.apiVersion, o.kind) && !SERVED_WITHOUT_OUR_CRDS.includes(`${o.apiVersion} ${o.kind}`));
    expect(unserved.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([]);
  });

  test("each of our objects passes its CRD's schema, with no field the API server would drop", () => {
    const ours = [...gateway, ...app].filter((o) => o.apiVersion === API_VERSION);
    expect(ours.map((o) => o.kind)).toEqual(["SubnetDelegation", "TrafficController", "Association", "Frontend", "HealthCheckPolicy", "RoutePolicy"]);
    const problems = ours.flatMap((o) => schemaProblems(crdSchemaFor(crds, o.apiVersion, o.kind)!, o).map((p) => `${o.kind} ${o.metadata.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  test("the schema check has teeth: a misspelt field, a bad prefix and a missing reference are each named", () => {
    const subnet = gateway[0];
    const broken: Obj = { ...subnet, spec: { ...subnet.spec, adressPrefix: "10.1.0.0/24", addressPrefix: "10.1.0.0/33" } };
    expect(schemaProblems(crdSchemaFor(crds, broken.apiVersion, broken.kind)!, broken)).toEqual([
      expect.stringMatching(/^spec\.addressPrefix: '10\.1\.0\.0\/33' does not match /),
      "spec.adressPrefix: unknown field (the API server would drop it)",
    ]);
    const association = gateway[2];
    const { subnetRef: _subnetRef, ...spec } = association.spec;
    expect(schemaProblems(crdSchemaFor(crds, association.apiVersion, association.kind)!, { ...association, spec })).toEqual(["spec.subnetRef: required"]);
  });

  test("the gateway's specs are what the provider writes for the inputs of examples/websocket", () => {
    for (const o of gateway) {
      const kind = o.kind as KindName;
      expect({ kind, spec: o.spec }).toEqual({ kind, spec: BINDINGS[kind].spec(WEBSOCKET_EXAMPLE[kind]) });
      expect(o.metadata.name).toBe(WEBSOCKET_EXAMPLE[kind].name);
    }
  });

  test("the gateway passes every rule the controller checks", () => {
    const byKind = (kind: KindName) => gateway.filter((o) => o.kind === kind);
    const inventory = inventoryFromObjects({
      TrafficController: byKind("TrafficController"),
      Frontend: byKind("Frontend"),
      Association: byKind("Association"),
      SubnetDelegation: byKind("SubnetDelegation"),
    });
    expect(checkInventory(inventory, { strictReferences: true, singleResourceRules: true })).toEqual([]);
  });

  test("app.yaml is its namespace, then the objects WebSocketService 'echo' makes for the inputs of examples/websocket", () => {
    expect(app[0]).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: APP_NAMESPACE } });
    const expected = manifestsOf(webSocketServiceObjects("echo", webSocketServiceSpec({ ...WEBSOCKET_EXAMPLE.echo, namespace: APP_NAMESPACE })));
    expect(app.slice(1).map(withoutAnnotations)).toEqual(expected);
  });

  test("Argo CD syncs the controller's kinds after the install's classes (wave 1): the gateway in wave 2, the routes and policies in 3", () => {
    const wave = (o: Obj) => o.metadata.annotations?.["argocd.argoproj.io/sync-wave"];
    expect(installObjects().filter(wave).map((o) => `${o.kind} ${wave(o)}`)).toEqual(["GatewayClass 1", "IngressClass 1"]);
    expect(gateway.map(wave)).toEqual(["2", "2", "2", "2"]);
    expect(app.map((o) => `${o.kind} ${wave(o) ?? "-"}`)).toEqual(["Namespace -", "Deployment -", "Service -", "HealthCheckPolicy 3", "Gateway 3", "RoutePolicy 3", "HTTPRoute 3"]);
    const skipDryRun = [...gateway, ...app].filter((o) => wave(o)).map((o) => o.metadata.annotations["argocd.argoproj.io/sync-options"]);
    expect(new Set(skipDryRun)).toEqual(new Set(["SkipDryRunOnMissingResource=true"]));
  });

  test("the controller routes ws.contoso.com through the Frontend's data plane to the echo pods, WebSocket, probed on /health, with no timeout", () => {
    const classes = installObjects().filter((o) => o.kind === "GatewayClass" || o.kind === "IngressClass");
    const template = app.find((o) => o.kind === "Deployment")!.spec.template;
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "echo-5d8c7-x1", namespace: APP_NAMESPACE, labels: template.metadata.labels }, spec: template.spec };
    const slice = {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "echo-x1", namespace: APP_NAMESPACE, labels: { "kubernetes.io/service-name": "echo" } },
      addressType: "IPv4",
      ports: [{ name: "websocket", port: 8888, protocol: "TCP" }],
      endpoints: [{ addresses: ["10.244.0.21"], conditions: { ready: true } }],
    };
    const { snapshot, ignored } = snapshotFromObjects([...classes, ...gateway, ...app.filter((o) => o.kind !== "Deployment"), pod, slice]);
    expect(ignored).toEqual([]);
    const result = translate(snapshot, { controllerName: CONTROLLER_NAME });
    expect(result.dataplanes.map((d) => d.owner)).toEqual([{ kind: "TrafficController", namespace: "agc-system", name: "gw" }]);
    const { ir } = result.dataplanes[0];
    expect(ir.routes.map((r) => ({ hostnames: r.hostnames, path: r.path, requestTimeoutMs: r.requestTimeoutMs }))).toEqual([
      { hostnames: ["ws.contoso.com"], path: { type: "PathPrefix", value: "/" }, requestTimeoutMs: 0 },
    ]);
    expect(ir.clusters.map((c) => ({ protocol: c.protocol, endpoints: c.endpoints, path: c.healthCheck?.http?.path, intervalMs: c.healthCheck?.intervalMs }))).toEqual([
      { protocol: "websocket", endpoints: [{ address: "10.244.0.21", port: 8888 }], path: "/health", intervalMs: 2_000 },
    ]);
    const route = result.statuses.find((s: Obj) => s.kind === "HTTPRoute");
    expect((route?.status.parents as Obj[])[0].conditions.filter((c: Obj) => c.status === "True").map((c: Obj) => c.type)).toEqual(["Accepted", "ResolvedRefs"]);
  });
});
