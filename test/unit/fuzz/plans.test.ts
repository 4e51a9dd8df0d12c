// Preview's validation over generated plans: the provider's check per resource and the checks
// across resources, as `pulumi preview` runs them. `bench/fuzz.ts` runs the same with 10,000 plans.
import fc from "fast-check";
import { CODE_SUFFIX, FAULTS, arbitraryPlan, faultyPlan, previewMessages, validPlan } from "../../support/plans";

const RUNS = 200;

describe("preview over generated plans", () => {
  it("passes every valid plan without a word", async () => {
    await fc.assert(fc.asyncProperty(validPlan, async (plan) => expect(await previewMessages(plan)).toEqual([])), { numRuns: RUNS });
  });

  it("refuses each planted fault with its rule's code", async () => {
    await fc.assert(
      fc.asyncProperty(faultyPlan, async ({ fault, rule, plan }) => {
        const messages = await previewMessages(plan);
        expect({ fault, refusedWith: messages.some((m) => m.endsWith(`[${rule}]`)) }).toEqual({ fault, refusedWith: true });
      }),
      { numRuns: RUNS },
    );
  });

  it("plants a fault for every rule a program can break", () => {
    expect([...new Set(Object.values(FAULTS).map((f) => f.rule))].sort()).toEqual([
      "AGC001", "AGC002", "AGC003", "AGC004", "AGC005", "AGC007", "AGC008", "AGC009", "AGC010",
      "AGC015", "AGC016", "AGC017", "AGC018", "AGC019", "AGC020", "AGC021", "AGC022", "AGC023",
    ]);
  });

  it("never throws on arbitrary properties, and every message it gives carries a rule code", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryPlan, async (plan) => {
        const messages = await previewMessages(plan);
        expect(messages.filter((m) => !CODE_SUFFIX.test(m))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
