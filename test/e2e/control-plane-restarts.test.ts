// The control plane restarted under a serving gateway, on the real node: etcd, then the API
// server, each killed and started again (as `agc cluster up` starts what is missing), then the
// data plane's agent killed in its pod. HAProxy depends on none of them: traffic through the
// gateway keeps being answered meanwhile, an open WebSocket stays open; once they are back, the
// controller and the agents resume on their own (an edit made then is served), and no status
// was lost.
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import WebSocket from "ws";
import { clusterUp } from "../../cli/cluster/local";
import { requireToolchainBin } from "../../cli/paths";
import { installCrds } from "../../controller/bootstrap";
import { Controller } from "../../controller/run";
import { KubeClient, resourcePath } from "../../kube/client";
import { sleep } from "../dataplane/harness";
import { untilShowing } from "../support/controllerWaits";
import { echoBasicDeployment, echoBasicService } from "../support/echoBackend";
import { httpGatewayOfClass, installGatewayApiCrds, programmedAddress } from "../support/gatewayApi";
import { testClient, testLayout } from "../support/localCluster";
import { applyManifest } from "../support/manifests";
import { WS_ECHO_IMAGE } from "../../model/images";

jest.setTimeout(600_000);

const suffix = Date.now().toString(36);
const ns = `restarts-${suffix}`;
const className = `agc-restarts-${suffix}`;
const GW = "gateway.networking.k8s.io/v1";
const HOST = "echo.restarts.test";
const WS_HOST = "ws.restarts.test";
const FIELD_MANAGER = "restarts-test";

let client: KubeClient;
let controller: Controller | undefined;
const logs: string[] = [];
const until = untilShowing(logs);
let address: string;

const apply = (o: Record<string, unknown>) => applyManifest(client, o, FIELD_MANAGER);

function status(urlPath: string, host = HOST): Promise<number> {
  return new Promise((resolve) => {
    http.get({ host: address, port: 80, path: urlPath, headers: { host }, agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    }).on("error", () => resolve(0)).on("timeout", function (this: http.ClientRequest) {
      this.destroy();
    });
  });
}

/** Requests every 20 ms until stopped; answers how many were not 200. */
function steadyTraffic() {
  let running = true;
  /** When each 200 arrived. */
  const answered: number[] = [];
  const failed: number[] = [];
  const loop = (async () => {
    while (running) {
      const s = await status("/steady");
      if (s === 200) answered.push(Date.now());
      else failed.push(s);
      await sleep(20);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { ok: answered.length, failed, answeredSince: (t: number) => answered.filter((a) => a >= t).length };
  };
}

const route = (name: string, prefix: string) => ({
  apiVersion: GW, kind: "HTTPRoute", metadata: { name, namespace: ns },
  spec: { parentRefs: [{ name: "web" }], hostnames: [HOST], rules: [{ matches: [{ path: { type: "PathPrefix", value: prefix } }], backendRefs: [{ name: "echo", port: 8080 }] }] },
});

/** Our WebSocket echo server behind the gateway at ws.restarts.test; its readiness probe is the gateway's health check. */
function webSocketEcho(): Record<string, unknown>[] {
  const labels = { app: "ws-echo" };
  return [
    {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "ws-echo", namespace: ns },
      spec: {
        replicas: 1, selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{
              name: "ws-echo", image: WS_ECHO_IMAGE, imagePullPolicy: "Never", ports: [{ containerPort: 8888 }],
              readinessProbe: { httpGet: { path: "/health", port: 8888 }, periodSeconds: 2 },
            }],
          },
        },
      },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: "ws-echo", namespace: ns }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8888 }] } },
    {
      apiVersion: GW, kind: "HTTPRoute", metadata: { name: "ws", namespace: ns },
      spec: { parentRefs: [{ name: "web" }], hostnames: [WS_HOST], rules: [{ backendRefs: [{ name: "ws-echo", port: 80 }] }] },
    },
  ];
}

/** A WebSocket through the gateway, open. */
function openWebSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${address}/`, { headers: { host: WS_HOST }, handshakeTimeout: 5_000 });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** Sends `text` and answers what comes back (within 5 s). */
function echo(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no echo of '${text}' in 5 s`)), 5_000);
    ws.once("message", (data) => {
      clearTimeout(timer);
      resolve(String(data));
    });
    ws.send(text);
  });
}

