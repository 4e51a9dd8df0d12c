// The control plane restarted under a serving gateway, on the real node: etcd, then the API
// server, each killed and started again (as `agc cluster up` starts what is missing). The data
// plane does not depend on them: traffic through the gateway keeps being answered meanwhile;
// once they are back, the controller and the agents resume on their own (an edit made then is
// served), and no status was lost.
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
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

jest.setTimeout(600_000);

const suffix = Date.now().toString(36);
const ns = `restarts-${suffix}`;
const className = `agc-restarts-${suffix}`;
const GW = "gateway.networking.k8s.io/v1";
const HOST = "echo.restarts.test";
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
  let ok = 0;
  const failed: number[] = [];
  const loop = (async () => {
    while (running) {
      const s = await status("/steady");
      if (s === 200) ok++;
      else failed.push(s);
      await sleep(20);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { ok, failed };
  };
}

const route = (name: string, prefix: string) => ({
  apiVersion: GW, kind: "HTTPRoute", metadata: { name, namespace: ns },
  spec: { parentRefs: [{ name: "web" }], hostnames: [HOST], rules: [{ matches: [{ path: { type: "PathPrefix", value: prefix } }], backendRefs: [{ name: "echo", port: 8080 }] }] },
});

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
  for (const o of [echoBasicDeployment(ns, "echo", 1), echoBasicService(ns, "echo", 8080), ...httpGatewayOfClass(ns, "web", className), route("steady", "/steady")]) await apply(o);
  controller = new Controller(client, { dnsZone: "alb.restarts.test", dataplaneReplicas: 1, namespaces: [ns], log: (m) => logs.push(m) });
  await controller.start();
  address = await until("the Gateway Programmed with an address", () => programmedAddress(client, ns, "web"));
  await until("the steady route answering", async () => (await status("/steady")) === 200 || undefined);
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
