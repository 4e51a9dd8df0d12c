import { inScope } from "../../../controller/informer";
import { Controller } from "../../../controller/run";
import { mapLimited, needsReconcile, statusDiffers, statusPatch, withRetries, withTransitionTimes } from "../../../controller/status";
import { KubeClient, KubeError } from "../../../kube/client";
import { StandInApi, standInApi } from "./stand-in-api";

const T0 = "2024-05-01T10:00:00Z";
const T1 = "2024-05-01T11:00:00Z";
const accepted = (status: "True" | "False", extra: Record<string, unknown> = {}) => ({
  type: "Accepted",
  status,
  reason: status === "True" ? "Accepted" : "AGC001",
  message: "m",
  observedGeneration: 1,
  ...extra,
});

describe("withTransitionTimes", () => {
  it("sets the time on a first write", () => {
    const out = withTransitionTimes({ provisioningState: "Succeeded", conditions: [accepted("True")] }, undefined, T1);
    expect(out).toEqual({ provisioningState: "Succeeded", conditions: [{ ...accepted("True"), lastTransitionTime: T1 }] });
  });

  it("keeps the time while the condition's status stays, even if reason or message change", () => {
    const current = { conditions: [{ ...accepted("False"), lastTransitionTime: T0 }] };
    const out = withTransitionTimes({ conditions: [accepted("False", { reason: "AGC003", message: "other", observedGeneration: 2 })] }, current, T1);
    expect(out.conditions).toEqual([{ ...accepted("False", { reason: "AGC003", message: "other", observedGeneration: 2 }), lastTransitionTime: T0 }]);
  });

  it("sets the time when the status changes", () => {
    const current = { conditions: [{ ...accepted("False"), lastTransitionTime: T0 }] };
    expect(withTransitionTimes({ conditions: [accepted("True")] }, current, T1).conditions[0].lastTransitionTime).toBe(T1);
  });

  it("matches conditions by type", () => {
    const current = { conditions: [{ type: "Programmed", status: "True", lastTransitionTime: T0 }] };
    const out = withTransitionTimes({ conditions: [accepted("True"), { type: "Programmed", status: "True" }] }, current, T1);
    expect(out.conditions.map((c: any) => c.lastTransitionTime)).toEqual([T1, T0]);
  });

  it("never writes a condition without a time (the CRD requires one)", () => {
    const current = { conditions: [accepted("True")] }; // written by someone else, without a time
    expect(withTransitionTimes({ conditions: [accepted("True")] }, current, T1).conditions[0].lastTransitionTime).toBe(T1);
  });

  it("does not change its input", () => {
    const desired = { conditions: [accepted("True")] };
    withTransitionTimes(desired, undefined, T1);
    expect(desired).toEqual({ conditions: [accepted("True")] });
  });
});

describe("statusDiffers", () => {
  const desired = { provisioningState: "Succeeded", observedGeneration: 1, fqdn: "a.b", conditions: [accepted("True")] };

  it("ignores condition timestamps", () => {
    expect(statusDiffers(desired, { ...desired, conditions: [{ ...accepted("True"), lastTransitionTime: T0 }] })).toBe(false);
  });

  it("ignores key order, at every level", () => {
    const reordered = {
      conditions: [{ observedGeneration: 1, message: "m", reason: "Accepted", status: "True", type: "Accepted", lastTransitionTime: T0 }],
      fqdn: "a.b",
      observedGeneration: 1,
      provisioningState: "Succeeded",
    };
    expect(statusDiffers(desired, reordered)).toBe(false);
  });

  it("sees a change in any value", () => {
    expect(statusDiffers(desired, { ...desired, provisioningState: "Failed" })).toBe(true);
    expect(statusDiffers(desired, { ...desired, observedGeneration: 2 })).toBe(true);
    expect(statusDiffers(desired, { ...desired, fqdn: "c.d" })).toBe(true);
    expect(statusDiffers(desired, { ...desired, conditions: [accepted("False")] })).toBe(true);
    expect(statusDiffers({ ...desired, frontends: ["a", "b"] }, { ...desired, frontends: ["b", "a"] })).toBe(true);
  });

  it("sees a missing status or a missing field as a change", () => {
    expect(statusDiffers(desired, undefined)).toBe(true);
    const { fqdn: _f, ...withoutFqdn } = desired;
    expect(statusDiffers(desired, withoutFqdn)).toBe(true);
    expect(statusDiffers(withoutFqdn, desired)).toBe(true);
  });
});

