import fc from "fast-check";
import { allocateAddresses, parseAddressPool } from "../../../controller/addresses";

const pool24 = parseAddressPool("10.245.0.0/24");

describe("parseAddressPool", () => {
  it("leaves out the network and broadcast addresses", () => {
    expect(pool24).toEqual({ cidr: "10.245.0.0/24", first: 0x0af50001, count: 254 });
    expect(parseAddressPool("192.168.7.0/31")).toEqual({ cidr: "192.168.7.0/31", first: 0xc0a80700, count: 2 });
  });

  it("refuses a bad pool, naming the option and the value", () => {
    expect(() => parseAddressPool("10.245.0.1/24")).toThrow("--address-pool: 10.245.0.1/24 is not a valid IPv4 prefix");
    expect(() => parseAddressPool("fd00::/64")).toThrow("--address-pool: fd00::/64: IPv6 prefixes are not supported yet");
  });
});

describe("allocateAddresses", () => {
  const pool = parseAddressPool("10.245.0.0/30"); // 10.245.0.1 and 10.245.0.2

  it.each([
    ["new Services get the lowest free addresses, in name order", [{ service: "b/s" }, { service: "a/s" }], { "a/s": "10.245.0.1", "b/s": "10.245.0.2" }, []],
    ["a Service keeps the address its status shows", [{ service: "a/s" }, { service: "b/s", current: "10.245.0.1" }], { "a/s": "10.245.0.2", "b/s": "10.245.0.1" }, []],
    ["an address outside the pool is replaced", [{ service: "a/s", current: "10.9.9.9" }], { "a/s": "10.245.0.1" }, []],
    ["an address two Services claim stays with the first by name", [{ service: "b/s", current: "10.245.0.2" }, { service: "a/s", current: "10.245.0.2" }], { "a/s": "10.245.0.2", "b/s": "10.245.0.1" }, []],
    ["the network address is never handed out", [{ service: "a/s", current: "10.245.0.0" }], { "a/s": "10.245.0.1" }, []],
    [
      "when the pool runs out, the Services left over get none",
      [{ service: "a/s" }, { service: "b/s" }, { service: "c/s", current: "10.245.0.2" }],
      { "a/s": "10.245.0.1", "c/s": "10.245.0.2" },
      ["b/s"],
    ],
  ])("%s", (_what, requests, assigned, unassigned) => {
    expect(allocateAddresses(pool, requests)).toEqual({ assigned, unassigned });
  });

  it("never gives one address to two Services, keeps every valid unique claim, and fills the pool before refusing", () => {
    const small = parseAddressPool("10.245.0.0/28"); // 14 addresses
    const request = fc.record({
      service: fc.stringMatching(/^[a-c]\/[a-z]{1,3}$/),
      current: fc.option(fc.integer({ min: 0, max: 20 }).map((n) => `10.245.0.${n}`), { nil: undefined }),
    });
    const requests = fc.uniqueArray(request, { selector: (r) => r.service, maxLength: 25 });
    fc.assert(
      fc.property(requests, (rs) => {
        const { assigned, unassigned } = allocateAddresses(small, rs);
        const addresses = Object.values(assigned);
        expect(new Set(addresses).size).toBe(addresses.length);
        for (const a of addresses) expect(Number(a.split(".")[3])).toBeGreaterThanOrEqual(1);
        for (const a of addresses) expect(Number(a.split(".")[3])).toBeLessThanOrEqual(14);
        expect(Object.keys(assigned).length + unassigned.length).toBe(rs.length);
        expect(unassigned.length).toBe(Math.max(0, rs.length - 14));
        // A Service whose claim nobody before it (by name) made keeps it.
        const sorted = [...rs].sort((a, b) => (a.service < b.service ? -1 : 1));
        const seen = new Set<string>();
        for (const r of sorted) {
          const valid = r.current && Number(r.current.split(".")[3]) >= 1 && Number(r.current.split(".")[3]) <= 14;
          if (valid && !seen.has(r.current!)) expect(assigned[r.service]).toBe(r.current);
          if (valid) seen.add(r.current!);
        }
      }),
      { numRuns: 500 },
    );
  });
});
