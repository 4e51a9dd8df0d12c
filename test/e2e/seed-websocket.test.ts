// The first thing a user tries, as the seed gives it: a WebSocket server (container port 8888,
// 2 replicas) behind a Service on port 80 and an Ingress for ws.contoso.com that carries the
// older class annotation (azure/application-gateway), in networking.k8s.io/v1. Its server is
// WebSocket-only for GET /: the gateway's default probe marks it unhealthy, as AGC's does,
// until a HealthCheckPolicy on /health fixes it. Then the seed's upgrade request is answered
// 101 and a WebSocket round trip works, through a real data plane pod.
import * as http from "http";
import WebSocket from "ws";
import { installCrds } from "../../controller/bootstrap";
import { Controller } from "../../controller/run";
import { KubeClient, resourcePath } from "../../kube/client";
import { WS_ECHO_IMAGE } from "../../model/images";
import { untilShowing } from "../support/controllerWaits";
import { testClient } from "../support/localCluster";
import { applyManifest } from "../support/manifests";

jest.setTimeout(240_000);

const ns = `seed-${Date.now().toString(36)}`;
const HOST = "ws.contoso.com";
// RFC 6455, section 1.3: this key's Sec-WebSocket-Accept is stated there.
const RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
const FIELD_MANAGER = "seed-test";

let client: KubeClient;
let controller: Controller | undefined;
const logs: string[] = [];
const until = untilShowing(logs);
let address: string;

const apply = (o: Record<string, unknown>) => applyManifest(client, o, FIELD_MANAGER);

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The seed's curl request: a plain HTTP/1.1 upgrade to /ws with the given key. */
function upgradeRequest(key: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: address, port: 80, path: "/ws", agent: false, timeout: 5_000,
      headers: { host: HOST, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": key },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "" });
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${address} in 5 s`)));
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  client = testClient();
  await installCrds(client);
  await client.ensureNamespace(ns);
  await apply({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "ws-server", namespace: ns },
    spec: {
      replicas: 2, selector: { matchLabels: { app: "ws-server" } },
      template: {
        metadata: { labels: { app: "ws-server" } },
        // As the seed has it: no readiness probe, so the gateway falls back to its default probe.
        spec: { containers: [{ name: "ws-server", image: WS_ECHO_IMAGE, imagePullPolicy: "Never", ports: [{ containerPort: 8888 }] }] },
      },
    },
  });
  await apply({ apiVersion: "v1", kind: "Service", metadata: { name: "ws-service", namespace: ns }, spec: { selector: { app: "ws-server" }, ports: [{ port: 80, targetPort: 8888 }] } });
  await apply({
    apiVersion: "networking.k8s.io/v1", kind: "Ingress",
    metadata: { name: "websocket-ingress", namespace: ns, annotations: { "kubernetes.io/ingress.class": "azure/application-gateway" } },
    spec: { rules: [{ host: HOST, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "ws-service", port: { number: 80 } } } }] } }] },
  });
  controller = new Controller(client, { dnsZone: "alb.seed.test", dataplaneReplicas: 1, namespaces: [ns], log: (m) => logs.push(m) });
  await controller.start();
  address = await until("the Ingress's address", async () => {
    const ing = await client.get(resourcePath("networking.k8s.io/v1", "ingresses", ns, "websocket-ingress"));
    return ing.status?.loadBalancer?.ingress?.[0]?.ip;
  });
});

afterAll(async () => {
  controller?.stop();
  await client.remove(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  client.close();
});

test("the default probe (GET /, which a WebSocket-only server answers 400) marks both pods unhealthy: the upgrade gets 503 and the reason", async () => {
  expect(address).toMatch(/^10\.245\.0\.\d+$/);
  const answer = await until("the upgrade refused for want of a healthy pod", async () => {
    const a = await upgradeRequest(RFC_KEY);
    return a.status === 503 ? a : undefined;
  });
  expect(answer.body).toMatch(/^no healthy endpoint for backend /);
});

test("a HealthCheckPolicy on /health makes them healthy: the seed's upgrade request is answered 101, and a WebSocket round trip works", async () => {
  await apply({
    apiVersion: "alb.agc.dev/v1alpha1", kind: "HealthCheckPolicy", metadata: { name: "ws-health", namespace: ns },
    spec: { targetRef: { group: "", kind: "Service", name: "ws-service" }, default: { interval: "1s", http: { path: "/health" } } },
  });
  const upgraded = await until("the upgrade answered 101", async () => {
    const a = await upgradeRequest(RFC_KEY);
    return a.status === 101 ? a : undefined;
  });
  expect(upgraded.headers["sec-websocket-accept"]).toBe(RFC_ACCEPT);
  expect(String(upgraded.headers.upgrade).toLowerCase()).toBe("websocket");

  const ws = new WebSocket(`ws://${address}/ws`, { headers: { host: HOST } });
  try {
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("hello through the gateway"));
      ws.once("message", (data) => resolve(String(data)));
      ws.once("error", reject);
    });
    expect(echoed).toBe("hello through the gateway");
  } finally {
    ws.close();
  }
});

test("the seed's own key `123` is no RFC 6455 key (16 bytes, base64): the server refuses it with 400, through the gateway", async () => {
  const answer = await upgradeRequest("123");
  expect(answer.status).toBe(400);
});
