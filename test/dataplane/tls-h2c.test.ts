/** Certificates chosen by SNI, and HTTP/2 cleartext (h2c) backends, through a real HAProxy. */
import * as fs from "fs";
import * as http2 from "http2";
import * as net from "net";
import * as path from "path";
import { pemBundle } from "../../dataplane/certificates";
import { cluster, eventually, freePort, gatewayIr, Harness, httpGet, makeCertificate, presentedCertificate } from "./harness";

/** The CN of the certificate the proxy presents for `servername` (none: no SNI sent). */
async function presentedName(port: number, servername?: string): Promise<string | undefined> {
  const cn = (await presentedCertificate(port, servername)).subject.CN;
  return Array.isArray(cn) ? cn.join(",") : cn;
}

/** An h2c-only backend (HTTP/2 with prior knowledge): answers with the HTTP version it saw. */
async function startH2cBackend(): Promise<{ server: http2.Http2Server; port: number; versions: string[]; probes: string[] }> {
  const versions: string[] = [];
  const probes: string[] = [];
  const server = http2.createServer((req, res) => {
    const probe = req.headers.host === "localhost" || req.headers[":authority"] === "localhost";
    (probe ? probes : versions).push(req.httpVersion);
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`h2c backend saw HTTP/${req.httpVersion} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, port: (server.address() as net.AddressInfo).port, versions, probes };
}

describe("SNI certificates and h2c backends", () => {
  const h = new Harness();
  let tlsPort: number;
  let port: number;
  let h2c: Awaited<ReturnType<typeof startH2cBackend>>;

  beforeAll(async () => {
    const web = await h.backend("web");
    h2c = await startH2cBackend();
    port = await freePort();
    tlsPort = await freePort();
    const fallback = makeCertificate(path.join(h.dir, "fallback"), "fallback.test");
    const shop = makeCertificate(path.join(h.dir, "shop"), "shop.test");
    // A Secret-referenced certificate: its PEM handed to the agent as its Secret follower does.
    const blog = makeCertificate(path.join(h.dir, "blog"), "blog.test");
    const blogPem = pemBundle(fs.readFileSync(blog.certFile, "utf8"), fs.readFileSync(blog.keyFile, "utf8"));
    await h.startAgent(gatewayIr(port, [cluster("web", [web]), { name: "grpc", protocol: "h2c", endpoints: [{ address: "127.0.0.1", port: h2c.port }], healthCheck: { intervalMs: 200 } }], {
      frontends: [
        { name: "web", port, address: "127.0.0.1" },
        { name: "secure", port: tlsPort, address: "127.0.0.1", tls: { certificates: [
          { certificateFile: fallback.certFile, keyFile: fallback.keyFile },
          { certificateFile: shop.certFile, keyFile: shop.keyFile },
          { secret: { namespace: "blog", name: "blog-tls" } },
        ] } },
      ],
      routes: [
        { name: "grpc", path: { type: "PathPrefix", value: "/grpc" }, backends: [{ cluster: "grpc" }] },
        { name: "rest", backends: [{ cluster: "web" }] },
      ],
    }), undefined, {}, { "blog/blog-tls": blogPem });
  }, 60_000);

  afterAll(async () => {
    await h.close();
    await new Promise((r) => h2c.server.close(r));
  }, 30_000);

  it.each([
    ["shop.test", "shop.test"],
    ["blog.test", "blog.test"],
    ["other.test", "fallback.test"],
    ["", "fallback.test"], // no SNI at all: the first certificate, the default
  ])("presents for SNI '%s' the certificate of %s", async (sni, cn) => {
    expect(await presentedName(tlsPort, sni || undefined)).toBe(cn);
  }, 30_000);

  it("has no private key in the configuration it wrote, only in its certificate files", () => {
    const cfg = fs.readFileSync(path.join(h.dir, "run", "haproxy.cfg"), "utf8");
    expect(cfg).not.toMatch(/PRIVATE KEY/);
    expect(cfg).toMatch(/ssl crt-list \S+fe_secure\.crt-list/);
  });

  it("speaks HTTP/2 cleartext to an h2c cluster while the client speaks HTTP/1.1", async () => {
    const r = await httpGet(port, "/grpc/hello");
    expect([r.status, r.body]).toEqual([200, "h2c backend saw HTTP/2.0 /grpc/hello"]);
    expect(h2c.versions).toContain("2.0");
  }, 30_000);

  it("probes an h2c cluster over HTTP/2 too, so it stays healthy", async () => {
    await eventually("three probes", () => h2c.probes.length >= 3 || undefined);
    expect([...new Set(h2c.probes)]).toEqual(["2.0"]);
    expect((await httpGet(port, "/grpc/still")).status).toBe(200);
  }, 30_000);
});
