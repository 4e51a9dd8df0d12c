import {
    EMPTY_INVENTORY,
    Inventory,
    SubnetEntry,
    UNKNOWN,
    Violation,
    checkInventory,
    formatViolations,
    mergeInventories,
    sortViolations,
    violation,
} from "../../../model/rules";

const messages = (violations: Violation[]) => violations.map((v) => v.message);
const TC = "Microsoft.ServiceNetworking/trafficControllers";

const subnetEntry = (name: string, addressPrefix: string, extra: Partial<SubnetEntry> = {}): SubnetEntry => ({
    key: `s/${name}`,
    name,
    location: "westeurope",
    virtualNetworkName: "default",
    virtualNetworkAddressSpace: ["10.1.0.0/16"],
    addressPrefix,
    delegation: TC,
    ...extra,
});

const inventory = (parts: Partial<Inventory>): Inventory => ({ ...EMPTY_INVENTORY, ...parts });
const gw = (name: string, location = "westeurope") => ({ key: `g/${name}`, name, location });

/** A valid inventory: one gateway, one frontend, one association in a /24. */
const valid = inventory({
    gateways: [gw("gw")],
    frontends: [{ key: "f/fe", name: "fe", gatewayKey: "g/gw", type: "public" }],
    associations: [{ key: "a/as", name: "as", gatewayKey: "g/gw", subnetKey: "s/sn", associationType: "subnets" }],
    subnets: [subnetEntry("sn", "10.1.0.0/24")],
});

