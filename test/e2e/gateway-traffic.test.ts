// Traffic end to end on the real node: a Gateway and an HTTPRoute become a data plane (real
// HAProxy and agent pods from the image `agc images` builds), whose address from the pool
// carries requests to real echo pods. Then a route edit reaches the data plane, and deleting
// the Gateway removes it.
import { installCrds } from "../../controller/bootstrap";
import { Controller } from "../../controller/run";
import { KubeClient, resourcePath } from "../../kube/client";
import { untilShowing } from "../support/controllerWaits";
import { echoBasicDeployment, echoBasicService } from "../support/echoBackend";
import { httpGatewayOfClass, installGatewayApiCrds, programmedAddress } from "../support/gatewayApi";
import { getThrough } from "../support/gatewayHttp";
import { testClient } from "../support/localCluster";
import { applyManifest } from "../support/manifests";

jest.setTimeout(240_000);

const suffix = Date.now().toString(36);
const ns = `traffic-${suffix}`;
const className = `agc-traffic-${suffix}`;
const GW = "gateway.networking.k8s.io/v1";
const HOST = "echo.traffic.test";
const FIELD_MANAGER = "gateway-traffic-test";

let client: KubeClient;
let controller: Controller | undefined;
const logs: string[] = [];
const until = untilShowing(logs);

/** GET through the gateway, with a client's own X-Forwarded-For chain. */
const get = (address: string, path: string, host: string) => getThrough(address, host, path, { "x-forwarded-for": "203.0.113.7" });

const apply = (o: Record<string, unknown>) => applyManifest(client, o, FIELD_MANAGER);

const route = (rules: any[]) => ({
  apiVersion: GW, kind: "HTTPRoute", metadata: { name: "echo", namespace: ns },
  spec: { parentRefs: [{ name: "web" }], hostnames: [HOST], rules },
});
const toEcho = { matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "echo", port: 8080 }] };

let address: string;

beforeAll(async () => {
  client = testClient();
  await installGatewayApiCrds(client);
  await installCrds(client);
  await client.ensureNamespace(ns);
  for (const o of [echoBasicDeployment(ns, "echo", 2), echoBasicService(ns, "echo", 8080), ...httpGatewayOfClass(ns, "web", className), route([toEcho])]) await apply(o);
  controller = new Controller(client, { dnsZone: "alb.test.local", dataplaneReplicas: 1, log: (m) => logs.push(m) });
  await controller.start();
  address = await until("the Gateway Programmed with an address", () => programmedAddress(client, ns, "web"));
});

afterAll(async () => {
  controller?.stop();
  await client.remove(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  await client.remove(resourcePath(GW, "gatewayclasses", undefined, className)).catch(() => undefined);
  client.close();
});

test("the Gateway's address comes from the pool routed to the node's bridge", () => {
  expect(address).toMatch(/^10\.245\.0\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-4])$/);
});

test("requests for the route's host reach both echo pods, with the forwarded headers", async () => {
  const pods = new Set<string>();
  let last: any;
  // The echo pods may still be joining the data plane's health checks: ask until both answered.
  await until("both echo pods answering through the gateway", async () => {
    const answer = await get(address, "/hello?x=1", HOST);
    expect(answer.status).toBe(200);
    last = JSON.parse(answer.body);
    pods.add(last.pod);
    return pods.size === 2;
  }, 60_000);
  for (const pod of pods) expect(pod).toMatch(/^echo-[a-z0-9]+-[a-z0-9]+$/);
  expect(last.path).toBe("/hello?x=1");
  expect(last.host).toBe(HOST);
  expect(last.namespace).toBe(ns);
  // The client's chain kept, then the address the data plane saw (the node's bridge).
  expect(last.headers["X-Forwarded-For"]).toEqual(["203.0.113.7,10.244.0.1"]);
  expect(last.headers["X-Forwarded-Proto"]).toEqual(["http"]);
  expect(last.headers["X-Request-Id"][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test("a host no route names gets 404 from the gateway itself", async () => {
  expect((await get(address, "/", "unknown.traffic.test")).status).toBe(404);
});

test("a route edit reaches the running data plane: a rule to a missing Service answers 500", async () => {
  const started = Date.now();
  await apply(route([toEcho, { matches: [{ path: { type: "PathPrefix", value: "/v2" } }], backendRefs: [{ name: "missing", port: 8080 }] }]));
  await until("/v2 answered 500", async () => (await get(address, "/v2/x", HOST)).status === 500, 60_000);
  logs.push(`route edit served after ${Date.now() - started} ms`);
  expect((await get(address, "/other", HOST)).status).toBe(200);
  const hr = await client.get(resourcePath(GW, "httproutes", ns, "echo"));
  const resolved = hr.status.parents[0].conditions.find((c: any) => c.type === "ResolvedRefs");
  expect(resolved).toMatchObject({ status: "False", reason: "BackendNotFound" });
});

test("deleting the Gateway removes its data plane", async () => {
  const deployments = () => client.get(resourcePath("apps/v1", "deployments", ns)).then((l) => l.items.map((d: any) => d.metadata.name).filter((n: string) => n !== "echo"));
  expect((await deployments()).length).toBe(1);
  await client.remove(resourcePath(GW, "gateways", ns, "web"));
  await until("the data plane Deployment gone", async () => (await deployments()).length === 0, 60_000);
});
