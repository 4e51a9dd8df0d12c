import {
    UNKNOWN,
    Violation,
    checkAssociation,
    checkFrontend,
    checkSubnetDelegation,
    checkTrafficController,
    isUnknown,
    containsUnknown,
} from "../../../model/rules";

const messages = (violations: Violation[]) => violations.map((v) => v.message);

const gwId = "agc-system/trafficcontrollers/gw";
const subnetId = "agc-system/subnetdelegations/sn";
const subnet = { location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" };

describe("unknown values", () => {
    it("recognises the preview sentinel, also nested", () => {
        expect(isUnknown(UNKNOWN)).toBe(true);
        expect(isUnknown("x")).toBe(false);
        expect(containsUnknown(["10.0.0.0/8", UNKNOWN])).toBe(true);
        expect(containsUnknown({ a: { b: UNKNOWN } })).toBe(true);
        expect(containsUnknown(["10.0.0.0/8"])).toBe(false);
    });
});

describe("checkTrafficController", () => {
    it("passes a valid gateway", () => {
        expect(checkTrafficController({ location: "westeurope", tags: { env: "prod" } }, "gw")).toEqual([]);
    });

    it("AGC015: reports an invalid name with what would be valid", () => {
        expect(messages(checkTrafficController({ name: "gw-", location: "westeurope" }))).toEqual([
            "TrafficController 'gw-': property name: 'gw-' does not start and end with a letter or digit; a name has 1 to 64 characters (letters, digits, '_', '.', '-') and starts and ends with a letter or digit [AGC015]",
        ]);
        expect(messages(checkTrafficController({ location: "westeurope" }, "a".repeat(65)))[0]).toContain(`'${"a".repeat(65)}' has 65 characters`);
        expect(messages(checkTrafficController({ location: "westeurope" }, "g w"))[0]).toContain("'g w' contains ' '");
        expect(messages(checkTrafficController({ location: "westeurope" }, "g")).length).toBe(0);
    });

    it("AGC017: reports a missing or mistyped location", () => {
        expect(messages(checkTrafficController({}, "gw"))).toEqual([
            "TrafficController 'gw': property location: the property is required: a location (region) name such as 'westeurope' [AGC017]",
        ]);
        expect(messages(checkTrafficController({ location: 5 }, "gw"))).toEqual([
            "TrafficController 'gw': property location: 5 is a number; expected a location (region) name such as 'westeurope' [AGC017]",
        ]);
        expect(messages(checkTrafficController({ location: " " }, "gw"))[0]).toContain("the value is empty");
        expect(messages(checkTrafficController("nope", "gw"))).toEqual([
            "TrafficController 'gw': property (inputs): expected an object of properties, got a string [AGC017]",
        ]);
    });

    it("AGC020: reports tags that are not strings", () => {
        expect(messages(checkTrafficController({ location: "westeurope", tags: { env: 1 } }, "gw"))).toEqual([
            "TrafficController 'gw': property tags.env: 1 is a number; tag values must be strings [AGC020]",
        ]);
        expect(messages(checkTrafficController({ location: "westeurope", tags: ["a"] }, "gw"))[0]).toContain(
            `property tags: ["a"] is an array; expected an object mapping tag names to string values`,
        );
    });

    it("skips unknown inputs", () => {
        expect(checkTrafficController({ name: UNKNOWN, location: UNKNOWN, tags: UNKNOWN }, "gw")).toEqual([]);
    });
    it("AGC015: a name that is not a string is named as '(unnamed)', not printed as the object", () => {
        // What the provider passes when a program gives an object as `name` (found by test/unit/fuzz).
        const name = { toString: "" };
        expect(messages(checkTrafficController({ name, location: "westeurope" }, name as unknown as string))).toEqual([
            `TrafficController '(unnamed)': property name: {"toString":""} is not a string; a name has 1 to 64 characters (letters, digits, '_', '.', '-') and starts and ends with a letter or digit [AGC015]`,
        ]);
    });
});

describe("checkFrontend", () => {
    it("passes a valid frontend", () => {
        expect(checkFrontend({ trafficControllerId: gwId }, "fe")).toEqual([]);
        expect(checkFrontend({ trafficControllerId: gwId, type: "public" }, "fe")).toEqual([]);
    });

    it("AGC010: refuses private frontends", () => {
        const [v] = checkFrontend({ trafficControllerId: gwId, type: "private" }, "fe");
        expect(v).toEqual({
            code: "AGC010",
            resource: { kind: "Frontend", name: "fe" },
            property: "type",
            value: "private",
            detail: "private frontends are not supported yet; use 'public' (the default)",
            message: "Frontend 'fe': property type: private frontends are not supported yet; use 'public' (the default) [AGC010]",
        });
    });

    it("AGC021: refuses other types", () => {
        expect(messages(checkFrontend({ trafficControllerId: gwId, type: "internal" }, "fe"))).toEqual([
            "Frontend 'fe': property type: 'internal' is not a frontend type; use one of 'public', 'private' ('public' is the default; 'private' is not supported yet) [AGC021]",
        ]);
    });

    it("AGC019: says when the parent id is of another kind", () => {
        expect(messages(checkFrontend({ trafficControllerId: "agc-system/frontends/fe1" }, "fe"))).toEqual([
            "Frontend 'fe': property trafficControllerId: 'agc-system/frontends/fe1' is the id of a Frontend, not of a TrafficController: expected <namespace>/trafficcontrollers/<name>, e.g. 'agc-system/trafficcontrollers/my-name' [AGC019]",
        ]);
    });

    it("AGC017: requires the parent id", () => {
        expect(messages(checkFrontend({}, "fe"))).toEqual([
            "Frontend 'fe': property trafficControllerId: the property is required: the id of a TrafficController [AGC017]",
        ]);
    });

    it("skips unknown inputs", () => {
        expect(checkFrontend({ trafficControllerId: UNKNOWN, type: UNKNOWN, tags: { a: UNKNOWN } }, "fe")).toEqual([]);
    });
});

describe("checkAssociation", () => {
    it("passes a valid association", () => {
        expect(checkAssociation({ trafficControllerId: gwId, subnetId, associationType: "subnets" }, "as")).toEqual([]);
        expect(checkAssociation({ trafficControllerId: gwId, subnetId }, "as")).toEqual([]);
    });

    it("AGC016: only 'subnets' is an association type", () => {
        expect(messages(checkAssociation({ trafficControllerId: gwId, subnetId, associationType: "vnets" }, "as"))).toEqual([
            "Association 'as': property associationType: 'vnets' is not an association type; the only type is 'subnets' [AGC016]",
        ]);
    });

    it("AGC019: a parent in another namespace is refused", () => {
        const v = checkFrontend({ name: "fe", namespace: "team-a", trafficControllerId: "team-b/trafficcontrollers/gw" });
        expect(v.map((x) => x.message)).toEqual([
            "Frontend 'fe': property trafficControllerId: 'team-b/trafficcontrollers/gw' is in namespace 'team-b', but this Frontend is in 'team-a'; a TrafficController and the resources that reference it must share a namespace [AGC019]",
        ]);
        expect(checkFrontend({ name: "fe", namespace: "team-a", trafficControllerId: "team-a/trafficcontrollers/gw" })).toEqual([]);
    });

    it("AGC019: the subnet must be a SubnetDelegation id", () => {
        expect(messages(checkAssociation({ trafficControllerId: gwId, subnetId: gwId }, "as"))).toEqual([
            "Association 'as': property subnetId: 'agc-system/trafficcontrollers/gw' is the id of a TrafficController, not of a SubnetDelegation: expected <namespace>/subnetdelegations/<name>, e.g. 'agc-system/subnetdelegations/my-name' [AGC019]",
        ]);
    });

    it("skips unknown inputs", () => {
        expect(checkAssociation({ trafficControllerId: UNKNOWN, subnetId: UNKNOWN, associationType: UNKNOWN }, "as")).toEqual([]);
    });
});

describe("checkSubnetDelegation", () => {
    it("passes a valid subnet", () => {
        expect(checkSubnetDelegation(subnet, "sn")).toEqual([]);
        expect(checkSubnetDelegation({ ...subnet, virtualNetworkName: "vnet1", delegation: "Microsoft.ServiceNetworking/trafficControllers" }, "sn")).toEqual([]);
    });

    it("AGC018: names the valid prefix", () => {
        expect(messages(checkSubnetDelegation({ ...subnet, addressPrefix: "10.1.0.1/24" }, "sn"))).toEqual([
            "SubnetDelegation 'sn': property addressPrefix: 10.1.0.1/24 is not a valid IPv4 prefix: host bits are set; the network address is 10.1.0.0/24 [AGC018]",
        ]);
        expect(messages(checkSubnetDelegation({ ...subnet, virtualNetworkAddressSpace: ["10.1.0.0/33"] }, "sn"))).toEqual([
            "SubnetDelegation 'sn': property virtualNetworkAddressSpace[0]: 10.1.0.0/33 is not a valid IPv4 prefix: the length must be 0..32 [AGC018]",
        ]);
        expect(messages(checkSubnetDelegation({ ...subnet, addressPrefix: "fd00::/64" }, "sn"))[0]).toContain("IPv6 prefixes are not supported yet");
    });

    it("AGC005: a subnet smaller than a /24 cannot hold an association", () => {
        expect(messages(checkSubnetDelegation({ ...subnet, addressPrefix: "10.1.0.128/25" }, "sn"))).toEqual([
            "SubnetDelegation 'sn': property addressPrefix: '10.1.0.128/25' has 128 addresses; an association needs 256: use a /24 or larger prefix, e.g. 10.1.0.0/24 [AGC005]",
        ]);
    });

    it("AGC008: the subnet lies inside the address space", () => {
        expect(messages(checkSubnetDelegation({ ...subnet, addressPrefix: "10.2.0.0/24" }, "sn"))).toEqual([
            "SubnetDelegation 'sn': property addressPrefix: '10.2.0.0/24' is outside the address space of virtual network 'default' (10.1.0.0/16); choose a prefix inside it, e.g. 10.1.0.0/24 [AGC008]",
        ]);
        expect(messages(checkSubnetDelegation({ ...subnet, virtualNetworkAddressSpace: ["10.1.0.0/25"], addressPrefix: "10.1.0.0/24" }, "sn"))[0]).toContain(
            "choose a prefix inside it, or widen the address space [AGC008]",
        );
    });

    it("AGC009: the address space does not overlap itself", () => {
        expect(messages(checkSubnetDelegation({ ...subnet, virtualNetworkAddressSpace: ["10.1.0.0/16", "10.1.128.0/17"] }, "sn"))).toEqual([
            "SubnetDelegation 'sn': property virtualNetworkAddressSpace[1]: '10.1.128.0/17' overlaps 10.1.0.0/16 of the same address space; the prefixes of an address space must not overlap [AGC009]",
        ]);
    });

    it("AGC017: wrong types and missing properties", () => {
        expect(messages(checkSubnetDelegation({ location: "westeurope" }, "sn"))).toEqual([
            `SubnetDelegation 'sn': property virtualNetworkAddressSpace: the property is required: a list of IPv4 prefixes such as ["10.1.0.0/16"] [AGC017]`,
            "SubnetDelegation 'sn': property addressPrefix: the property is required: an IPv4 prefix such as 10.1.0.0/24 [AGC017]",
        ]);
        expect(messages(checkSubnetDelegation({ ...subnet, virtualNetworkAddressSpace: "10.1.0.0/16" }, "sn"))).toEqual([
            `SubnetDelegation 'sn': property virtualNetworkAddressSpace: '10.1.0.0/16' is a string; expected a list of IPv4 prefixes such as ["10.1.0.0/16"] [AGC017]`,
        ]);
        expect(messages(checkSubnetDelegation({ ...subnet, virtualNetworkAddressSpace: [] }, "sn"))[0]).toContain("the list is empty");
        expect(messages(checkSubnetDelegation({ ...subnet, delegation: "trafficControllers" }, "sn"))).toEqual([
            "SubnetDelegation 'sn': property delegation: 'trafficControllers' is not a service name; expected <Namespace>/<type> such as 'Microsoft.ServiceNetworking/trafficControllers' [AGC017]",
        ]);
    });

    it("AGC015: the virtual network name follows the name rule", () => {
        expect(messages(checkSubnetDelegation({ ...subnet, virtualNetworkName: "-x" }, "sn"))[0]).toBe(
            "SubnetDelegation 'sn': property virtualNetworkName: '-x' does not start and end with a letter or digit; a name has 1 to 64 characters (letters, digits, '_', '.', '-') and starts and ends with a letter or digit [AGC015]",
        );
    });

    it("skips unknown inputs, also inside arrays, without judging containment on a partial list", () => {
        expect(checkSubnetDelegation({ location: UNKNOWN, virtualNetworkAddressSpace: UNKNOWN, addressPrefix: UNKNOWN, virtualNetworkName: UNKNOWN, delegation: UNKNOWN }, "sn")).toEqual([]);
        expect(checkSubnetDelegation({ ...subnet, virtualNetworkAddressSpace: [UNKNOWN], addressPrefix: "192.168.0.0/24" }, "sn")).toEqual([]);
        expect(checkSubnetDelegation({ ...subnet, virtualNetworkAddressSpace: ["10.1.0.0/16", UNKNOWN], addressPrefix: "192.168.0.0/24" }, "sn")).toEqual([]);
        expect(checkSubnetDelegation({ ...subnet, virtualNetworkName: UNKNOWN, addressPrefix: "192.168.0.0/24" }, "sn")).toEqual([]);
        // A known bad entry beside an unknown one is still reported.
        expect(messages(checkSubnetDelegation({ ...subnet, virtualNetworkAddressSpace: ["10.1.0.0/33", UNKNOWN] }, "sn"))[0]).toContain("[AGC018]");
    });
});
