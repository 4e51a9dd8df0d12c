import { KIND_NAMES, KindName, formatId } from "../../../model/kinds";
import {
    PlannedResource,
    REFERENCES,
    ReferenceProperty,
    UNKNOWN,
    checkInventory,
    inventoryFromPlan,
    plannedKey,
    untracedReferenceWarning,
} from "../../../model/rules";

const planned = (kind: PlannedResource["kind"], declaredName: string, props: Record<string, unknown>, references: Record<string, string | undefined> = {}): PlannedResource => ({
    kind,
    declaredName,
    props,
    references,
});

const GW = "agc-system/trafficcontrollers/gw";
const SUBNET = "agc-system/subnetdelegations/subnet";

describe("inventoryFromPlan", () => {
    it("keys resources by namespace and object name, and keeps the AGC name for messages", () => {
        expect(
            inventoryFromPlan([
                planned("TrafficController", "gw", { location: "westeurope" }),
                planned("Frontend", "fe", { name: "Web_Frontend", namespace: "team-a", type: "public" }, { trafficControllerId: "team-a/trafficcontrollers/gw" }),
            ]),
        ).toEqual({
            gateways: [{ key: GW, name: "gw", location: "westeurope" }],
            frontends: [{ key: "team-a/frontends/web-frontend-bee93e8973", name: "Web_Frontend", gatewayKey: "team-a/trafficcontrollers/gw", type: "public" }],
            associations: [],
            subnets: [],
        });
    });

    it("leaves out values of the wrong type rather than passing them to the rules", () => {
        const inventory = inventoryFromPlan([
            planned("TrafficController", "gw", { name: 7, namespace: ["x"], location: 12 }),
            planned("SubnetDelegation", "subnet", { location: {}, virtualNetworkAddressSpace: "10.0.0.0/16", addressPrefix: 24, delegation: null }),
        ]);
        expect(inventory.gateways).toEqual([{ key: GW, name: "gw", location: undefined }]);
        expect(inventory.subnets).toEqual([
            { key: SUBNET, name: "subnet", location: undefined, virtualNetworkName: undefined, virtualNetworkAddressSpace: undefined, addressPrefix: undefined, delegation: undefined },
        ]);
        expect(checkInventory(inventory, { strictReferences: true })).toEqual([]);
    });

    it("keeps the preview sentinel, which the rules treat as not known yet", () => {
        const inventory = inventoryFromPlan([planned("SubnetDelegation", "subnet", { virtualNetworkName: UNKNOWN, virtualNetworkAddressSpace: UNKNOWN, addressPrefix: UNKNOWN })]);
        expect(inventory.subnets[0]).toMatchObject({ virtualNetworkName: UNKNOWN, virtualNetworkAddressSpace: UNKNOWN, addressPrefix: UNKNOWN });
    });

    // The hashes: the first 10 hex digits of sha256 of the AGC name (`printf Gw.Assoc | sha256sum`).
    it("gives the key the provider gives the object as its id", () => {
        expect(plannedKey("Association", "assoc", {})).toBe("agc-system/associations/assoc");
        expect(plannedKey("Association", "assoc", { name: "Gw.Assoc", namespace: "" })).toBe("agc-system/associations/gw.assoc-d9b620eee3");
    });
});

describe("REFERENCES: the rules a reference with no known target skips", () => {
    // Every rule that depends on a reference fails here: a sixth frontend (AGC003), a second
    // association (AGC001), a subnet in another region (AGC007), delegated elsewhere (AGC004),
    // too small for two associations (AGC005), and, with the cluster read, a missing gateway (AGC022).
    const plan = (drop?: { kind: string; property: string }) => {
        const ref = (kind: string, property: string, key: string) => (drop?.kind === kind && drop.property === property ? undefined : key);
        return [
            planned("TrafficController", "gw", { location: "westeurope" }),
            planned("SubnetDelegation", "subnet", { location: "northeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24", delegation: "Other.Service/things" }),
            ...[1, 2, 3, 4, 5, 6].map((i) => planned("Frontend", `fe-${i}`, {}, { trafficControllerId: ref("Frontend", "trafficControllerId", GW) })),
            planned("Frontend", "orphan", {}, { trafficControllerId: "agc-system/trafficcontrollers/missing" }),
            planned("Association", "as-1", {}, { trafficControllerId: GW, subnetId: SUBNET }),
            planned("Association", "as-2", {}, { trafficControllerId: ref("Association", "trafficControllerId", GW), subnetId: ref("Association", "subnetId", SUBNET) }),
        ];
    };
    const codesOf = (name: string, drop?: { kind: string; property: string }) =>
        [...new Set(checkInventory(inventoryFromPlan(plan(drop)), { strictReferences: true }).filter((v) => v.resource.name === name).map((v) => v.code))].sort();

    it("all of them fail while every reference is known", () => {
        expect(codesOf("fe-6")).toEqual(["AGC003"]);
        expect(codesOf("orphan")).toEqual(["AGC022"]);
        expect(codesOf("as-2")).toEqual(["AGC001", "AGC004", "AGC005", "AGC007"]);
    });

    // AGC022 fires for an id naming nothing, which the plan above does not drop: checked on its own.
    const dangles = (kind: KindName, reference: ReferenceProperty) =>
        checkInventory(inventoryFromPlan([planned(kind, "x", {}, { [reference.property]: formatId(reference.kind, "agc-system", "missing") })]), { strictReferences: true })
            .some((v) => v.code === "AGC022");

    it("lists for each reference exactly the rules that go quiet without it", () => {
        for (const kind of KIND_NAMES) {
            for (const reference of REFERENCES[kind]) {
                const drop = { kind, property: reference.property };
                const names = plan().filter((r) => r.kind === kind).map((r) => r.declaredName);
                const quiet = names.flatMap((name) => codesOf(name).filter((code) => !codesOf(name, drop).includes(code)));
                const expected = [...new Set([...quiet, ...(dangles(kind, reference) ? ["AGC022"] : [])])].sort();
                expect({ kind, property: reference.property, rules: [...reference.rules].sort() }).toEqual({ kind, property: reference.property, rules: expected });
            }
        }
        expect(KIND_NAMES.filter((kind) => REFERENCES[kind].length > 0)).toEqual(["Frontend", "Association"]);
        expect(codesOf("fe-6", { kind: "Frontend", property: "trafficControllerId" })).toEqual([]);
        // AGC007 needs both ends; AGC022 would fire for a dangling id, which an untraced one is not.
        expect(codesOf("as-2", { kind: "Association", property: "trafficControllerId" })).toEqual(["AGC004", "AGC005"]);
        expect(codesOf("as-2", { kind: "Association", property: "subnetId" })).toEqual(["AGC001"]);
    });
});

describe("untracedReferenceWarning", () => {
    it("names the resource, the property, the skipped rules and what to pass instead", () => {
        expect(untracedReferenceWarning("Frontend", "fe-1", REFERENCES.Frontend[0]!, "it depends on 2 TrafficControllers ('a', 'b')")).toBe(
            "Frontend 'fe-1': property trafficControllerId: cannot tell which TrafficController it names: it depends on 2 TrafficControllers ('a', 'b'). " +
                "Skipped at preview for this Frontend: AGC003 (at most 5 frontends per gateway), AGC022 (references point at resources that exist); " +
                "the controller still checks them at `pulumi up`. " +
                "To have them checked at preview, pass the TrafficController's `id` output itself, or an output that depends on one TrafficController only.",
        );
    });
});
