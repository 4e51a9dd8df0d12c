import { Batcher, passDueAt } from "../../../controller/batch";

describe("passDueAt", () => {
  const timings = { holdOffMs: 100, maxDelayMs: 1000 };
  it.each([
    [0, 0, 100],
    [0, 50, 150],
    [0, 950, 1000],
    [0, 5000, 1000],
  ])("first change at %i, latest at %i: due at %i", (first, latest, due) => {
    expect(passDueAt(first, latest, timings)).toBe(due);
  });
});

describe("Batcher", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("runs one pass for a burst, and one at the ceiling under a steady stream", async () => {
    const passes: number[] = [];
    let clock = 0;
    const batcher = new Batcher(async () => void passes.push(clock), () => {}, { holdOffMs: 100, maxDelayMs: 1000 }, () => clock);
    const advance = async (ms: number) => {
      for (let step = 0; step < ms; step += 10) {
        clock += 10;
        jest.advanceTimersByTime(10);
        await Promise.resolve();
        await Promise.resolve();
      }
    };
    for (let i = 0; i < 5; i++) {
      batcher.trigger();
      await advance(20);
    }
    await advance(100);
    expect(passes).toEqual([180]); // 100 ms after the last of 5 changes 20 ms apart
    for (let i = 0; i < 30; i++) {
      batcher.trigger();
      await advance(50);
    }
    expect(passes).toEqual([180, 1200]); // a change every 50 ms: the ceiling, 1 s after the first
    batcher.stop();
  });
});
