// `agc dataplane --configmap NS/NAME` against the local API server: the agent follows the
// ConfigMap's `ir.json` (a watch) through real HAProxy to real backends, refuses a bad IR
// without dropping traffic, keeps serving through an API server outage and when the ConfigMap
// goes away.
import * as path from "path";
import { KubeClient } from "../../kube/client";
import { GatewayIr } from "../../model/ir";
import { AgcProcess, Backend, backendAnswering, cluster, eventually, freePort, gatewayIr, Harness, httpGet } from "../dataplane/harness";
import { ApiServerReplica } from "../support/apiServerReplica";
import { testClient } from "../support/localCluster";

jest.setTimeout(120_000);

describe("agc dataplane --configmap", () => {
  const h = new Harness();
  const namespace = `agc-dp-${Date.now().toString(36)}`;
  const name = "gateway-ir";
  const cmPath = `/api/v1/namespaces/${namespace}/configmaps/${name}`;
  let kube: KubeClient;
  // The agent's API server: one the outage test can take away from it alone.
  let replica: ApiServerReplica;
  let agc: AgcProcess | undefined;
  let one: Backend, two: Backend, three: Backend;
  let port: number;
  let adminPort: number;
  let base: GatewayIr;

  const who = (p = "/") => backendAnswering(port, p);
  const seenIn = async (n: number, p = "/") => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(await who(p));
    return [...seen].sort();
  };
  const publish = (ir: unknown) => kube.mergePatch(cmPath, { data: { "ir.json": typeof ir === "string" ? ir : JSON.stringify(ir) } });
  const readyz = async () => {
    const r = await httpGet(adminPort, "/readyz");
    return { status: r.status, body: JSON.parse(r.body) };
  };

  beforeAll(async () => {
    kube = testClient();
    replica = new ApiServerReplica(await freePort(), h.dir);
    await replica.start();
    [one, two, three] = [await h.backend("one"), await h.backend("two"), await h.backend("three")];
    port = await freePort();
    adminPort = await freePort();
    base = gatewayIr(port, [cluster("app", [one])]);
    await kube.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    await kube.create(`/api/v1/namespaces/${namespace}/configmaps`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace },
      data: { "ir.json": JSON.stringify(base) },
    });
    agc = new AgcProcess([
      "dataplane",
      "--configmap", `${namespace}/${name}`,
      "--kubeconfig", replica.kubeconfig,
      "--runtime-dir", path.join(h.dir, "run"),
      "--admin-port", String(adminPort),
      "--drain-seconds", "1",
    ]);
  }, 120_000);

  afterAll(async () => {
    await agc?.stop().catch(() => undefined);
    await replica?.crash();
    await h.close();
    if (kube) {
      await kube.remove(`/api/v1/namespaces/${namespace}`).catch(() => undefined);
      kube.close();
    }
  }, 60_000);

  it("serves the IR the ConfigMap holds", async () => {
    await agc!.waitForStderr(/applied \(start\)/, 0, 30_000);
    expect(await who()).toBe("one");
    const r = await readyz();
    expect(r).toMatchObject({ status: 200, body: { ready: true, gateway: "test" } });
  });

  it("applies a new endpoint from an updated ConfigMap", async () => {
    await publish(gatewayIr(port, [cluster("app", [one, two])]));
    await eventually("both endpoints to answer", async () => {
      const seen = await seenIn(8);
      return seen.join(",") === "one,two" ? seen : undefined;
    }, 20_000, 200);
  });

  it("applies a changed route from an updated ConfigMap", async () => {
    const from = agc!.stderr.length;
    await publish(gatewayIr(port, [cluster("app", [one, two]), cluster("other", [three])], {
      routes: [
        { name: "other", path: { type: "PathPrefix", value: "/other" }, backends: [{ cluster: "other" }] },
        { name: "all", backends: [{ cluster: "app" }] },
      ],
    }));
    await eventually("/other to reach the other cluster", async () => ((await who("/other/x")) === "three" ? true : undefined), 20_000, 200);
    await agc!.waitForStderr(/applied \(reload\)/, from);
    expect(await seenIn(8)).toEqual(["one", "two"]);
  });

  it("refuses an invalid IR, naming the field, and keeps serving the last good one", async () => {
    const from = agc!.stderr.length;
    const bad = gatewayIr(port, [cluster("app", [three])], { routes: [{ name: "all", backends: [{ cluster: "missing" }] }] });
    await publish(bad);
    const refused = await agc!.waitForStderr(/IR refused/, from);
    expect(refused.length).toBeGreaterThan(0);
    await agc!.waitForStderr(/routes\[0\]\.backends\[0\]\.cluster/, from);
    // Still the configuration from before: /other and both app endpoints.
    expect(await who("/other/x")).toBe("three");
    expect(await seenIn(8)).toEqual(["one", "two"]);
    // The admin endpoint says why, and stays ready.
    const status = await readyz();
    expect(status.status).toBe(200);
    expect(status.body.refused.errors.join("\n")).toMatch(/^routes\[0\]\.backends\[0\]\.cluster: .*"missing"/m);
  });

  it("refuses a ConfigMap whose ir.json is not JSON, and keeps serving", async () => {
    const from = agc!.stderr.length;
    await publish('{"apiVersion": "ir.agc.dev/v1", "gateway": ');
    await agc!.waitForStderr(/ir\.json/, from);
    expect(await seenIn(8)).toEqual(["one", "two"]);
  });

  it("applies a valid IR published after the refused ones", async () => {
    const from = agc!.stderr.length;
    await publish(gatewayIr(port, [cluster("app", [three])]));
    await agc!.waitForStderr(/applied \(reload\)/, from);
    await eventually("only the new endpoint to answer", async () => {
      const seen = await seenIn(6);
      return seen.join(",") === "three" ? seen : undefined;
    }, 20_000, 200);
    expect(await who("/other/x")).toBe("three"); // the catch-all route now
    expect((await readyz()).body.refused).toBeUndefined();
  });

  it("keeps serving through an API server outage, then resumes its watch, listing again when its version expired", async () => {
    const from = agc!.stderr.length;
    // Writes the agent's watch does not see: the version it resumes from is then older than
    // any the restarted API server keeps, which it answers with 410 Gone.
    for (const other of ["other-1", "other-2", "other-3"]) {
      await kube.create(`/api/v1/namespaces/${namespace}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: other, namespace }, data: {} });
    }
    await replica.crash();
    await agc!.waitForStderr(new RegExp(`following /api/v1/namespaces/${namespace}/configmaps/${name}: .*; retrying in \\d+ ms; the last applied configuration keeps serving$`), from);
    expect(await seenIn(6)).toEqual(["three"]);
    expect((await readyz()).status).toBe(200);
    await replica.start();
    await agc!.waitForStderr(new RegExp(`watch of /api/v1/namespaces/${namespace}/configmaps/${name} expired .*; listing again`), from, 60_000);
    await publish(gatewayIr(port, [cluster("app", [two])]));
    await eventually("the IR published after the outage to serve", async () => ((await seenIn(6)).join(",") === "two" ? true : undefined), 20_000, 200);
  });

  it("keeps serving the last good configuration when the ConfigMap is deleted", async () => {
    const from = agc!.stderr.length;
    await kube.remove(cmPath);
    await agc!.waitForStderr(/does not exist \(yet\); the last applied configuration keeps serving$/, from);
    // A while without the ConfigMap: nothing changes.
    const until = Date.now() + 3_000;
    while (Date.now() < until) expect(await who()).toBe("two");
    expect((await readyz()).status).toBe(200);
    expect(agc!.running).toBe(true);
  });

  it("picks the ConfigMap up again when it is re-created", async () => {
    await kube.create(`/api/v1/namespaces/${namespace}/configmaps`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace },
      data: { "ir.json": JSON.stringify(gatewayIr(port, [cluster("app", [one])])) },
    });
    await eventually("the re-created ConfigMap's endpoint to answer", async () => ((await seenIn(6)).join(",") === "one" ? true : undefined), 20_000, 200);
  });

  it("stops on SIGTERM, taking HAProxy with it", async () => {
    await agc!.stop();
    expect(agc!.exitCode).toBe(0);
    await expect(httpGet(port, "/")).rejects.toThrow();
  });
});
