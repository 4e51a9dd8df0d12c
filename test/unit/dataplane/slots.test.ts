import * as fc from "fast-check";
import { GatewayIr } from "../../../model/ir";
import { planSlots, runtimeCommands, slotCountFor } from "../../../dataplane/slots";

function irWith(endpoints: { address: string; port: number; ready?: boolean; weight?: number }[]): GatewayIr {
  return {
    apiVersion: "ir.agc.dev/v1", gateway: "g", frontends: [{ name: "web", port: 80 }], routes: [],
    clusters: [{ name: "c", endpoints }],
  };
}

describe("slots", () => {
  it("keeps an endpoint in its slot while others come and go", () => {
    const a = { address: "10.0.0.1", port: 80 }, b = { address: "10.0.0.2", port: 80 }, c = { address: "10.0.0.3", port: 80 };
    const first = planSlots(irWith([a, b]));
    const second = planSlots(irWith([c, b]), first);
    expect(second.c.slice(0, 2)).toEqual(["10.0.0.3:80", "10.0.0.2:80"]);
  });

  it("turns endpoint changes into runtime commands, maintenance first", () => {
    const prevIr = irWith([{ address: "10.0.0.1", port: 80 }]);
    const nextIr = irWith([{ address: "10.0.0.2", port: 81, weight: 5 }]);
    const layout = planSlots(prevIr);
    const next = planSlots(nextIr, layout);
    expect(runtimeCommands({ ir: prevIr, layout }, { ir: nextIr, layout: next })).toEqual([
      "set server cl_c/s1 state maint",
      "set server cl_c/s1 addr 10.0.0.2 port 81",
      "set server cl_c/s1 weight 5",
      "set server cl_c/s1 state ready",
    ]);
  });

  it("asks for a reload when the slots run out", () => {
    const prevIr = irWith([]);
    const many = Array.from({ length: 9 }, (_, i) => ({ address: `10.0.0.${i + 1}`, port: 80 }));
    const layout = planSlots(prevIr);
    const nextIr = irWith(many);
    expect(runtimeCommands({ ir: prevIr, layout }, { ir: nextIr, layout: planSlots(nextIr, layout) })).toBeNull();
  });

  it("always has room for every endpoint, each in exactly one slot", () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 60 }),
      fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 60 }),
      (before, after) => {
        const toIr = (ports: number[]) => irWith(ports.map((port) => ({ address: "10.0.0.1", port })));
        const next = planSlots(toIr(after), planSlots(toIr(before))).c;
        expect(next.length).toBeGreaterThanOrEqual(after.length);
        expect(next.filter((k) => k !== null).sort()).toEqual(after.map((p) => `10.0.0.1:${p}`).sort());
      },
    ));
    expect(slotCountFor(0)).toBe(8);
    expect(slotCountFor(20)).toBe(32);
  });
});