describe("checkInventory", () => {
    it("passes a valid inventory", () => {
        expect(checkInventory(valid, { strictReferences: true, singleResourceRules: true })).toEqual([]);
    });

    it("AGC001: at most 1 association per gateway", () => {
        const inv = inventory({
            ...valid,
            subnets: [subnetEntry("sn", "10.1.0.0/23")],
            associations: [...valid.associations, { key: "a/as2", name: "as2", gatewayKey: "g/gw", subnetKey: "s/sn" }],
        });
        expect(messages(checkInventory(inv))).toEqual([
            "Association 'as2': property trafficControllerId: gateway 'gw' already has 1 association (as); at most 1 is allowed per gateway [AGC001]",
        ]);
    });

    it("AGC002: at most 1000 gateways per cluster", () => {
        const gateways = Array.from({ length: 1001 }, (_, i) => gw(`gw${i + 1}`));
        expect(messages(checkInventory(inventory({ gateways })))).toEqual([
            "TrafficController 'gw1001': property name: the cluster already has 1000 gateways (1001 declared); at most 1000 are allowed per cluster: remove gateways or use another cluster [AGC002]",
        ]);
        expect(checkInventory(inventory({ gateways: gateways.slice(0, 1000) }))).toEqual([]);
    });

    it("AGC003: at most 5 frontends per gateway", () => {
        const frontends = Array.from({ length: 6 }, (_, i) => ({ key: `f/fe${i + 1}`, name: `fe${i + 1}`, gatewayKey: "g/gw" }));
        expect(messages(checkInventory(inventory({ gateways: [gw("gw")], frontends })))).toEqual([
            "Frontend 'fe6': property trafficControllerId: gateway 'gw' already has 5 frontends (fe1, fe2, fe3, fe4, fe5); at most 5 are allowed per gateway [AGC003]",
        ]);
        expect(checkInventory(inventory({ gateways: [gw("gw")], frontends: frontends.slice(0, 5) }))).toEqual([]);
    });

    it("AGC004: the subnet is delegated to traffic controllers", () => {
        expect(messages(checkInventory({ ...valid, subnets: [subnetEntry("sn", "10.1.0.0/24", { delegation: "Microsoft.Web/serverFarms" })] }))).toEqual([
            "Association 'as': property subnetId: subnet 'sn' is delegated to 'Microsoft.Web/serverFarms'; an association's subnet must be delegated to 'Microsoft.ServiceNetworking/trafficControllers' [AGC004]",
        ]);
        expect(messages(checkInventory({ ...valid, subnets: [subnetEntry("sn", "10.1.0.0/24", { delegation: null })] }))).toEqual([
            "Association 'as': property subnetId: subnet 'sn' is not delegated; an association's subnet must be delegated to 'Microsoft.ServiceNetworking/trafficControllers' [AGC004]",
        ]);
    });

    it("AGC005: n associations in one subnet need n x 256 addresses", () => {
        const inv = inventory({
            gateways: [gw("gw1"), gw("gw2"), gw("gw3")],
            associations: [1, 2, 3].map((i) => ({ key: `a/as${i}`, name: `as${i}`, gatewayKey: `g/gw${i}`, subnetKey: "s/sn" })),
            subnets: [subnetEntry("sn", "10.1.0.0/23")],
        });
        expect(messages(checkInventory(inv))).toEqual([
            "Association 'as3': property subnetId: subnet 'sn' (10.1.0.0/23) has 512 addresses and already holds 2 associations (as1, as2); 3 associations need 768 addresses (3 x 256): use a /22 or larger prefix [AGC005]",
        ]);
        expect(checkInventory({ ...inv, subnets: [subnetEntry("sn", "10.1.0.0/22")] })).toEqual([]);
        // A /25 holds none at all.
        expect(messages(checkInventory({ ...valid, subnets: [subnetEntry("sn", "10.1.0.0/25")] }))).toEqual([
            "Association 'as': property subnetId: subnet 'sn' (10.1.0.0/25) has 128 addresses and holds no association yet; 1 association needs 256 addresses (1 x 256): use a /24 or larger prefix [AGC005]",
        ]);
    });

    it("AGC006: a delegated subnet holds nothing else", () => {
        const inv = { ...valid, subnets: [subnetEntry("sn", "10.1.0.0/24", { otherOccupants: ["vm-nic-1", "db"] })] };
        expect(messages(checkInventory(inv))).toEqual([
            "SubnetDelegation 'sn': property delegation: subnet 'sn' is delegated to 'Microsoft.ServiceNetworking/trafficControllers' but also holds vm-nic-1, db; a delegated subnet holds nothing but the service it is delegated to: move them to another subnet [AGC006]",
        ]);
        expect(checkInventory({ ...valid, subnets: [subnetEntry("sn", "10.1.0.0/24", { otherOccupants: [] })] })).toEqual([]);
    });

    it("AGC007: the association is in its gateway's location", () => {
        expect(messages(checkInventory({ ...valid, gateways: [gw("gw", "northeurope")] }))).toEqual([
            "Association 'as': property subnetId: subnet 'sn' is in location 'westeurope' but gateway 'gw' is in 'northeurope'; an association's subnet must be in its gateway's location 'northeurope' [AGC007]",
        ]);
        expect(checkInventory({ ...valid, gateways: [gw("gw", "West Europe")] })).toEqual([]);
    });

    it("AGC008 (single-resource rules on): the subnet is inside its address space", () => {
        const inv = { ...valid, subnets: [subnetEntry("sn", "10.2.0.0/24")] };
        expect(messages(checkInventory(inv, { singleResourceRules: true }))).toEqual([
            "SubnetDelegation 'sn': property addressPrefix: '10.2.0.0/24' is outside the address space of virtual network 'default' (10.1.0.0/16); choose a prefix inside it, e.g. 10.1.0.0/24 [AGC008]",
        ]);
        expect(checkInventory(inv)).toEqual([]);
    });

    it("AGC009: subnets of one virtual network do not overlap; other networks may reuse a range", () => {
        const subnets = [subnetEntry("sn1", "10.1.0.0/24"), subnetEntry("sn2", "10.1.0.0/23"), subnetEntry("other", "10.1.0.0/24", { virtualNetworkName: "vnet2" })];
        expect(messages(checkInventory(inventory({ subnets })))).toEqual([
            "SubnetDelegation 'sn2': property addressPrefix: '10.1.0.0/23' overlaps 10.1.0.0/24 of subnet 'sn1' in virtual network 'default'; subnets of one virtual network must not overlap: use a free prefix such as 10.1.2.0/23 [AGC009]",
        ]);
        expect(checkInventory(inventory({ subnets: [subnetEntry("sn1", "10.1.0.0/24"), subnetEntry("sn2", "10.1.1.0/24")] }))).toEqual([]);
    });

    it("AGC010 and AGC016 (single-resource rules on)", () => {
        const inv = {
            ...valid,
            frontends: [{ key: "f/fe", name: "fe", gatewayKey: "g/gw", type: "private" }],
            associations: [{ ...valid.associations[0]!, associationType: "vnets" }],
        };
        expect(messages(checkInventory(inv, { singleResourceRules: true }))).toEqual([
            "Frontend 'fe': property type: private frontends are not supported yet; use 'public' (the default) [AGC010]",
            "Association 'as': property associationType: 'vnets' is not an association type; the only type is 'subnets' [AGC016]",
        ]);
    });

    it("AGC022 (strict references): references name existing entries", () => {
        const inv = inventory({
            frontends: [{ key: "f/fe", name: "fe", gatewayKey: "g/missing" }],
            associations: [{ key: "a/as", name: "as", gatewayKey: "g/missing", subnetKey: "s/missing" }],
        });
        expect(messages(checkInventory(inv, { strictReferences: true }))).toEqual([
            "Frontend 'fe': property trafficControllerId: TrafficController 'g/missing' does not exist; reference an existing TrafficController or declare it [AGC022]",
            "Association 'as': property subnetId: SubnetDelegation 's/missing' does not exist; reference an existing SubnetDelegation or declare it [AGC022]",
            "Association 'as': property trafficControllerId: TrafficController 'g/missing' does not exist; reference an existing TrafficController or declare it [AGC022]",
        ]);
        expect(checkInventory(inv)).toEqual([]);
    });

    it("AGC023: subnets of one virtual network declare one address space", () => {
        const subnets = [subnetEntry("sn1", "10.1.0.0/24"), subnetEntry("sn2", "10.1.1.0/24", { virtualNetworkAddressSpace: ["10.0.0.0/8"] })];
        expect(messages(checkInventory(inventory({ subnets })))).toEqual([
            "SubnetDelegation 'sn2': property virtualNetworkAddressSpace: [10.0.0.0/8] differs from [10.1.0.0/16] declared by subnet 'sn1' for virtual network 'default'; subnets of one virtual network must declare the same address space [AGC023]",
        ]);
    });

    it("skips rules whose inputs are unknown", () => {
        const unknownEverything = inventory({
            gateways: [{ key: "g/gw", name: "gw", location: UNKNOWN }],
            frontends: [{ key: "f/fe", name: "fe", gatewayKey: UNKNOWN, type: UNKNOWN }],
            associations: [
                { key: "a/as", name: "as", gatewayKey: "g/gw", subnetKey: UNKNOWN, associationType: UNKNOWN },
                { key: "a/as2", name: "as2", gatewayKey: UNKNOWN, subnetKey: "s/sn" },
            ],
            subnets: [
                { key: "s/sn", name: "sn", location: UNKNOWN, virtualNetworkAddressSpace: [UNKNOWN], addressPrefix: UNKNOWN, delegation: UNKNOWN, otherOccupants: UNKNOWN as unknown as string[] },
                { key: "s/sn2", name: "sn2", virtualNetworkName: UNKNOWN, addressPrefix: "10.1.0.0/24" },
                { key: "s/sn3", name: "sn3", addressPrefix: "10.1.0.0/24", virtualNetworkAddressSpace: ["10.1.0.0/16", UNKNOWN] },
            ],
        });
        expect(checkInventory(unknownEverything, { strictReferences: true, singleResourceRules: true })).toEqual([]);
    });
});

