import { Change, Informer, inScope } from "../../../controller/informer";
import { KubeClient } from "../../../kube/client";
import { StandInApi, standInApi } from "./stand-in-api";

// A local HTTP server stands in for the API server: installing and removing a CRD on the shared
// test cluster would disturb every other test watching it.
describe("Informer on a type that is not served yet", () => {
  let api: StandInApi;
  let served = false;
  const requests: string[] = [];
  beforeAll(async () => {
    api = await standInApi((url, reply, res) => {
      const watching = url.searchParams.get("watch") === "1";
      requests.push(`${watching ? "watch" : "list"} ${url.searchParams.get("labelSelector") ?? ""}`);
      if (!served) return reply(404, { kind: "Status", reason: "NotFound", message: "the server could not find the requested resource" });
      if (!watching) return reply(200, { items: [{ metadata: { name: "web", namespace: "demo", resourceVersion: "7" }, spec: {} }], metadata: { resourceVersion: "7" } });
      res.writeHead(200, { "Content-Type": "application/json" }); // a stream that stays open
    });
  });
  afterAll(() => api.close());

  it("is synced and empty at once, says so once, and lists it when it appears", async () => {
    const client = new KubeClient({ server: api.url });
    const abort = new AbortController();
    const logs: string[] = [];
    const changes: Change["type"][] = [];
    const informer = new Informer(
      client,
      { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", plural: "gateways", labelSelector: "a=b" },
      (c) => changes.push(c.type),
      { log: (m) => logs.push(m), signal: abort.signal, notServedRetryMs: 300 },
    );
    try {
      informer.start();
      await informer.synced;
      expect(informer.served).toBe(false);
      expect(informer.list()).toEqual([]);
      await new Promise((r) => setTimeout(r, 700));
      expect(logs).toEqual(["gateways.gateway.networking.k8s.io/v1 is not served (CRD not installed?); looking again every 0.3 s"]);
      served = true;
      await new Promise((r) => setTimeout(r, 500));
      expect(informer.served).toBe(true);
      expect(informer.list()).toEqual([{ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "web", namespace: "demo", resourceVersion: "7" }, spec: {} }]);
      expect(logs[1]).toBe("gateways.gateway.networking.k8s.io/v1 is served now");
      expect(changes).toEqual(["RELISTED"]);
      expect(requests.every((r) => r.endsWith(" a=b"))).toBe(true);
    } finally {
      abort.abort();
      client.close();
    }
  });
});

describe("Informer keeps the newest version", () => {
  // A watch that delivers an older version after a newer one: after our own status write put
  // the newer one in the cache, the watch still brings the versions before it.
  let api: StandInApi;
  beforeAll(async () => {
    api = await standInApi((url, reply, res) => {
      const web = (rv: string) => ({ metadata: { name: "web", namespace: "demo", resourceVersion: rv }, spec: { v: rv } });
      if (url.searchParams.get("watch") !== "1") return reply(200, { items: [web("7")], metadata: { resourceVersion: "7" } });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(`${JSON.stringify({ type: "MODIFIED", object: web("9") })}\n${JSON.stringify({ type: "MODIFIED", object: web("8") })}\n`);
    });
  });
  afterAll(() => api.close());

  it("ignores a watched version older than the cached one", async () => {
    const client = new KubeClient({ server: api.url });
    const abort = new AbortController();
    const informer = new Informer(client, { apiVersion: "v1", kind: "Service", plural: "services" }, () => {}, { log: () => {}, signal: abort.signal });
    try {
      informer.start();
      await informer.synced;
      await new Promise((r) => setTimeout(r, 300));
      expect(informer.get("demo/web")?.metadata.resourceVersion).toBe("9");
    } finally {
      abort.abort();
      client.close();
    }
  });
});

describe("inScope", () => {
  const inTeamA = { metadata: { namespace: "team-a", name: "gw" } };

  it("takes every namespace by default", () => {
    expect(inScope(inTeamA, undefined)).toBe(true);
  });

  it("takes only the listed namespaces when given, and cluster-scoped objects always", () => {
    expect(inScope(inTeamA, ["team-a", "team-b"])).toBe(true);
    expect(inScope(inTeamA, ["team-b"])).toBe(false);
    expect(inScope(inTeamA, [])).toBe(false);
    expect(inScope({ metadata: { name: "agc" } }, ["team-b"])).toBe(true);
  });
});
