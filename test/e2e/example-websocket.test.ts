// examples/websocket through the real engine, with the package installed as a user installs
// it: `pulumi up` installs the ALB controller (its pods run from the images `agc images`
// built), declares the gateway, its subnet and frontend, and a WebSocketService; then a
// WebSocket round trip through the frontend's address, the headers the backend saw, and
// `pulumi destroy` leaves no controller behind.
import WebSocket from "ws";
import { gatewayAddress, webSocketRoundTrip } from "../../cli/demo/proof";
import { installObjects } from "../../controller/install";
import { KubeClient, resourcePath } from "../../kube/client";
import { eventually, sleep } from "../dataplane/harness";
import { getThrough } from "../support/gatewayHttp";
import { testClient } from "../support/localCluster";
import { uninstallAndWait } from "../support/manifests";
import { destroyExample, ExampleStack, upExample, uniqueStack } from "../support/pulumi";

jest.setTimeout(900_000);

const HOST = "ws.contoso.com";
let example: ExampleStack | undefined;
let client: KubeClient;
let address: string;

beforeAll(async () => {
  client = testClient();
  example = await upExample("websocket", uniqueStack("websocket"));
  const { outputs } = example;
  address = await eventually("the frontend's address on the Gateway", () => gatewayAddress(client, outputs.namespace, outputs.gatewayName), 120_000, 500);
});

afterAll(async () => {
  await destroyExample(example);
  // Whatever destroy left behind, then wait until the controller's namespace and classes are
  // gone: the next test file installs them again.
  if (client) await uninstallAndWait(client, installObjects());
  client?.close();
});

const get = (urlPath: string) => getThrough(address, HOST, urlPath, { "x-forwarded-for": "203.0.113.7" });

test("up installs the controller as pods: two alb-controller replicas and the bootstrap run in agc-system", async () => {
  expect(example!.upOutput).toMatch(/agc:index:AlbController/);
  const pods = (await client.get("/api/v1/namespaces/agc-system/pods")).items as any[];
  const running = (prefix: string) => pods.filter((p) => p.metadata.name.startsWith(prefix) && p.status.phase === "Running").length;
  expect(running("alb-controller-bootstrap-")).toBe(1);
  expect(pods.filter((p) => /^alb-controller-[a-z0-9]+-[a-z0-9]+$/.test(p.metadata.name) && p.status.phase === "Running")).toHaveLength(2);
});

test("a WebSocket message sent to the frontend's address comes back", async () => {
  expect(address).toMatch(/^10\.245\.0\.\d+$/);
  const echoed = await eventually("an echo through the gateway", async () => (await webSocketRoundTrip(address, HOST, "hello from the example")).echoed, 120_000, 500);
  expect(echoed).toBe("hello from the example");
});

test("the backend sees the forwarded headers: the client's chain plus the node's address, the scheme, a request id", async () => {
  const answer = await get("/headers");
  expect(answer.status).toBe(200);
  const headers = JSON.parse(answer.body);
  expect(headers["x-forwarded-for"]).toBe("203.0.113.7,10.244.0.1");
  expect(headers["x-forwarded-proto"]).toBe("http");
  expect(headers["x-request-id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

/** Requests every 20 ms and a WebSocket that sends every 100 ms, counting what failed, until stopped. */
function trafficUnderWatch() {
  const failures: string[] = [];
  let answered = 0;
  let echoes = 0;
  let running = true;
  const requests = (async () => {
    while (running) {
      try {
        const a = await get("/health");
        if (a.status === 200) answered++;
        else failures.push(`GET /health answered ${a.status}: ${a.body.trim()}`);
      } catch (e) {
        failures.push(`GET /health: ${(e as Error).message}`);
      }
      await sleep(20);
    }
  })();
  const ws = new WebSocket(`ws://${address}/`, { headers: { host: HOST } });
  ws.on("message", () => echoes++);
  ws.on("close", (code) => running && failures.push(`the WebSocket closed (${code})`));
  ws.on("error", (e) => failures.push(`WebSocket: ${e.message}`));
  const sender = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("ping"), 100);
  return {
    counts: () => ({ answered, echoes }),
    async stop() {
      running = false;
      clearInterval(sender);
      await requests;
      const open = ws.readyState === WebSocket.OPEN;
      ws.close();
      return { failures, answered, echoes, open };
    },
  };
}

const LEASE = "/apis/coordination.k8s.io/v1/namespaces/agc-system/leases/alb-controller";
const CONTROLLER = "/apis/apps/v1/namespaces/agc-system/deployments/alb-controller";

test("the leader killed mid-traffic: no request fails, no WebSocket drops, the other replica takes over and reconciles", async () => {
  const leader = (await client.get(LEASE)).spec.holderIdentity as string;
  expect(leader).toMatch(/^alb-controller-[a-z0-9]+-[a-z0-9]+$/);
  const traffic = trafficUnderWatch();
  await sleep(1_000);
  await client.request(`/api/v1/namespaces/agc-system/pods/${leader}`, { method: "DELETE", body: { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 } });
  const successor = await eventually("another replica holding the lease", async () => {
    const holder = (await client.get(LEASE)).spec.holderIdentity as string;
    return holder !== leader ? holder : undefined;
  }, 60_000, 250);
  expect(successor).toMatch(/^alb-controller-[a-z0-9]+-[a-z0-9]+$/);
  // The new leader reconciles: a route added now is served.
  const { outputs } = example!;
  await client.apply(resourcePath("gateway.networking.k8s.io/v1", "httproutes", outputs.namespace, "after-failover"), {
    apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "after-failover", namespace: outputs.namespace },
    spec: { parentRefs: [{ name: outputs.gatewayName }], hostnames: ["failover.contoso.com"], rules: [{ backendRefs: [{ name: "echo", port: 80 }] }] },
  }, "example-websocket-test", { force: true });
  await eventually("the route added after the failover served", async () => (await getThrough(address, "failover.contoso.com", "/health")).status === 200, 60_000, 250);
  const result = await traffic.stop();
  expect(result.failures).toEqual([]);
  expect(result.open).toBe(true);
  expect(result.answered).toBeGreaterThan(50);
  expect(result.echoes).toBeGreaterThan(50);
  await client.remove(resourcePath("gateway.networking.k8s.io/v1", "httproutes", outputs.namespace, "after-failover"));
});

test("with no controller running, the data plane keeps serving its last configuration", async () => {
  await client.mergePatch(CONTROLLER, { spec: { replicas: 0 } });
  try {
    await eventually("no controller pod left", async () => {
      const pods = (await client.get("/api/v1/namespaces/agc-system/pods")).items as any[];
      return !pods.some((p) => /^alb-controller-[a-z0-9]+-[a-z0-9]+$/.test(p.metadata.name)) || undefined;
    }, 60_000, 250);
    const traffic = trafficUnderWatch();
    await sleep(5_000);
    const result = await traffic.stop();
    expect(result.failures).toEqual([]);
    expect(result.open).toBe(true);
    expect(result.answered).toBeGreaterThan(20);
  } finally {
    // Destroying the stack needs the controller back: it answers for the resources it owns.
    await client.mergePatch(CONTROLLER, { spec: { replicas: 2 } });
    await eventually("the controller back", async () => ((await client.get(CONTROLLER)).status?.availableReplicas === 2) || undefined, 120_000, 500);
  }
});
