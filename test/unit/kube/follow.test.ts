import { KubeClient } from "../../../kube/client";
import { followObject } from "../../../kube/follow";
import { StandInApi, standInApi } from "../controller/stand-in-api";

// A local HTTP server stands in for the API server: a real one cannot be made to expire a
// watch or fail one on demand.
describe("followObject", () => {
  let api: StandInApi;
  const requests: string[] = [];
  const cm = (rv: string) => ({ metadata: { name: "ir", namespace: "ns", resourceVersion: rv }, data: { v: rv } });
  beforeAll(async () => {
    api = await standInApi((url, reply, res) => {
      const watching = url.searchParams.get("watch") === "1";
      requests.push(`${watching ? `watch@${url.searchParams.get("resourceVersion")}` : "list"} ${url.searchParams.get("fieldSelector")}`);
      const lists = requests.filter((r) => r.startsWith("list")).length;
      const watches = requests.filter((r) => r.startsWith("watch")).length;
      if (!watching) return reply(200, { items: [cm(lists === 1 ? "5" : "8")], metadata: { resourceVersion: lists === 1 ? "5" : "8" } });
      res.writeHead(watches === 2 ? 500 : 200, { "Content-Type": "application/json" });
      // The first watch: a change, then the server says version 6 is gone.
      if (watches === 1) res.end(`${JSON.stringify({ type: "MODIFIED", object: cm("6") })}\n${JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired", message: "too old resource version" } })}\n`);
      // The second fails; the third stays open and brings the object's deletion.
      else if (watches === 2) res.end(JSON.stringify({ kind: "Status", message: "etcd unavailable" }));
      else res.write(`${JSON.stringify({ type: "DELETED", object: cm("9") })}\n`);
    });
  });
  afterAll(() => api.close());

  it("hands over each version once, lists again after a 410, resumes the watch after a failure", async () => {
    const client = new KubeClient({ server: api.url });
    const abort = new AbortController();
    const seen: Array<string | undefined> = [];
    const problems: string[] = [];
    const following = followObject(client, "/api/v1/namespaces/ns/configmaps", "ir", (o) => void seen.push(o?.data.v), {
      onProblem: (m) => problems.push(m),
      signal: abort.signal,
      backoff: { initialMs: 50, maxMs: 50 },
    });
    try {
      for (let waited = 0; seen.length < 4 && waited < 3_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual(["5", "6", "8", undefined]);
      expect(requests).toEqual(["list metadata.name=ir", "watch@5 metadata.name=ir", "list metadata.name=ir", "watch@8 metadata.name=ir", "watch@8 metadata.name=ir"]);
      expect(problems).toEqual([
        expect.stringMatching(/^watch of \/api\/v1\/namespaces\/ns\/configmaps\/ir expired \(.*too old resource version\); listing again$/),
        expect.stringMatching(/^following \/api\/v1\/namespaces\/ns\/configmaps\/ir: .*500 etcd unavailable; retrying in 50 ms$/),
      ]);
    } finally {
      abort.abort();
      await following;
      client.close();
    }
  });
});