describe("mergeInventories", () => {
    it("keeps existing order, lets planned entries win on the same key, and appends new ones", () => {
        const existing = inventory({ gateways: [gw("a"), gw("b", "eastus")] });
        const planned = inventory({ gateways: [gw("c"), gw("b", "westeurope")] });
        expect(mergeInventories(planned, existing).gateways).toEqual([gw("a"), gw("b", "westeurope"), gw("c")]);
    });

    it("lets limits report what the program adds to what other stacks already created", () => {
        const existing = inventory({
            gateways: [gw("gw")],
            frontends: [1, 2, 3, 4, 5].map((i) => ({ key: `f/fe${i}`, name: `fe${i}`, gatewayKey: "g/gw" })),
        });
        const planned = inventory({ frontends: [{ key: "f/new", name: "new", gatewayKey: "g/gw" }] });
        expect(messages(checkInventory(mergeInventories(planned, existing)))).toEqual([
            "Frontend 'new': property trafficControllerId: gateway 'gw' already has 5 frontends (fe1, fe2, fe3, fe4, fe5); at most 5 are allowed per gateway [AGC003]",
        ]);
    });
});

describe("formatViolations and sortViolations", () => {
    const a = violation("AGC010", { kind: "Frontend", name: "fe" }, "type", "private", "private frontends are not supported yet");
    const b = violation("AGC015", { kind: "TrafficController", name: "g w" }, "name", "g w", "bad name");
    const c = violation("AGC003", { kind: "Frontend", name: "fe" }, "trafficControllerId", "gw", "too many");

    it("sorts parents first, then by name, code and property, stably", () => {
        expect(sortViolations([a, b, c])).toEqual([b, c, a]);
        expect(sortViolations([c, a, b])).toEqual([b, c, a]);
    });

    it("prints a count and one line per violation", () => {
        expect(formatViolations([a, b])).toBe(
            [
                "2 problems found:",
                "  - TrafficController 'g w': property name: bad name [AGC015]",
                "  - Frontend 'fe': property type: private frontends are not supported yet [AGC010]",
            ].join("\n"),
        );
        expect(formatViolations([a])).toBe("1 problem found:\n  - Frontend 'fe': property type: private frontends are not supported yet [AGC010]");
        expect(formatViolations([])).toBe("no problems found");
    });
});
