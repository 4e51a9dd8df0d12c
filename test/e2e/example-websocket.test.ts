// examples/websocket through the real engine, with the package installed as a user installs
// it: `pulumi up` installs the ALB controller (its pods run from the images `agc images`
// built), declares the gateway, its subnet and frontend, and a WebSocketService; then a
// WebSocket round trip through the frontend's address, the headers the backend saw, and
// `pulumi destroy` leaves no controller behind.
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import WebSocket from "ws";
import { copyExample, installPackedPackage } from "../../cli/workspace";
import { KubeClient, resourcePath } from "../../kube/client";
import { eventually } from "../dataplane/harness";
import { testClient } from "../support/localCluster";
import { pulumiOk, uniqueStack } from "../support/pulumi";

jest.setTimeout(900_000);

const HOST = "ws.contoso.com";
const stack = uniqueStack("websocket");
let dir: string;
let client: KubeClient;
let address: string;
let upOutput = "";

beforeAll(async () => {
  client = testClient();
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "agc-websocket-"));
  installPackedPackage(workspace);
  dir = path.join(workspace, "websocket");
  copyExample("websocket", dir);
  await pulumiOk(["stack", "init", stack], dir);
  upOutput = (await pulumiOk(["up", "--yes", "--stack", stack], dir)).stdout;
  const outputs = JSON.parse((await pulumiOk(["stack", "output", "--json", "--stack", stack], dir)).stdout);
  address = await eventually("the frontend's address on the Gateway", async () => {
    const gw = await client.get(resourcePath("gateway.networking.k8s.io/v1", "gateways", outputs.namespace, outputs.gatewayName));
    return gw.status?.addresses?.[0]?.value;
  }, 120_000, 500);
});

afterAll(async () => {
  if (dir) await pulumiOk(["destroy", "--yes", "--stack", stack], dir).catch((e) => process.stderr.write(`${e}\n`));
  if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  client?.close();
});

function get(urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: address, port: 80, path: urlPath, headers: { host: HOST, "x-forwarded-for": "203.0.113.7" }, agent: false, timeout: 5_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

test("up installs the controller as pods: two alb-controller replicas and the bootstrap run in agc-system", async () => {
  expect(upOutput).toMatch(/agc:index:AlbController/);
  const pods = (await client.get("/api/v1/namespaces/agc-system/pods")).items as any[];
  const running = (prefix: string) => pods.filter((p) => p.metadata.name.startsWith(prefix) && p.status.phase === "Running").length;
  expect(running("alb-controller-bootstrap-")).toBe(1);
  expect(pods.filter((p) => /^alb-controller-[a-z0-9]+-[a-z0-9]+$/.test(p.metadata.name) && p.status.phase === "Running")).toHaveLength(2);
});

test("a WebSocket message sent to the frontend's address comes back", async () => {
  expect(address).toMatch(/^10\.245\.0\.\d+$/);
  const echoed = await eventually("an echo through the gateway", () => new Promise<string | undefined>((resolve) => {
    const ws = new WebSocket(`ws://${address}/`, { headers: { host: HOST }, handshakeTimeout: 5_000 });
    ws.once("open", () => ws.send("hello from the example"));
    ws.once("message", (data) => {
      resolve(String(data));
      ws.close();
    });
    ws.once("error", () => resolve(undefined));
  }), 120_000, 500);
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
