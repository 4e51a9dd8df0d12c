import { inScope, statusDiffers, withTransitionTimes } from "../../../controller/run";

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

describe("inScope", () => {
  const inTeamA = { metadata: { namespace: "team-a", name: "gw" } };

  it("takes every namespace by default", () => {
    expect(inScope(inTeamA, undefined)).toBe(true);
  });

  it("takes only the listed namespaces when given", () => {
    expect(inScope(inTeamA, ["team-a", "team-b"])).toBe(true);
    expect(inScope(inTeamA, ["team-b"])).toBe(false);
    expect(inScope(inTeamA, [])).toBe(false);
  });
});
