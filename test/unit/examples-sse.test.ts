// examples/sse: what its program creates (examples/sse/objects.ts) and what the controller
// makes of it: the events route has no request timeout in the data plane, where a route
// without one keeps the gateway's 60 s and a route of 3 s gets 3 s (the e2e test's two others).
import { eventsServiceObjects } from "../../examples/sse/objects";
import { serverTimeoutMs } from "../../dataplane/render/actions";
import { NO_TIMEOUT_MS } from "../../dataplane/render/global";
import { DEFAULT_TIMEOUTS } from "../../model/ir";
import { CONTROLLER_NAME, translate } from "../../translate";
import { snapshotFromObjects } from "../../translate/snapshot";
import { crdManifests } from "../../model/crds";
import { crdSchemaFor, schemaProblems } from "../support/crdSchema";
import { routeVariant, splitEvents } from "../support/eventStream";

type Obj = Record<string, any>;

const objects = eventsServiceObjects({ name: "events", namespace: "default", hostname: "sse.contoso.com", frontend: "agc-system/frontends/fe" });

const controlPlane = [
  { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "agc" }, spec: { controllerName: CONTROLLER_NAME } },
  { apiVersion: "alb.agc.dev/v1alpha1", kind: "TrafficController", metadata: { name: "gw", namespace: "agc-system" }, spec: { location: "westeurope" } },
  { apiVersion: "alb.agc.dev/v1alpha1", kind: "Frontend", metadata: { name: "fe", namespace: "agc-system" }, spec: { trafficControllerRef: { name: "gw" } } },
  {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "events-x1", namespace: "default", labels: { "kubernetes.io/service-name": "events" } },
    addressType: "IPv4",
    ports: [{ name: "http", port: 8888, protocol: "TCP" }],
    endpoints: [{ addresses: ["10.244.0.31"], conditions: { ready: true } }],
  },
];

/** The data plane's routes for the objects, plus more routes, by host name: the route's own timeout and HAProxy's server timeout for it. */
function timeoutsByHost(moreRoutes: Obj[] = []) {
  const template = objects.deployment.spec.template;
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "events-5d8c7-x1", namespace: "default", labels: template.metadata.labels }, spec: template.spec };
  const { snapshot, ignored } = snapshotFromObjects([...controlPlane, pod, objects.service, objects.healthCheckPolicy, objects.gateway, objects.httpRoute, ...moreRoutes]);
  expect(ignored).toEqual([]);
  const result = translate(snapshot, { controllerName: CONTROLLER_NAME });
  expect(result.dataplanes.map((d) => d.owner)).toEqual([{ kind: "TrafficController", namespace: "agc-system", name: "gw" }]);
  const { ir } = result.dataplanes[0];
  return { ir, byHost: Object.fromEntries(ir.routes.map((r) => [r.hostnames![0], serverTimeoutMs(r, DEFAULT_TIMEOUTS.requestMs) ?? DEFAULT_TIMEOUTS.requestMs])) };
}

test("the gateway's request timeout is 60 s: a stream quieter than that is cut unless its route lifts it", () => {
  expect(DEFAULT_TIMEOUTS.requestMs).toBe(60_000);
});

test("the events route has no request timeout: HAProxy's server timeout for it is its 'none', not the gateway's 60 s", () => {
  const { ir, byHost } = timeoutsByHost();
  expect(ir.routes.map((r) => ({ hostnames: r.hostnames, requestTimeoutMs: r.requestTimeoutMs }))).toEqual([{ hostnames: ["sse.contoso.com"], requestTimeoutMs: 0 }]);
  expect(byHost).toEqual({ "sse.contoso.com": NO_TIMEOUT_MS });
});

test("plain HTTP/1.1 to the pods (no WebSocket or h2c cluster), probed on /health every 2 s", () => {
  const { ir } = timeoutsByHost();
  expect(ir.clusters.map((c) => ({ protocol: c.protocol, endpoints: c.endpoints, path: c.healthCheck?.http?.path, intervalMs: c.healthCheck?.intervalMs }))).toEqual([
    { protocol: undefined, endpoints: [{ address: "10.244.0.31", port: 8888 }], path: "/health", intervalMs: 2_000 },
  ]);
  const readiness = objects.deployment.spec.template.spec.containers[0].readinessProbe;
  expect(readiness).toEqual({ httpGet: { path: "/health", port: 8888 }, periodSeconds: 2 });
});

test("the e2e test's other routes: without timeouts the gateway's 60 s, with request 3s 3 s", () => {
  const plain = routeVariant(objects.httpRoute, "events-default", "default.sse.contoso.com");
  const short = routeVariant(objects.httpRoute, "events-short", "short.sse.contoso.com", { request: "3s" });
  expect(plain.spec.rules[0].timeouts).toBeUndefined();
  expect(plain.spec.parentRefs).toEqual(objects.httpRoute.spec.parentRefs);
  expect(timeoutsByHost([plain, short]).byHost).toEqual({ "sse.contoso.com": NO_TIMEOUT_MS, "default.sse.contoso.com": 60_000, "short.sse.contoso.com": 3_000 });
});

test("the HealthCheckPolicy passes its CRD's schema", () => {
  const crds = crdManifests() as Record<string, any>[];
  const p = objects.healthCheckPolicy;
  expect(schemaProblems(crdSchemaFor(crds, p.apiVersion, p.kind)!, p)).toEqual([]);
});

test("the Gateway is bound to the Frontend given, as the program passes its id", () => {
  expect(objects.gateway.spec.addresses).toEqual([{ type: "alb.agc.dev/alb-frontend", value: "agc-system/frontends/fe" }]);
});

test("an event stream's text splits into events at blank lines; the incomplete rest waits for more", () => {
  expect(splitEvents('id: 1\ndata: {"n":1}\n\nid: 2\ndata: {"n"')).toEqual({ events: [{ id: "1", data: '{"n":1}' }], rest: 'id: 2\ndata: {"n"' });
  expect(splitEvents(": comment\n\ndata: a\r\ndata: b\r\n\r\n")).toEqual({ events: [{ id: undefined, data: "a\nb" }], rest: "" });
});
