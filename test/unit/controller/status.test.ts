import { mapLimited, needsReconcile, statusDiffers, statusPatch, withRetries, withTransitionTimes } from "../../../controller/status";
import { KubeError } from "../../../kube/client";

const T0 = "2026-01-01T00:00:00Z";
const T1 = "2026-01-02T00:00:00Z";
const ok = (type: string, status = "True") => ({ type, status, reason: type, message: "m" });
const accepted = (status: "True" | "False", extra: Record<string, unknown> = {}) => ({
  type: "Accepted",
  status,
  reason: status === "True" ? "Accepted" : "AGC001",
  message: "m",
  observedGeneration: 1,
  ...extra,
});

describe("condition times below the top level", () => {
  it("keeps each listener's times by listener name, whatever the order", () => {
    const current = {
      conditions: [{ ...ok("Accepted"), lastTransitionTime: T0 }],
      listeners: [
        { name: "https", conditions: [{ ...ok("Programmed"), lastTransitionTime: T0 }] },
        { name: "http", conditions: [{ ...ok("Programmed", "False"), lastTransitionTime: T0 }] },
      ],
    };
    const desired = {
      conditions: [ok("Accepted")],
      listeners: [
        { name: "http", conditions: [ok("Programmed")] },
        { name: "https", conditions: [ok("Programmed")] },
      ],
    };
    expect(withTransitionTimes(desired, current, T1)).toEqual({
      conditions: [{ ...ok("Accepted"), lastTransitionTime: T0 }],
      listeners: [
        { name: "http", conditions: [{ ...ok("Programmed"), lastTransitionTime: T1 }] },
        { name: "https", conditions: [{ ...ok("Programmed"), lastTransitionTime: T0 }] },
      ],
    });
  });

  it("keeps a route parent's times by its parentRef", () => {
    const ref = (name: string) => ({ group: "gateway.networking.k8s.io", kind: "Gateway", name });
    const current = { parents: [{ parentRef: ref("a"), controllerName: "c", conditions: [{ ...ok("Accepted"), lastTransitionTime: T0 }] }] };
    const desired = {
      parents: [
        { parentRef: ref("b"), controllerName: "c", conditions: [ok("Accepted")] },
        { parentRef: ref("a"), controllerName: "c", conditions: [ok("Accepted")] },
      ],
    };
    const out = withTransitionTimes(desired, current, T1);
    expect(out.parents.map((p: any) => p.conditions[0].lastTransitionTime)).toEqual([T1, T0]);
  });

  it("compares statuses without the times at any depth", () => {
    const desired = { listeners: [{ name: "http", conditions: [ok("Programmed")] }] };
    expect(statusDiffers(desired, { listeners: [{ name: "http", conditions: [{ ...ok("Programmed"), lastTransitionTime: T0 }] }] })).toBe(false);
    expect(statusDiffers(desired, { listeners: [{ name: "http", conditions: [{ ...ok("Programmed", "False"), lastTransitionTime: T0 }] }] })).toBe(true);
  });
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

  it("gives up after the last attempt with its error, and at once on a 404 or a 422", async () => {
    let calls = 0;
    const counted = (code: number) => async () => {
      calls++;
      throw new KubeError(code, "", `failed ${code}`);
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
