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

// Oracles, written independently of model/cidr: addresses as BigInts, prefixes compared by
// their leading bits, and free blocks found by trying every block in turn.
const bits = (address: number, length: number) => (length === 0 ? 0n : BigInt(address) >> BigInt(32 - length));
const aligned = (address: number, length: number) => Number(bits(address, length) << BigInt(32 - length));
const octets = (a: number) => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".");
const oracleContains = (outer: Ipv4Prefix, inner: Ipv4Prefix) => outer.length <= inner.length && bits(inner.network, outer.length) === bits(outer.network, outer.length);
const oracleOverlaps = (a: Ipv4Prefix, b: Ipv4Prefix) => oracleContains(a, b) || oracleContains(b, a);
function oracleFirstFree(space: Ipv4Prefix, taken: Ipv4Prefix[], length: number): Ipv4Prefix | undefined {
    for (let i = 0; i < 2 ** (length - space.length); i++) {
        const candidate = { network: space.network + i * 2 ** (32 - length), length };
        if (!taken.some((t) => oracleOverlaps(t, candidate))) return candidate;
    }
    return undefined;
}

const prefixArb: fc.Arbitrary<Ipv4Prefix> = fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
    .map(([address, length]) => ({ network: aligned(address, length), length }));

const prefixInArb = (outer: Ipv4Prefix, maxExtra = 32) =>
    fc.tuple(fc.integer({ min: outer.length, max: Math.min(32, outer.length + maxExtra) }), fc.integer({ min: 0, max: 2 ** (32 - outer.length) - 1 })).map(([length, offset]) => ({
        network: aligned(outer.network + offset, length),
        length,
    }));

const p = (text: string) => {
    const parsed = parsePrefix(text);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.prefix;
};

describe("prefix arithmetic, by example", () => {
    it("formats addresses and prefixes", () => {
        expect(formatAddress(0x0a010203)).toBe("10.1.2.3");
        expect(formatPrefix({ network: 0xc0a80000, length: 16 })).toBe("192.168.0.0/16");
        expect(networkOf(0x0a0101ff, 24)).toBe(0x0a010100);
        expect(prefixSize(p("10.1.0.0/22"))).toBe(1024);
    });

    it("tells containment and overlap", () => {
        expect(contains(p("10.1.0.0/16"), p("10.1.4.0/24"))).toBe(true);
        expect(contains(p("10.1.4.0/24"), p("10.1.0.0/16"))).toBe(false);
        expect(overlaps(p("10.1.4.0/24"), p("10.1.0.0/16"))).toBe(true);
        expect(overlaps(p("10.1.0.0/24"), p("10.1.1.0/24"))).toBe(false);
    });

    it("splits a prefix into blocks, and counts a subnet's association blocks", () => {
        expect(split(p("10.1.0.0/22"), 24).map(formatPrefix)).toEqual(["10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"]);
        expect(blockCount(p("10.1.0.0/22"), 24)).toBe(4);
        expect(blockCount(p("10.1.0.0/25"), 24)).toBe(0);
        expect(associationBlocks(p("10.1.0.0/23")).map(formatPrefix)).toEqual(["10.1.0.0/24", "10.1.1.0/24"]);
        expect(associationBlocks(p("10.1.0.0/25"))).toEqual([]);
    });

    it("finds the first free prefix, skipping taken ones", () => {
        expect(formatPrefix(firstFreePrefix([p("10.1.0.0/16")], [p("10.1.0.0/24"), p("10.1.1.0/25")], 24)!)).toBe("10.1.2.0/24");
        expect(formatPrefix(firstFreePrefix([p("10.2.0.0/16"), p("10.1.0.0/16")], [p("10.1.0.0/16")], 20)!)).toBe("10.2.0.0/20");
        expect(firstFreePrefix([p("10.1.0.0/24")], [p("10.1.0.128/25")], 24)).toBeUndefined();
    });

    it("gives the shortest length holding a number of addresses", () => {
        expect([1, 2, 3, 256, 257, 512, 2 ** 32].map(lengthForSize)).toEqual([32, 31, 30, 24, 23, 23, 0]);
    });
});

describe("prefix arithmetic properties", () => {
    it("formats as the four octets of the address, and parses back", () => {
        fc.assert(
            fc.property(prefixArb, (prefix) => {
                expect(formatPrefix(prefix)).toBe(`${octets(prefix.network)}/${prefix.length}`);
                expect(parsePrefix(formatPrefix(prefix))).toEqual({ ok: true, prefix });
            }),
        );
    });

    it("aligns to the network address as the leading bits say", () => {
        fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (address, length) => expect(networkOf(address, length)).toBe(aligned(address, length))));
    });

    it("contains and overlaps as the leading bits say", () => {
        fc.assert(
            fc.property(prefixArb, prefixArb, (a, b) => {
                expect(contains(a, b)).toBe(oracleContains(a, b));
                expect(overlaps(a, b)).toBe(oracleOverlaps(a, b));
            }),
        );
    });

    it("contains its sub-prefixes", () => {
        fc.assert(fc.property(prefixArb.chain((outer) => fc.tuple(fc.constant(outer), prefixInArb(outer))), ([outer, inner]) => expect(contains(outer, inner)).toBe(true)));
    });

    it("splits into consecutive blocks of the new length", () => {
        fc.assert(
            fc.property(prefixArb, fc.integer({ min: 0, max: 10 }), (prefix, extra) => {
                const length = Math.min(32, prefix.length + extra);
                const expected = Array.from({ length: 2 ** (length - prefix.length) }, (_, i) => ({ network: prefix.network + i * 2 ** (32 - length), length }));
                expect(split(prefix, length)).toEqual(expected);
            }),
        );
    });

    it("gives a subnet one association block per 256 addresses (none below a /24)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 12, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), (length, address) => {
                const subnet = { network: aligned(address, length), length };
                expect(associationBlocks(subnet).length).toBe(length <= 24 ? 2 ** (24 - length) : 0);
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

    it("firstFreePrefix finds the block trying every block in turn finds", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 8, max: 20 }).chain((spaceLength) => {
                    const space = { network: aligned(0x0a000000, spaceLength), length: spaceLength };
                    return fc.tuple(fc.constant(space), fc.array(prefixInArb(space, 8), { maxLength: 8 }), fc.integer({ min: spaceLength, max: Math.min(28, spaceLength + 12) }));
                }),
                ([space, taken, length]) => expect(firstFreePrefix([space], taken, length)).toEqual(oracleFirstFree(space, taken, length)),
            ),
        );
    });

    it("split refuses absurd sizes and lengths", () => {
        expect(() => split({ network: 0, length: 0 }, 24)).toThrow("at most 65536");
        expect(() => split({ network: 0, length: 0 }, 33)).toThrow("the length must be 0..32");
    });
});
