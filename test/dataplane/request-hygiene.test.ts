/**
 * What reaches a backend from requests written byte for byte (a raw socket, so no client
 * library merges header lines or cleans the path): X-Forwarded-For lines and normalized paths.
 */
import { Backend, cluster, EchoReply, freePort, gatewayIr, Harness, rawGet } from "./harness";

/** The X-Forwarded-For lines the backend received, in order. */
function forwardedForLines(seen: EchoReply): string[] {
  const out: string[] = [];
  for (let i = 0; i < seen.rawHeaders.length; i += 2) {
    if (seen.rawHeaders[i].toLowerCase() === "x-forwarded-for") out.push(seen.rawHeaders[i + 1]);
  }
  return out;
}

describe("request hygiene", () => {
  const h = new Harness();
  let pub: Backend;
  let port: number;

  beforeAll(async () => {
    pub = await h.backend("public");
    port = await freePort();
    // The only route is the prefix /public: anything else must be 404.
    await h.startAgent(gatewayIr(port, [cluster("public", [pub])], {
      routes: [{ name: "public", path: { type: "PathPrefix", value: "/public" }, backends: [{ cluster: "public" }] }],
    }));
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  describe("X-Forwarded-For", () => {
    it("keeps every line the client sent, in order, then appends the client, as one line", async () => {
      const r = await rawGet(port, "/public/xff", ["X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 198.51.100.2"]);
      expect(r.status).toBe(200);
      expect(forwardedForLines(JSON.parse(r.body))).toEqual(["203.0.113.7,198.51.100.2,127.0.0.1"]);
    }, 30_000);

    it("keeps a line that is already a list as it is", async () => {
      const r = await rawGet(port, "/public/xff", ["X-Forwarded-For: 203.0.113.7, 10.0.0.1", "X-Forwarded-For: 198.51.100.2"]);
      expect(forwardedForLines(JSON.parse(r.body))).toEqual(["203.0.113.7, 10.0.0.1,198.51.100.2,127.0.0.1"]);
    }, 30_000);

    it("refuses more than 10 lines with 400 rather than dropping some", async () => {
      const lines = Array.from({ length: 11 }, (_, i) => `X-Forwarded-For: 192.0.2.${i + 1}`);
      const r = await rawGet(port, "/public/xff", lines);
      expect(r.status).toBe(400);
      expect(r.body).toBe("more than 10 X-Forwarded-For lines");
    }, 30_000);
  });

  describe("paths are normalized before routing, and forwarded normalized", () => {
    it.each([
      ["/public/../secret", "dot segments"],
      ["/public/%2e%2e/secret", "encoded dot segments"],
      ["/public/%2E%2E/secret", "upper-case encoded dot segments"],
      ["/public/./../secret", "mixed dot segments"],
      ["/public%2F..%2Fsecret", "an encoded slash, which is not a separator"],
    ])("%s (%s) does not reach the /public backend: 404", async (target) => {
      const before = pub.hits;
      const r = await rawGet(port, target);
      expect([r.status, r.body]).toEqual([404, "no route for this host and path"]);
      expect(pub.hits).toBe(before);
    }, 30_000);

    it.each([
      ["/public/a/../b", "/public/b"],
      ["/public//a///b", "/public/a/b"],
      ["/public/./a/.", "/public/a/"],
      ["/public/%7Euser/%61", "/public/~user/a"],
      ["/public/a%2fb", "/public/a%2Fb"],
      ["/x/../public/q?v=/../", "/public/q?v=/../"],
      ["//public", "/public"],
    ])("%s reaches the backend as %s", async (target, seen) => {
      const r = await rawGet(port, target);
      expect(r.status).toBe(200);
      expect((JSON.parse(r.body) as EchoReply).url).toBe(seen);
    }, 30_000);

    it.each([
      ["/..", "the request path climbs above the root with '..'"],
      ["/public/../../secret", "the request path climbs above the root with '..'"],
      ["/%2e%2e/public", "the request path climbs above the root with '..'"],
      ["/../../public", "the request path climbs above the root with '..'"],
    ])("%s climbs above the root: 400", async (target, body) => {
      const r = await rawGet(port, target);
      expect([r.status, r.body]).toEqual([400, body]);
    }, 30_000);

    it("refuses a broken percent-encoding with 400", async () => {
      const r = await rawGet(port, "/public/%zz");
      expect(r.status).toBe(400);
    }, 30_000);
  });
});
