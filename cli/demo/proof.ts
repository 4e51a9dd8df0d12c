// What the demo shows once `pulumi up` is done, each read from the running system: the
// frontend's address (the Gateway's status), a WebSocket round trip through it, the headers
// the backend received, and the backends' health as the data plane's agent reports it.
import * as http from "http";
import WebSocket from "ws";
import { PROBE_PORT } from "../../controller/dataplane-objects";
import type { ClusterHealth } from "../../dataplane/health";
import { KubeClient, resourcePath } from "../../kube/client";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tries `probe` every 500 ms until it answers, or fails naming `what` and the last problem. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: nothing after ${timeoutMs / 1000} s${last ? ` (${(last as Error).message})` : ""}`);
    await sleep(500);
  }
}

/** The first address in the Gateway's status. */
export async function gatewayAddress(client: KubeClient, namespace: string, name: string): Promise<string | undefined> {
  const gw = await client.get(resourcePath("gateway.networking.k8s.io/v1", "gateways", namespace, name));
  return gw.status?.addresses?.[0]?.value;
}

/** Sends one message over a WebSocket to ws://address/ with `host`; answers what came back and the round trip's time. */
export function webSocketRoundTrip(address: string, host: string, message: string): Promise<{ echoed: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${address}/`, { headers: { host }, handshakeTimeout: 5_000 });
    let sent = 0;
    ws.once("open", () => {
      sent = Date.now();
      ws.send(message);
    });
    ws.once("message", (data) => {
      resolve({ echoed: String(data), ms: Date.now() - sent });
      ws.close();
    });
    ws.once("error", reject);
  });
}

/** One GET, its whole body read; a request silent for 5 s fails. */
function get(options: http.RequestOptions): Promise<{ status?: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ ...options, agent: false, timeout: 5_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${options.path}: silent for 5 s`)));
    req.on("error", reject);
  });
}

/** GET /headers through the gateway: the request headers the backend received. */
export async function backendHeaders(address: string, host: string): Promise<Record<string, string>> {
  const { status, body } = await get({ host: address, port: 80, path: "/headers", headers: { host } });
  if (status !== 200) throw new Error(`GET /headers answered ${status}: ${body.trim()}`);
  return JSON.parse(body);
}

/**
 * The backends' health as each data plane pod serving `address` sees it: the pods behind the
 * LoadBalancer Service with that address, asked on their agent's status port.
 */
export async function dataplaneHealth(client: KubeClient, address: string): Promise<Array<{ pod: string; backends: Record<string, ClusterHealth> }>> {
  const services = (await client.get("/api/v1/services")).items as any[];
  const service = services.find((s) => (s.status?.loadBalancer?.ingress ?? []).some((i: any) => i.ip === address));
  if (!service) throw new Error(`no LoadBalancer Service has the address ${address}`);
  const selector = Object.entries(service.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
  const pods = (await client.request<any>(`/api/v1/namespaces/${service.metadata.namespace}/pods`, { query: { labelSelector: selector } })).items as any[];
  const backendsOf = async (pod: any) => JSON.parse((await get({ host: pod.status.podIP, port: PROBE_PORT, path: "/backends" })).body);
  return Promise.all(pods.filter((p) => p.status?.podIP).map(async (p) => ({ pod: p.metadata.name, backends: await backendsOf(p) })));
}

/** One line per endpoint: `cluster  address:port  UP (L7OK)`, with the hint when there is one. */
export function healthLines(backends: Record<string, ClusterHealth>): string[] {
  return Object.entries(backends).flatMap(([cluster, health]) =>
    health.endpoints.length === 0
      ? [`${cluster}: no endpoints`]
      : health.endpoints.map((e) => `${cluster}  ${e.address}:${e.port}  ${e.status}${e.lastCheck ? ` (${e.lastCheck})` : ""}${e.hint ? `: ${e.hint}` : ""}`),
  );
}
