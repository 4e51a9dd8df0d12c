import { DesiredStatus, frontendFqdn, reconcile } from "../../../controller/reconcile";
import { KindName } from "../../../model/kinds";
import { NS, association, byKind, frontend, gateway, subnet } from "./objects";

type Obj = Record<string, any>;
const ZONE = "alb.test.example";

const run = (objects: Obj[]) => reconcile(byKind(objects), { dnsZone: ZONE });
function statusOf(out: DesiredStatus[], kind: KindName, name: string, namespace = NS): Obj {
  const found = out.filter((d) => d.kind === kind && d.name === name && d.namespace === namespace);
  if (found.length !== 1) throw new Error(`${found.length} statuses for ${kind} ${namespace}/${name}`);
  return found[0]!.status;
}
/** What the controller writes back: the next reconcile sees these statuses on the objects. */
const withStatuses = (objects: Obj[], out: DesiredStatus[]) =>
  objects.map((o) => {
    const d = out.find((x) => x.kind === o.kind && x.name === o.metadata.name && x.namespace === o.metadata.namespace);
    return d ? { ...o, status: d.status } : o;
  });

describe("reconcile", () => {
  const base = () => [gateway("gw", 0), subnet("sn", "10.1.0.0/22", 1), association("as", "gw", "sn", 2), frontend("fe", "gw", 3)];

  it("accepts a valid gateway with its children", () => {
    const out = run(base());
    expect(out).toHaveLength(4);
    for (const d of out) {
      expect(d.status).toMatchObject({ provisioningState: "Succeeded", observedGeneration: 1, message: "" });
      expect(d.status.conditions).toEqual([
        { type: "Accepted", status: "True", reason: "Accepted", message: "the configuration is valid", observedGeneration: 1 },
      ]);
    }
    expect(statusOf(out, "TrafficController", "gw")).toMatchObject({ frontends: ["fe"], associations: ["as"] });
    expect(statusOf(out, "Association", "as").allocatedPrefix).toBe("10.1.0.0/24");
  });

  it("fails a second association on one gateway with AGC001, and only that one", () => {
    const out = run([...base(), association("as2", "gw", "sn", 10)]);
    expect(statusOf(out, "Association", "as").provisioningState).toBe("Succeeded");
    const second = statusOf(out, "Association", "as2");
    expect(second.provisioningState).toBe("Failed");
    expect(second.message).toBe(
      "Association 'as2': property trafficControllerId: gateway 'gw' already has 1 association (as); at most 1 is allowed per gateway [AGC001]",
    );
    expect(second.conditions[0]).toMatchObject({ type: "Accepted", status: "False", reason: "AGC001", message: second.message });
    // The gateway lists both: the failed one exists and must be deleted before the gateway.
    expect(statusOf(out, "TrafficController", "gw").associations).toEqual(["as", "as2"]);
  });

  it("reports the newcomer, by creation time rather than by name", () => {
    const out = run([gateway("gw", 0), subnet("sn", "10.1.0.0/22", 1), association("zz-first", "gw", "sn", 2), association("aa-later", "gw", "sn", 3)]);
    expect(statusOf(out, "Association", "zz-first").provisioningState).toBe("Succeeded");
    expect(statusOf(out, "Association", "aa-later").message).toContain("[AGC001]");
  });

  it("fails a frontend whose gateway does not exist with AGC022", () => {
    const out = run([frontend("orphan", "nowhere", 0)]);
    const s = statusOf(out, "Frontend", "orphan");
    expect(s.provisioningState).toBe("Failed");
    expect(s.message).toBe(
      `Frontend 'orphan': property trafficControllerId: TrafficController '${NS}/trafficcontrollers/nowhere' does not exist; reference an existing TrafficController or declare it [AGC022]`,
    );
    expect(s.conditions[0].reason).toBe("AGC022");
    expect(s.fqdn).toMatch(/^[0-9a-f]{16}\.fz[0-9a-f]{6}\.alb\.test\.example$/);
  });

  it("fails the sixth frontend of a gateway with AGC003", () => {
    const fes = [1, 2, 3, 4, 5, 6].map((i) => frontend(`fe${i}`, "gw", 10 + i));
    const out = run([gateway("gw", 0), ...fes]);
    for (const i of [1, 2, 3, 4, 5]) expect(statusOf(out, "Frontend", `fe${i}`).provisioningState).toBe("Succeeded");
    const sixth = statusOf(out, "Frontend", "fe6");
    expect(sixth.provisioningState).toBe("Failed");
    expect(sixth.message).toBe("Frontend 'fe6': property trafficControllerId: gateway 'gw' already has 5 frontends (fe1, fe2, fe3, fe4, fe5); at most 5 are allowed per gateway [AGC003]");
  });

  it("reports observedGeneration from the object's generation", () => {
    const gw = gateway("gw", 0, { generation: 7 });
    const s = statusOf(run([gw]), "TrafficController", "gw");
    expect(s.observedGeneration).toBe(7);
    expect(s.conditions[0].observedGeneration).toBe(7);
  });

  it("ignores objects being deleted: no status, not counted, not listed", () => {
    const deleting = { deletionTimestamp: "2024-01-02T00:00:00Z" };
    const fes = [1, 2, 3, 4, 5].map((i) => frontend(`fe${i}`, "gw", 10 + i));
    const out = run([
      gateway("gw", 0),
      subnet("sn", "10.1.0.0/22", 1),
      association("old", "gw", "sn", 2, deleting),
      association("new", "gw", "sn", 3),
      frontend("gone", "gw", 4, deleting),
      ...fes,
      gateway("gw-gone", 5, deleting),
    ]);
    expect(out.map((d) => d.name)).not.toEqual(expect.arrayContaining(["old"]));
    expect(out.some((d) => ["old", "gone", "gw-gone"].includes(d.name))).toBe(false);
    expect(statusOf(out, "Association", "new").provisioningState).toBe("Succeeded");
    expect(statusOf(out, "Frontend", "fe5").provisioningState).toBe("Succeeded");
    expect(statusOf(out, "TrafficController", "gw")).toMatchObject({ associations: ["new"], frontends: ["fe1", "fe2", "fe3", "fe4", "fe5"] });
  });

  it("lists children by their AGC name, and only its own", () => {
    const out = run([
      gateway("gw", 0),
      gateway("other", 1),
      frontend("web-frontend-0a1b2c3d4e", "gw", 2, { annotations: { "alb.agc.dev/name": "Web_Frontend" } }),
      frontend("fe-other", "other", 3),
    ]);
    expect(statusOf(out, "TrafficController", "gw").frontends).toEqual(["Web_Frontend"]);
    expect(statusOf(out, "TrafficController", "other").frontends).toEqual(["fe-other"]);
    expect(statusOf(out, "TrafficController", "gw").associations).toEqual([]);
  });

  it("keeps objects of the same name in different namespaces apart", () => {
    const inTeamB = { namespace: "team-b" };
    const out = run([
      gateway("gw", 0),
      subnet("sn", "10.1.0.0/22", 1),
      association("as", "gw", "sn", 2),
      gateway("gw", 3, inTeamB),
      // team-b's association points at a subnet that does not exist there.
      association("as", "gw", "missing", 4, inTeamB),
    ]);
    expect(statusOf(out, "Association", "as", "team-b").provisioningState).toBe("Failed");
    expect(statusOf(out, "Association", "as", NS)).toMatchObject({ provisioningState: "Succeeded", message: "" });
  });

  describe("frontend fqdn", () => {
    // Expected names: the first 16 (frontend) and 6 (gateway) hex digits of the sha256 of each
    // uid, e.g. `printf 11111111-1111-4111-8111-111111111111 | sha256sum`.
    const FE_UID = { uid: "11111111-1111-4111-8111-111111111111" };
    const GW_UID = { uid: "22222222-2222-4222-8222-222222222222" };

    it("is made from the frontend's and its gateway's uids, whatever else exists", () => {
      const objects = [gateway("gw", 0, GW_UID), frontend("fe", "gw", 3, FE_UID)];
      expect(statusOf(run(objects), "Frontend", "fe").fqdn).toBe("bd7662a5eeb41614.fzb454f8.alb.test.example");
      const more = [...objects, frontend("fe2", "gw", 9), gateway("gw2", 8), subnet("sn", "10.1.0.0/22", 1)];
      expect(statusOf(run(more), "Frontend", "fe").fqdn).toBe("bd7662a5eeb41614.fzb454f8.alb.test.example");
    });

    it("is unique per frontend, and a valid DNS name in the zone", () => {
      const fes = [1, 2, 3, 4, 5].map((i) => frontend(`fe${i}`, "gw", i));
      const out = run([gateway("gw", 0), ...fes, gateway("gw2", 6), frontend("fe1", "gw2", 7, { namespace: "other" })]);
      const names = out.filter((d) => d.kind === "Frontend").map((d) => d.status.fqdn as string);
      expect(names).toHaveLength(6);
      expect(new Set(names).size).toBe(6);
      for (const n of names) {
        expect(n.endsWith(`.${ZONE}`)).toBe(true);
        expect(n.length).toBeLessThanOrEqual(253);
        for (const label of n.split(".")) expect(label).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      }
    });

    it("changes when the frontend is re-created under the same name (a new uid)", () => {
      const a = frontend("fe", "gw", 1);
      const b = frontend("fe", "gw", 2);
      const gw = gateway("gw", 0);
      expect(frontendFqdn(a, gw, ZONE)).not.toBe(frontendFqdn(b, gw, ZONE));
    });

    it("is made in the configured zone", () => {
      const objects = [gateway("gw", 0, GW_UID), frontend("fe", "gw", 3, FE_UID)];
      const s = reconcile(byKind(objects), { dnsZone: "alb.contoso.net" });
      expect(statusOf(s, "Frontend", "fe").fqdn).toBe("bd7662a5eeb41614.fzb454f8.alb.contoso.net");
    });
  });

  it("gives each gateway a configuration endpoint made from its uid", () => {
    // The first 16 hex digits of the sha256 of the uid.
    const a = gateway("a", 0, { uid: "22222222-2222-4222-8222-222222222222" });
    const out = run([a, gateway("b", 1)]);
    expect(statusOf(out, "TrafficController", "a").configurationEndpoints).toEqual(["b454f82c5857ebab.config.alb.test.example"]);
    expect(statusOf(out, "TrafficController", "b").configurationEndpoints).not.toEqual(["b454f82c5857ebab.config.alb.test.example"]);
  });

  describe("association allocatedPrefix", () => {
    // Three gateways sharing one /22: one association each.
    const cluster = () => [
      subnet("sn", "10.1.0.0/22", 0),
      gateway("g1", 1),
      gateway("g2", 2),
      gateway("g3", 3),
      association("a1", "g1", "sn", 11),
      association("a2", "g2", "sn", 12),
    ];

    it("gives each association its own /24 block", () => {
      const out = run(cluster());
      expect(statusOf(out, "Association", "a1").allocatedPrefix).toBe("10.1.0.0/24");
      expect(statusOf(out, "Association", "a2").allocatedPrefix).toBe("10.1.1.0/24");
    });

    it("stays the same when another association is added", () => {
      let objects = cluster();
      objects = withStatuses(objects, run(objects));
      const out = run([...objects, association("a0", "g3", "sn", 5)]); // created earlier by its clock, added later
      expect(statusOf(out, "Association", "a1").allocatedPrefix).toBe("10.1.0.0/24");
      expect(statusOf(out, "Association", "a2").allocatedPrefix).toBe("10.1.1.0/24");
      expect(statusOf(out, "Association", "a0").allocatedPrefix).toBe("10.1.2.0/24");
    });

    it("stays the same when an earlier association is removed", () => {
      let objects = cluster();
      objects = withStatuses(objects, run(objects));
      const out = run(objects.filter((o) => o.metadata.name !== "a1"));
      expect(statusOf(out, "Association", "a2").allocatedPrefix).toBe("10.1.1.0/24");
      // While a1 is being deleted, its block is free for a newcomer only after it is gone.
      const deleting = objects.map((o) => (o.metadata.name === "a1" ? { ...o, metadata: { ...o.metadata, deletionTimestamp: "2024-01-02T00:00:00Z" } } : o));
      expect(statusOf(run(deleting), "Association", "a2").allocatedPrefix).toBe("10.1.1.0/24");
    });

    it("is absent when the subnet has no room left, and that association fails", () => {
      const objects = [subnet("sn", "10.1.0.0/24", 0), gateway("g1", 1), gateway("g2", 2), association("a1", "g1", "sn", 3), association("a2", "g2", "sn", 4)];
      const out = run(objects);
      expect(statusOf(out, "Association", "a1")).toMatchObject({ provisioningState: "Succeeded", allocatedPrefix: "10.1.0.0/24" });
      expect(statusOf(out, "Association", "a2")).toMatchObject({ provisioningState: "Failed" });
      expect(statusOf(out, "Association", "a2").allocatedPrefix).toBeUndefined();
      expect(statusOf(out, "Association", "a2").message).toContain("[AGC005]");
    });
  });
});