describe("statusPatch", () => {
  it("nulls fields no longer wanted and makes the write conditional on the version it was computed from", () => {
    expect(statusPatch({ provisioningState: "Failed", message: "m" }, { metadata: { resourceVersion: "41" }, status: { provisioningState: "Succeeded", fqdn: "a.b" } })).toEqual({
      metadata: { resourceVersion: "41" },
      status: { fqdn: null, provisioningState: "Failed", message: "m" },
    });
  });
});

describe("needsReconcile", () => {
  const gw = (extra: Record<string, any> = {}, status: Record<string, any> = { provisioningState: "Succeeded" }) => ({
    metadata: { name: "gw", namespace: "ns", generation: 1, resourceVersion: "10", managedFields: [{ manager: "pulumi-agc" }], ...extra },
    spec: { location: "westeurope" },
    status,
  });
  test.each([
    ["an object not seen before", undefined, gw(), undefined, true],
    ["our own status write coming back", gw(), gw({ resourceVersion: "11", managedFields: [{ manager: "pulumi-agc" }, { manager: "alb-controller" }] }, { provisioningState: "Failed" }), "11", false],
    ["a status change by someone else", gw(), gw({ resourceVersion: "11" }, { provisioningState: "Failed" }), "10", true],
    ["a new generation (spec changed)", gw(), { ...gw({ resourceVersion: "12", generation: 2 }), spec: { location: "northeurope" } }, "11", true],
    ["a label change (metadata, same generation)", gw(), gw({ resourceVersion: "12", labels: { a: "b" } }), undefined, true],
    ["a deletion being started", gw(), gw({ resourceVersion: "12", deletionTimestamp: "2026-11-22T08:00:00Z" }), undefined, true],
    ["nothing but the resourceVersion and managedFields", gw(), gw({ resourceVersion: "13", managedFields: [] }), undefined, false],
  ])("%s: %s", (_what, previous, incoming, ownVersion, expected) => {
    expect(needsReconcile(previous, incoming, ownVersion)).toBe(expected);
  });
});

describe("mapLimited", () => {
  it("runs at most `limit` at once and keeps the order of results", async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimited([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4, async (n) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return n * 10;
    });
    expect(most).toBe(4);
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });
});

describe("withRetries", () => {
  it("retries failures and conflicts with growing pauses, telling each attempt its number", async () => {
    const pauses: number[] = [];
    const attempts: number[] = [];
    const result = await withRetries(
      async (n) => {
        attempts.push(n);
        if (n === 1) throw new KubeError(409, "Conflict", "the object has been modified");
        if (n === 2) throw new KubeError(500, "InternalError", "etcd leader changed");
        return "written";
      },
      { attempts: 5, sleep: async (ms) => void pauses.push(ms), random: () => 0 },
    );
    expect(result).toBe("written");
    expect(attempts).toEqual([1, 2, 3]);
    expect(pauses).toEqual([800, 1600]);
  });

  it("gives up after the last attempt with its error, and at once on a 404", async () => {
    const fail = (code: number) => async () => {
      throw new KubeError(code, "", `failed ${code}`);
    };
    let calls = 0;
    const counted = (code: number) => async () => {
      calls++;
      return fail(code)();
    };
    await expect(withRetries(counted(500), { attempts: 3, sleep: async () => {}, random: () => 0 })).rejects.toThrow("failed 500");
    expect(calls).toBe(3);
    calls = 0;
    await expect(withRetries(counted(404), { attempts: 3, sleep: async () => {}, random: () => 0 })).rejects.toThrow("failed 404");
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetries(counted(422), { attempts: 3, sleep: async () => {}, random: () => 0 })).rejects.toThrow("failed 422");
    expect(calls).toBe(1);
  });
});

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
