import { statusDiffers, withTransitionTimes } from "../../../controller/status";

const T0 = "2026-01-01T00:00:00Z";
const T1 = "2026-01-02T00:00:00Z";
const ok = (type: string, status = "True") => ({ type, status, reason: type, message: "m" });

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