/** The host pid of the data plane agent of this file's Gateway (its pod's `agent` container). */
function agentPid(): number {
  for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (args.includes("--external-haproxy") && args.some((a) => a.startsWith(`${ns}/`))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no data plane agent of namespace ${ns} runs on this machine`);
}

/** The data plane pod's agent container: restarts and readiness. */
async function agentContainer(): Promise<{ restarts: number; ready: boolean } | undefined> {
  const pods = (await client.get(`/api/v1/namespaces/${ns}/pods?labelSelector=app.kubernetes.io/name%3Dalb-dataplane`)).items;
  const status = pods[0]?.status?.containerStatuses?.find((c: any) => c.name === "agent");
  return status && { restarts: status.restartCount, ready: status.ready };
}

/** Kills one part of the test cluster, waits, and starts it again the way `agc cluster up` does. */
async function restart(part: "etcd" | "kube-apiserver", downMs: number): Promise<void> {
  const pid = Number(fs.readFileSync(path.join(testLayout().dir, `${part}.pid`), "utf8"));
  process.kill(pid, "SIGKILL");
  await sleep(downMs);
  await clusterUp(requireToolchainBin(), testLayout(), (m) => logs.push(`[cluster] ${m}`));
}

beforeAll(async () => {
  client = testClient();
  await installGatewayApiCrds(client);
  await installCrds(client);
  await client.ensureNamespace(ns);
  for (const o of [echoBasicDeployment(ns, "echo", 1), echoBasicService(ns, "echo", 8080), ...webSocketEcho(), ...httpGatewayOfClass(ns, "web", className), route("steady", "/steady")]) await apply(o);
  controller = new Controller(client, { dnsZone: "alb.restarts.test", dataplaneReplicas: 1, namespaces: [ns], log: (m) => logs.push(m) });
  await controller.start();
  address = await until("the Gateway Programmed with an address", () => programmedAddress(client, ns, "web"));
  await until("the steady route answering", async () => (await status("/steady")) === 200 || undefined);
  await until("the WebSocket echo server answering", async () => (await status("/health", WS_HOST)) === 200 || undefined);
});

afterAll(async () => {
  // Whatever of the node died of the outage runs again for the next test file.
  await clusterUp(requireToolchainBin(), testLayout(), (m) => logs.push(`[cluster] ${m}`));
  controller?.stop();
  await client.remove(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  await client.remove(resourcePath(GW, "gatewayclasses", undefined, className)).catch(() => undefined);
  client.close();
});

test.each([
  ["etcd", "etcd" as const, "after-etcd"],
  ["the API server", "kube-apiserver" as const, "after-apiserver"],
])("%s killed for 5 s and started again: traffic keeps being answered, then an edit is served and the statuses are all there", async (_label: string, part: "etcd" | "kube-apiserver", added: string) => {
  const stop = steadyTraffic();
  await sleep(500);
  await restart(part, 5_000);
  await until("the API server answering again", async () => ((await client.request("/readyz", { timeoutMs: 2_000 }).catch(() => undefined)) !== undefined) || undefined);
  await apply(route(added, `/${added}`));
  await until(`the route added after the restart (/${added}) served`, async () => (await status(`/${added}/x`)) === 200 || undefined);
  const traffic = await stop();
  expect(traffic.failed).toEqual([]);
  expect(traffic.ok).toBeGreaterThan(100);
  // Programmed follows once the data plane reports the new revision.
  const conditions = await until("the Gateway Accepted and Programmed", async () => {
    const gw = await client.get(resourcePath(GW, "gateways", ns, "web"));
    const byType = Object.fromEntries(gw.status.conditions.map((c: any) => [c.type, c.status]));
    return byType.Programmed === "True" ? byType : undefined;
  }, 60_000);
  expect(conditions).toEqual({ Accepted: "True", Programmed: "True" });
  const hr = await client.get(resourcePath(GW, "httproutes", ns, added));
  expect(hr.status.parents[0].conditions.find((c: any) => c.type === "Accepted")).toMatchObject({ status: "True" });
});

test("the data plane's agent killed in its pod: HAProxy serves on, no request fails, an open WebSocket still echoes, the restarted agent serves an edit", async () => {
  const ws = await openWebSocket();
  expect(await echo(ws, "before")).toBe("before");
  const before = await agentContainer();
  expect(before).toEqual({ restarts: expect.any(Number), ready: true });
  const stop = steadyTraffic();
  await sleep(500);
  const killedAt = Date.now();
  process.kill(agentPid(), "SIGKILL");
  await until("the agent container restarted and ready", async () => {
    const now = await agentContainer();
    return now && now.restarts === before!.restarts + 1 && now.ready ? now : undefined;
  }, 120_000);
  await apply(route("after-agent", "/after-agent"));
  await until("the route added after the restart (/after-agent) served", async () => (await status("/after-agent/x")) === 200 || undefined);
  const traffic = await stop();
  expect(traffic.failed).toEqual([]);
  // Requests kept coming through the kill and the restart (how many depends on how fast the
  // container restarts, so a floor, not a rate).
  expect(traffic.answeredSince(killedAt)).toBeGreaterThanOrEqual(20);
  // The connection opened before the kill was never dropped.
  expect(ws.readyState).toBe(WebSocket.OPEN);
  expect(await echo(ws, "after")).toBe("after");
  ws.close();
});
