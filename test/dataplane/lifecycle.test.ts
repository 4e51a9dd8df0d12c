/**
 * The agent when HAProxy misbehaves: a reload nobody confirms, runtime updates HAProxy refuses,
 * a crash loop, old workers that never finish, and what /healthz and /readyz say meanwhile.
 * Faults are caused on the real processes (SIGSTOP, a port taken, a server deleted through
 * the runtime API), never imitated.
 */
import * as path from "path";
import { ApplyResult } from "../../dataplane/agent";
import { socketCommand } from "../../dataplane/runtime-api";
import { GatewayIr } from "../../model/ir";
import { Backend, backendAnswering, cluster, EchoReply, eventually, freePort, gatewayIr, Harness, httpGet, sleep } from "./harness";

jest.setTimeout(60_000);

/** The IR plus one route `/new` that sets `x-route: new`: a structural change (a reload). */
function withNewRoute(ir: GatewayIr): GatewayIr {
  return {
    ...ir,
    routes: [
      { name: "new", path: { type: "PathPrefix", value: "/new" }, backends: [{ cluster: ir.clusters[0].name }], requestHeaders: { set: [{ name: "x-route", value: "new" }] } },
      ...ir.routes,
    ],
  };
}

async function routeHeader(port: number, urlPath: string): Promise<string | undefined> {
  const r = await httpGet(port, urlPath);
  return r.status === 200 ? ((JSON.parse(r.body) as EchoReply).headers["x-route"] as string | undefined) : `status ${r.status}`;
}

describe("a reload is done only when the master runs a new worker", () => {
  const h = new Harness();
  let port: number;
  let base: GatewayIr;

  beforeAll(async () => {
    const one = await h.backend("one");
    port = await freePort();
    base = gatewayIr(port, [cluster("app", [one])]);
    await h.startAgent(base, undefined, { retryBackoff: { initialMs: 200, maxMs: 200 } });
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("reports a reload whose master does not answer as failed, serves the old configuration, and retries", async () => {
    const agent = h.agent!;
    const master = agent.haproxyPid!;
    const worker = (await agent.workerPid())!;
    const results: ApplyResult[] = [];
    agent.on("applied", (r: ApplyResult) => results.push(r));
    // Neither the master CLI nor the stats socket answers while they are stopped. The worker
    // comes back first: its stats socket then answers with the old pid, which a reload that
    // trusted the stats socket would take for a new worker.
    process.kill(master, "SIGSTOP");
    process.kill(worker, "SIGSTOP");
    let first: ApplyResult;
    try {
      const applying = agent.apply(withNewRoute(base));
      await sleep(2_500);
      process.kill(worker, "SIGCONT");
      first = await applying;
      expect(first).toEqual({
        kind: "failed",
        errors: [`reload failed: the haproxy master did not answer 'show proc' on ${path.join(h.dir, "run", "master.sock")}: runtime API: no answer to 'show proc' within 2000 ms; the previous configuration keeps serving`],
        retryInMs: 200,
      });
      expect(await routeHeader(port, "/new/x")).toBeUndefined(); // the catch-all route: no x-route header
    } finally {
      process.kill(master, "SIGCONT");
      process.kill(worker, "SIGCONT");
    }
    // Retried without a new document once the master answers again.
    await eventually("the retried reload", () => results.find((r) => r.kind === "reload"));
    expect(await routeHeader(port, "/new/x")).toBe("new");
    expect(await agent.workerPid()).not.toBe(worker);
  });
});
