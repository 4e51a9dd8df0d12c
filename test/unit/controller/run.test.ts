import { Controller } from "../../../controller/run";
import { KubeClient } from "../../../kube/client";
import { StandInApi, standInApi } from "./stand-in-api";

describe("Controller watches against a failing API server", () => {
  // A local HTTP server stands in for the API server: a real one cannot be made to answer a
  // watch with 429 and Retry-After, or to fail a re-list, on demand.
  let api: StandInApi;
  const requests: string[] = [];
  beforeAll(async () => {
    api = await standInApi((url, reply, res) => {
      const watching = url.searchParams.get("watch") === "1";
      const plural = url.pathname.split("/").pop()!;
      requests.push(`${watching ? "watch" : "list"} ${plural}`);
      const lists = requests.filter((r) => r === `list ${plural}`).length;
      if (!watching) {
        // The first list of each kind works; frontends' re-lists fail.
        if (plural === "frontends" && lists > 1) return reply(500, { kind: "Status", message: "etcd unavailable" });
        return reply(200, { items: [], metadata: { resourceVersion: "5" } });
      }
      if (plural === "trafficcontrollers") return reply(429, { kind: "Status", reason: "TooManyRequests", message: "slow down" }, { "Retry-After": "2" });
      if (plural === "frontends") return reply(200, { type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired", message: "too old resource version" } });
      // The others: a stream that stays open.
      res.writeHead(200, { "Content-Type": "application/json" });
    });
  });
  afterAll(() => api.close());

  it("waits what Retry-After says, and backs off re-lists that fail after a 410", async () => {
    const client = new KubeClient({ server: api.url });
    const controller = new Controller(client, { dnsZone: "alb.test", log: () => {} });
    try {
      await controller.start();
      await new Promise((r) => setTimeout(r, 2_500));
      // 429 with Retry-After: 2 at 0 s: the next watch comes at 2 s, not every second.
      expect(requests.filter((r) => r === "watch trafficcontrollers")).toHaveLength(2);
      // 410, then re-lists failing: tries at about 0, 0.8, 0.8+1.6 s, not in a tight loop.
      expect(requests.filter((r) => r === "list frontends").length).toBeLessThanOrEqual(4);
      expect(requests.filter((r) => r === "watch frontends")).toHaveLength(1);
    } finally {
      controller.stop();
      client.close();
    }
  });
});
