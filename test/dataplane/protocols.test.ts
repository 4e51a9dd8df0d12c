/** What clients and backends see: protocols, forwarded headers, request ids, routing. */
import * as http2 from "http2";
import * as https from "https";
import { Backend, EchoReply, eventually, freePort, gatewayIr, cluster, h2Get, Harness, httpGet, makeCertificate } from "./harness";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("protocols and headers", () => {
  const h = new Harness();
  let web: Backend;
  let api: Backend;
  let port: number;
  let tlsPort: number;

  beforeAll(async () => {
    web = await h.backend("web");
    api = await h.backend("api");
    port = await freePort();
    tlsPort = await freePort();
    const { certFile, keyFile } = makeCertificate(h.dir);
    await h.startAgent(gatewayIr(port, [cluster("web", [web]), cluster("api", [api]), cluster("sticky", [web, api], { sessionAffinity: {} })], {
      frontends: [
        { name: "web", port, address: "127.0.0.1" },
        { name: "secure", port: tlsPort, address: "127.0.0.1", tls: { certificates: [{ certificateFile: certFile, keyFile }] } },
      ],
      routes: [
        { name: "canary", path: { type: "PathPrefix", value: "/api" }, headers: [{ name: "x-canary", value: "yes" }], backends: [{ cluster: "web" }] },
        { name: "api", path: { type: "PathPrefix", value: "/api" }, backends: [{ cluster: "api" }],
          requestHeaders: { set: [{ name: "x-env", value: "test" }] }, responseHeaders: { set: [{ name: "x-served-by", value: "agc" }] } },
        { name: "old", path: { type: "PathPrefix", value: "/old" }, rewrite: { path: { type: "ReplacePrefixMatch", value: "/api" } }, backends: [{ cluster: "api" }] },
        { name: "moved", path: { type: "Exact", value: "/moved" }, redirect: { scheme: "https", port: tlsPort, statusCode: 301 } },
        { name: "sticky", path: { type: "PathPrefix", value: "/sticky" }, backends: [{ cluster: "sticky" }] },
        { name: "header-root", headers: [{ name: "x-root", value: "yes" }], backends: [{ cluster: "web" }],
          responseHeaders: { set: [{ name: "x-matched", value: "header-root" }] } },
        { name: "wild", hostnames: ["*.wild.test"], backends: [{ cluster: "api" }], responseHeaders: { set: [{ name: "x-matched", value: "wild" }] } },
        { name: "only-example", hostnames: ["example.com"], path: { type: "PathPrefix", value: "/" }, backends: [{ cluster: "api" }] },
        { name: "rest", backends: [{ cluster: "web" }] },
      ],
    }));
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("serves HTTP/1.1 and tells the backend who asked, over HTTP/1.1", async () => {
    const r = await httpGet(port, "/hello", { "x-forwarded-for": "1.2.3.4" });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body) as EchoReply;
    expect(seen.httpVersion).toBe("1.1");
    expect(seen.headers["x-forwarded-for"]).toBe("1.2.3.4,127.0.0.1");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-request-id"]).toMatch(GUID);
  }, 30_000);

  it("sets x-forwarded-for to the client alone when there was none", async () => {
    const seen = JSON.parse((await httpGet(port, "/")).body) as EchoReply;
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
  }, 30_000);

  it("gives each request a fresh id, the same one in the access log", async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((JSON.parse((await httpGet(port, `/id/${i}`)).body) as EchoReply).headers["x-request-id"] as string);
    expect(new Set(ids).size).toBe(3);
    for (const [i, id] of ids.entries()) {
      const line = await eventually(`access log line for ${id}`, () => h.accessLog.find((l) => l.includes(id)));
      const entry = JSON.parse(line);
      expect(entry).toMatchObject({ requestId: id, uri: `/id/${i}`, status: 200, backend: "cl_web", method: "GET" });
    }
  }, 30_000);

  it("speaks h2c with prior knowledge on the cleartext port; the backend still gets HTTP/1.1", async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const r = await h2Get(session, "/h2c", { "x-forwarded-for": "9.9.9.9" });
      expect(r.status).toBe(200);
      const seen = JSON.parse(r.body) as EchoReply;
      expect(seen.httpVersion).toBe("1.1");
      expect(seen.headers["x-forwarded-for"]).toBe("9.9.9.9,127.0.0.1");
      expect(seen.headers["x-forwarded-proto"]).toBe("http");
    } finally {
      session.close();
    }
  }, 30_000);

  it("speaks h2 by ALPN on TLS, with x-forwarded-proto https", async () => {
    const session = http2.connect(`https://127.0.0.1:${tlsPort}`, { rejectUnauthorized: false, ALPNProtocols: ["h2"] });
    try {
      const r = await h2Get(session, "/tls");
      expect((session.socket as unknown as { alpnProtocol: string }).alpnProtocol).toBe("h2");
      const seen = JSON.parse(r.body) as EchoReply;
      expect(seen.httpVersion).toBe("1.1");
      expect(seen.headers["x-forwarded-proto"]).toBe("https");
      expect(seen.headers["x-request-id"]).toMatch(GUID);
    } finally {
      session.close();
    }
  }, 30_000);

  it("speaks HTTP/1.1 by ALPN on TLS", async () => {
    const r = await new Promise<{ alpn: string | false; body: string }>((resolve, reject) => {
      const req = https.get({ host: "127.0.0.1", port: tlsPort, path: "/tls1", rejectUnauthorized: false, ALPNProtocols: ["http/1.1"], agent: false }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ alpn: (res.socket as unknown as { alpnProtocol: string | false }).alpnProtocol, body }));
      });
      req.on("error", reject);
    });
    expect(r.alpn).toBe("http/1.1");
    expect((JSON.parse(r.body) as EchoReply).headers["x-forwarded-proto"]).toBe("https");
  }, 30_000);

  it("routes by path, header and host, with header changes both ways", async () => {
    const api1 = await httpGet(port, "/api/users");
    expect((JSON.parse(api1.body) as EchoReply).backend).toBe("api");
    expect((JSON.parse(api1.body) as EchoReply).headers["x-env"]).toBe("test");
    expect(api1.headers["x-served-by"]).toBe("agc");
    expect((JSON.parse((await httpGet(port, "/apix")).body) as EchoReply).backend).toBe("web");
    expect((JSON.parse((await httpGet(port, "/api", { "x-canary": "yes" })).body) as EchoReply).backend).toBe("web");
    expect((JSON.parse((await httpGet(port, "/zzz", { host: "Example.com:80" })).body) as EchoReply).backend).toBe("api");
  }, 30_000);

  it("follows Gateway API precedence between header matches and longer paths", async () => {
    // A header match on `/` loses to the plain, longer `/api` prefix...
    const longer = await httpGet(port, "/api/x", { "x-root": "yes" });
    expect([(JSON.parse(longer.body) as EchoReply).backend, longer.headers["x-matched"]]).toEqual(["api", undefined]);
    // ...and wins over the plain catch-all `/`.
    const root = await httpGet(port, "/other", { "x-root": "yes" });
    expect(root.headers["x-matched"]).toBe("header-root");
    // A wildcard host matches deeper names too, and beats any-host routes.
    const wild = await httpGet(port, "/api/y", { host: "a.b.wild.test" });
    expect(wild.headers["x-matched"]).toBe("wild");
    expect((await httpGet(port, "/api/y", { host: "wild.test" })).headers["x-matched"]).toBeUndefined();
  }, 30_000);

  it("keeps a client on one endpoint with session affinity", async () => {
    const first = await httpGet(port, "/sticky");
    const cookie = String(first.headers["set-cookie"]?.[0] ?? "").split(";")[0];
    expect(cookie).toMatch(/^AGCAffinity=.+/);
    const pinned = (JSON.parse(first.body) as EchoReply).backend;
    for (let i = 0; i < 6; i++) {
      expect((JSON.parse((await httpGet(port, "/sticky", { cookie })).body) as EchoReply).backend).toBe(pinned);
    }
    // Without the cookie, round robin over both.
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((JSON.parse((await httpGet(port, "/sticky")).body) as EchoReply).backend);
    expect(seen).toEqual(new Set(["web", "api"]));
  }, 30_000);

  it("rewrites a path prefix and redirects", async () => {
    const seen = JSON.parse((await httpGet(port, "/old/x?q=1")).body) as EchoReply;
    expect(seen).toMatchObject({ backend: "api", url: "/api/x?q=1" });
    const r = await httpGet(port, "/moved?a=b", { host: "shop.test" });
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`https://shop.test:${tlsPort}/moved?a=b`);
  }, 30_000);

  it("answers 404 when no route matches", async () => {
    const agent = h.agent!;
    const ir = { ...agent.appliedIr!, routes: agent.appliedIr!.routes.filter((r) => r.name !== "rest") };
    expect((await agent.apply(ir)).kind).toBe("reload");
    const r = await httpGet(port, "/nowhere");
    expect(r.status).toBe(404);
    expect(r.body).toContain("no route");
  }, 60_000);
});

