import { rolloutPending } from "../../../cli/commands/controller-install";

const deployment = (replicas: number, status: Record<string, number>, generation = 2) => ({
  metadata: { name: "alb-controller", generation },
  spec: { replicas },
  status,
});

describe("rolloutPending: what `agc controller install` still waits for", () => {
  it.each([
    ["absent", undefined, "not created yet"],
    ["its change not observed", deployment(2, { observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2, replicas: 2 }), "its change is not observed yet"],
    ["one of two available", deployment(2, { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 1, replicas: 2 }), "2 of 2 replicas updated, 1 available"],
    ["an old pod still there", deployment(2, { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2, replicas: 3 }), "2 of 2 replicas updated, 2 available"],
    ["no status yet", deployment(1, {}), "its change is not observed yet"],
  ])("%s: %s", (_label, object, reason) => {
    expect(rolloutPending(object)).toBe(reason);
  });

  it("nothing once every replica is updated and available", () => {
    expect(rolloutPending(deployment(2, { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2, replicas: 2 }))).toBeUndefined();
  });
});
