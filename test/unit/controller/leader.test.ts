import { heldByOther } from "../../../controller/leader";

const lease = (holder: string | undefined, renewTime: string, seconds = 15) => ({ spec: { holderIdentity: holder, renewTime, leaseDurationSeconds: seconds } });
const at = (iso: string) => Date.parse(iso);

describe("heldByOther", () => {
  test("a fresh lease of another replica is held", () => {
    expect(heldByOther(lease("b", "2026-11-22T08:00:00.000000Z"), "a", at("2026-11-22T08:00:14Z"))).toBe(true);
  });
  test("a lease not renewed for its duration may be taken over", () => {
    expect(heldByOther(lease("b", "2026-11-22T08:00:00.000000Z"), "a", at("2026-11-22T08:00:15Z"))).toBe(false);
  });
  test("its own lease, no lease, or a lease without holder is not held by another", () => {
    expect(heldByOther(lease("a", "2026-11-22T08:00:00.000000Z"), "a", at("2026-11-22T08:00:01Z"))).toBe(false);
    expect(heldByOther(undefined, "a", at("2026-11-22T08:00:01Z"))).toBe(false);
    expect(heldByOther(lease(undefined, "2026-11-22T08:00:00.000000Z"), "a", at("2026-11-22T08:00:01Z"))).toBe(false);
  });
});
