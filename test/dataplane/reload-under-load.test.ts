/**
 * Reloads while requests flow on a route nobody changes: every request is answered by the
 * backend. A process soft-stopping after a reload counts no usable server in its backends,
 * and the "no healthy endpoint" answer once fired there for requests it still held.
 */
import * as http from "http";
import { GatewayIr } from "../../model/ir";
import { cluster, freePort, gatewayIr, Harness, sleep } from "./harness";

jest.setTimeout(120_000);

function get(port: number, agent: http.Agent | false): Promise<string> {
  return new Promise((resolve) => {
    http.get({ host: "127.0.0.1", port, path: "/steady", headers: { host: "steady.test" }, agent, timeout: 2_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(res.statusCode === 200 ? "200" : `${res.statusCode} ${body.trim()}`));
    }).on("error", (e) => resolve(e.message));
  });
}

describe("reloads under load", () => {
  const h = new Harness();
  afterAll(() => h.close(), 30_000);

  it("answer every request on an untouched route, over kept-alive and new connections", async () => {
    const backends = [await h.backend("a"), await h.backend("b")];
    const port = await freePort();
    const CLUSTERS = 200;
    const clusters = Array.from({ length: CLUSTERS }, (_, i) => cluster(`c${i}`, backends));
    // Each generation renames every route but the first: a structural change, so a reload.
    const ir = (generation: number): GatewayIr => gatewayIr(port, clusters, {
      routes: clusters.map((c, i) => ({ name: `r${i}`, hostnames: [i === 0 ? "steady.test" : `h${i}-${generation}.test`], backends: [{ cluster: c.name }] })),
    });
    await h.startAgent(ir(0));
    const answers: Record<string, number> = {};
    const reloads: string[] = [];
    let running = true;
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const loops = [keepAlive, false as const, keepAlive, false as const].map((agent) => (async () => {
      while (running) {
        const a = await get(port, agent);
        answers[a] = (answers[a] ?? 0) + 1;
        await sleep(5);
      }
    })());
    for (let g = 1; g <= 12; g++) {
      reloads.push((await h.agent!.apply(ir(g))).kind);
      await sleep(300);
    }
    running = false;
    await Promise.all(loops);
    keepAlive.destroy();
    expect(reloads).toEqual(Array(12).fill("reload"));
    expect(Object.keys(answers)).toEqual(["200"]);
    expect(answers["200"]).toBeGreaterThan(500);
  });
});
