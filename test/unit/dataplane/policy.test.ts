import { backoffDelay } from "../../../kube/backoff";
import { generationsToRemove, oldWorkersToStop } from "../../../dataplane/policy";

describe("agent policy", () => {
  it("doubles the delay per attempt up to the bound", () => {
    const policy = { initialMs: 200, maxMs: 5000 };
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((a) => backoffDelay(a, policy))).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it("stops the old workers retired at least the timeout ago, and no others", () => {
    const retiredAt = new Map([[10, 1_000], [11, 5_000]]);
    expect(oldWorkersToStop([10, 11, 12], retiredAt, 4_000, 3_000)).toEqual([10]);
    expect(oldWorkersToStop([10, 11, 12], retiredAt, 8_000, 3_000)).toEqual([10, 11]);
  });

  it("removes generations no worker runs, keeping the newest", () => {
    expect(generationsToRemove([1, 2, 3, 4, 5], new Set([2, 4]), 5)).toEqual([1, 3]);
    expect(generationsToRemove([7], new Set(), 7)).toEqual([]);
  });
});
