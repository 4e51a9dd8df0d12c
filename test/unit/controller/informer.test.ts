import * as http from "http";
import * as net from "net";
import { Change, Informer } from "../../../controller/informer";
import { KubeClient } from "../../../kube/client";

// A local HTTP server stands in for the API server: installing and removing a CRD on the shared
// test cluster would disturb every other test watching it.
describe("Informer on a type that is not served yet", () => {
  let server: http.Server;
  let served = false;
  const requests: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, "http://x");
      const watching = url.searchParams.get("watch") === "1";
      requests.push(`${watching ? "watch" : "list"} ${url.searchParams.get("labelSelector") ?? ""}`);
      const json = (code: number, obj: unknown) => {
        res.writeHead(code, { "Content-Type": "application/json" });
        res.end(JSON.stringify(obj));
      };
      if (!served) return json(404, { kind: "Status", reason: "NotFound", message: "the server could not find the requested resource" });
      if (!watching) return json(200, { items: [{ metadata: { name: "web", namespace: "demo", resourceVersion: "7" }, spec: {} }], metadata: { resourceVersion: "7" } });
      res.writeHead(200, { "Content-Type": "application/json" }); // a stream that stays open
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("is synced and empty at once, says so once, and lists it when it appears", async () => {
    const client = new KubeClient({ server: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` });
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
  let server: http.Server;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const watching = new URL(req.url!, "http://x").searchParams.get("watch") === "1";
      const web = (rv: string) => ({ metadata: { name: "web", namespace: "demo", resourceVersion: rv }, spec: { v: rv } });
      res.writeHead(200, { "Content-Type": "application/json" });
      if (!watching) return res.end(JSON.stringify({ items: [web("7")], metadata: { resourceVersion: "7" } }));
      res.write(`${JSON.stringify({ type: "MODIFIED", object: web("9") })}\n${JSON.stringify({ type: "MODIFIED", object: web("8") })}\n`);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("ignores a watched version older than the cached one", async () => {
    const client = new KubeClient({ server: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` });
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
