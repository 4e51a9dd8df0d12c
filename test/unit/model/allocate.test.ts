import fc from "fast-check";
import { allocateBlocks } from "../../../model/rules";
import { contains, mustParsePrefix, overlaps } from "../../../model/cidr";

describe("allocateBlocks", () => {
    it("gives each association the lowest free /24, in key order", () => {
        expect(allocateBlocks("10.1.0.0/22", ["a", "b", "c"])).toEqual({
            allocations: { a: "10.1.0.0/24", b: "10.1.1.0/24", c: "10.1.2.0/24" },
            unallocated: [],
        });
    });

    it("keeps existing blocks and fills holes", () => {
        expect(allocateBlocks("10.1.0.0/22", ["a", "c", "d"], { a: "10.1.0.0/24", c: "10.1.2.0/24", gone: "10.1.1.0/24" })).toEqual({
            allocations: { a: "10.1.0.0/24", c: "10.1.2.0/24", d: "10.1.1.0/24" },
            unallocated: [],
        });
    });

    it("ignores previous blocks outside the subnet or of the wrong size, and reports what does not fit", () => {
        expect(allocateBlocks("10.1.0.0/24", ["a", "b"], { a: "10.9.0.0/24", b: "10.1.0.0/25" })).toEqual({
            allocations: { a: "10.1.0.0/24" },
            unallocated: ["b"],
        });
        expect(allocateBlocks("10.1.0.0/25", ["a"])).toEqual({ allocations: {}, unallocated: ["a"] });
    });

    const scenario = fc.record({
        length: fc.integer({ min: 18, max: 25 }),
        keys: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 40 }),
        removed: fc.array(fc.nat(), { maxLength: 10 }),
        added: fc.uniqueArray(fc.string({ minLength: 5, maxLength: 8 }), { maxLength: 10 }),
    });

    it("allocates disjoint blocks inside the subnet, as many as fit", () => {
        fc.assert(
            fc.property(scenario, ({ length, keys }) => {
                const subnet = `10.1.0.0/${length}`;
                const { allocations, unallocated } = allocateBlocks(subnet, keys);
                const capacity = length <= 24 ? 2 ** (24 - length) : 0;
                const blocks = Object.values(allocations).map(mustParsePrefix);
                expect(blocks.length).toBe(Math.min(keys.length, capacity));
                expect(unallocated.length).toBe(Math.max(0, keys.length - capacity));
                blocks.forEach((b, i) => {
                    expect(b.length).toBe(24);
                    expect(contains(mustParsePrefix(subnet), b)).toBe(true);
                    blocks.slice(0, i).forEach((earlier) => expect(overlaps(earlier, b)).toBe(false));
                });
            }),
        );
    });

    it("is deterministic, and stable when others are added or removed", () => {
        fc.assert(
            fc.property(scenario, ({ length, keys, removed, added }) => {
                const subnet = `10.1.0.0/${length}`;
                const first = allocateBlocks(subnet, keys);
                expect(allocateBlocks(subnet, keys)).toEqual(first);
                const removedKeys = new Set(removed.map((i) => keys[i % Math.max(1, keys.length)]));
                const nextKeys = [...keys.filter((k) => !removedKeys.has(k)), ...added.filter((k) => !keys.includes(k))];
                const second = allocateBlocks(subnet, nextKeys, first.allocations);
                for (const key of nextKeys) {
                    if (first.allocations[key] !== undefined) expect(second.allocations[key]).toBe(first.allocations[key]);
                }
            }),
        );
    });
});
