import fc from "fast-check";
import {
    Ipv4Prefix,
    associationBlocks,
    blockCount,
    contains,
    firstFreePrefix,
    formatAddress,
    formatPrefix,
    lengthForSize,
    networkOf,
    overlaps,
    parsePrefix,
    prefixSize,
    split,
} from "../../../model/cidr";

const errorOf = (text: unknown) => {
    const parsed = parsePrefix(text);
    if (parsed.ok) throw new Error(`expected ${String(text)} to be refused`);
    return parsed.error;
};

describe("parsePrefix", () => {
    it("parses a prefix", () => {
        expect(parsePrefix("10.1.0.0/16")).toEqual({ ok: true, prefix: { network: 0x0a010000, length: 16 } });
        expect(parsePrefix("0.0.0.0/0")).toEqual({ ok: true, prefix: { network: 0, length: 0 } });
        expect(parsePrefix("255.255.255.255/32")).toEqual({ ok: true, prefix: { network: 0xffffffff, length: 32 } });
    });

    it("names the valid length range", () => {
        expect(errorOf("10.1.0.0/33")).toBe("10.1.0.0/33 is not a valid IPv4 prefix: the length must be 0..32");
        expect(errorOf("10.1.0.0/-1")).toBe("10.1.0.0/-1 is not a valid IPv4 prefix: the length must be 0..32");
        expect(errorOf("10.1.0.0/08")).toBe("10.1.0.0/08 is not a valid IPv4 prefix: the length must be 0..32");
    });

    it("names the network address when host bits are set", () => {
        expect(errorOf("10.1.0.1/24")).toBe("10.1.0.1/24 is not a valid IPv4 prefix: host bits are set; the network address is 10.1.0.0/24");
        expect(errorOf("10.1.255.0/16")).toBe("10.1.255.0/16 is not a valid IPv4 prefix: host bits are set; the network address is 10.1.0.0/16");
    });

    it("explains malformed addresses", () => {
        expect(errorOf("10.1.0.0")).toBe("10.1.0.0 is not a valid IPv4 prefix: the prefix length is missing; expected <address>/<length>, e.g. 10.1.0.0/24");
        expect(errorOf("10.1.0/24")).toBe("10.1.0/24 is not a valid IPv4 prefix: the address must have 4 dot-separated octets, found 3");
        expect(errorOf("10.256.0.0/16")).toBe("10.256.0.0/16 is not a valid IPv4 prefix: octet '256' must be a decimal number 0..255 without leading zeros");
        expect(errorOf("10.01.0.0/16")).toContain("octet '01'");
        expect(errorOf(24)).toBe("24 is not a valid IPv4 prefix: expected a string such as 10.1.0.0/24");
    });

    it("refuses IPv6 clearly", () => {
        expect(errorOf("fd00::/64")).toBe("fd00::/64: IPv6 prefixes are not supported yet; use an IPv4 prefix such as 10.1.0.0/24");
    });
});

const prefixArb: fc.Arbitrary<Ipv4Prefix> = fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
    .map(([address, length]) => ({ network: networkOf(address, length), length }));

const prefixInArb = (outer: Ipv4Prefix, maxExtra = 32) =>
    fc.tuple(fc.integer({ min: outer.length, max: Math.min(32, outer.length + maxExtra) }), fc.integer({ min: 0, max: prefixSize(outer) - 1 })).map(([length, offset]) => ({
        network: networkOf(outer.network + offset, length),
        length,
    }));

describe("prefix arithmetic properties", () => {
    it("format then parse is the identity", () => {
        fc.assert(fc.property(prefixArb, (p) => expect(parsePrefix(formatPrefix(p))).toEqual({ ok: true, prefix: p })));
    });

    it("addresses format as four octets", () => {
        fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (a) => expect(formatAddress(a)).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/)));
    });

    it("overlap is symmetric and reflexive", () => {
        fc.assert(
            fc.property(prefixArb, prefixArb, (a, b) => {
                expect(overlaps(a, b)).toBe(overlaps(b, a));
                expect(overlaps(a, a)).toBe(true);
            }),
        );
    });

    it("aligned prefixes overlap exactly when one contains the other", () => {
        fc.assert(fc.property(prefixArb, prefixArb, (a, b) => expect(overlaps(a, b)).toBe(contains(a, b) || contains(b, a))));
    });

    it("containment: a prefix contains its sub-prefixes, which overlap it and are no larger", () => {
        fc.assert(
            fc.property(prefixArb.chain((outer) => fc.tuple(fc.constant(outer), prefixInArb(outer))), ([outer, inner]) => {
                expect(contains(outer, inner)).toBe(true);
                expect(overlaps(outer, inner)).toBe(true);
                expect(prefixSize(inner)).toBeLessThanOrEqual(prefixSize(outer));
            }),
        );
    });

    it("split gives equal, disjoint blocks that cover the prefix exactly", () => {
        fc.assert(
            fc.property(prefixArb, fc.integer({ min: 0, max: 10 }), (p, extra) => {
                const length = Math.min(32, p.length + extra);
                const blocks = split(p, length);
                expect(blocks.length).toBe(blockCount(p, length));
                expect(blocks.reduce((sum, b) => sum + prefixSize(b), 0)).toBe(prefixSize(p));
                blocks.forEach((b, i) => {
                    expect(b.length).toBe(length);
                    expect(contains(p, b)).toBe(true);
                    if (i > 0) expect(overlaps(blocks[i - 1]!, b)).toBe(false);
                });
            }),
        );
    });

    it("a subnet holds size/256 association blocks (none below a /24)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 12, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), (length, address) => {
                const subnet = { network: networkOf(address, length), length };
                expect(associationBlocks(subnet).length).toBe(Math.floor(prefixSize(subnet) / 256));
            }),
        );
    });

    it("lengthForSize gives the smallest prefix holding that many addresses", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 2 ** 32 }), (n) => {
                const length = lengthForSize(n);
                expect(2 ** (32 - length)).toBeGreaterThanOrEqual(n);
                if (length < 32) expect(2 ** (32 - length - 1)).toBeLessThan(n);
            }),
        );
    });

    it("firstFreePrefix finds a prefix inside the space that overlaps nothing taken", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 8, max: 20 }).chain((spaceLength) => {
                    const space = { network: networkOf(0x0a000000, spaceLength), length: spaceLength };
                    return fc.tuple(fc.constant(space), fc.array(prefixInArb(space, 8), { maxLength: 8 }), fc.integer({ min: spaceLength, max: Math.min(28, spaceLength + 12) }));
                }),
                ([space, taken, length]) => {
                    const free = firstFreePrefix([space], taken, length);
                    if (free) {
                        expect(free.length).toBe(length);
                        expect(contains(space, free)).toBe(true);
                        expect(taken.some((t) => overlaps(t, free))).toBe(false);
                    } else {
                        // Nothing free: every block of that length is blocked.
                        expect(split(space, length).every((b) => taken.some((t) => overlaps(t, b)))).toBe(true);
                    }
                },
            ),
        );
    });

    it("split refuses absurd sizes and lengths", () => {
        expect(() => split({ network: 0, length: 0 }, 24)).toThrow("at most 65536");
        expect(() => split({ network: 0, length: 0 }, 33)).toThrow("the length must be 0..32");
    });
});
