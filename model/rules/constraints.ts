// One pure function per constraint (agc-behaviour.md section 2). Each takes known, already
// parsed values; callers skip a rule when one of its inputs is unknown.
import {
    AGC_NAME_MAX_LENGTH,
    ASSOCIATION_TYPES,
    FRONTEND_TYPES,
    TRAFFIC_CONTROLLER_DELEGATION,
    isValidAgcName,
} from "../kinds";
import {
    ASSOCIATION_BLOCK_LENGTH,
    ASSOCIATION_BLOCK_SIZE,
    Ipv4Prefix,
    contains,
    firstFreePrefix,
    formatPrefix,
    lengthForSize,
    overlaps,
    prefixSize,
} from "../cidr";
import { ResourceRef, Violation, listNames, plural, show, violation } from "./violation";

export const MAX_ASSOCIATIONS_PER_GATEWAY = 1;
export const MAX_FRONTENDS_PER_GATEWAY = 5;
export const MAX_GATEWAYS_PER_CLUSTER = 1000;

/** Also the CRD's CEL message, so kubectl and preview say the same thing. */
export const PRIVATE_FRONTEND_DETAIL = "private frontends are not supported yet; use 'public' (the default)";

interface Named {
    name: string;
}

const gatewayRef = (name: string): ResourceRef => ({ kind: "TrafficController", name });
const frontendRef = (name: string): ResourceRef => ({ kind: "Frontend", name });
const associationRef = (name: string): ResourceRef => ({ kind: "Association", name });
const subnetRef = (name: string): ResourceRef => ({ kind: "SubnetDelegation", name });

/** Children past `limit`, each told which siblings came first. */
function beyondLimit(children: readonly Named[], limit: number): { child: Named; earlier: Named[] }[] {
    return children.slice(limit).map((child) => ({ child, earlier: children.slice(0, limit) }));
}

/** AGC001: a gateway has at most 1 association. Associations listed in creation order. */
export function checkAssociationsPerGateway(gateway: Named, associations: readonly Named[]): Violation[] {
    return beyondLimit(associations, MAX_ASSOCIATIONS_PER_GATEWAY).map(({ child, earlier }) =>
        violation(
            "AGC001",
            associationRef(child.name),
            "trafficControllerId",
            gateway.name,
            `gateway '${gateway.name}' already has ${plural(earlier.length, "association")} (${listNames(earlier.map((e) => e.name))}); ` +
                `at most ${MAX_ASSOCIATIONS_PER_GATEWAY} is allowed per gateway`,
        ),
    );
}

/** AGC002: at most 1000 gateways per cluster. Gateways listed in creation order. */
export function checkGatewaysPerCluster(gateways: readonly Named[]): Violation[] {
    return gateways.slice(MAX_GATEWAYS_PER_CLUSTER).map((gateway) =>
        violation(
            "AGC002",
            gatewayRef(gateway.name),
            "name",
            gateway.name,
            `the cluster already has ${MAX_GATEWAYS_PER_CLUSTER} gateways (${gateways.length} declared); ` +
                `at most ${MAX_GATEWAYS_PER_CLUSTER} are allowed per cluster: remove gateways or use another cluster`,
        ),
    );
}

/** AGC003: a gateway has at most 5 frontends. Frontends listed in creation order. */
export function checkFrontendsPerGateway(gateway: Named, frontends: readonly Named[]): Violation[] {
    return beyondLimit(frontends, MAX_FRONTENDS_PER_GATEWAY).map(({ child, earlier }) =>
        violation(
            "AGC003",
            frontendRef(child.name),
            "trafficControllerId",
            gateway.name,
            `gateway '${gateway.name}' already has ${plural(earlier.length, "frontend")} (${listNames(earlier.map((e) => e.name))}); ` +
                `at most ${MAX_FRONTENDS_PER_GATEWAY} are allowed per gateway`,
        ),
    );
}

/** AGC004: an association's subnet is delegated to traffic controllers. `delegation` null: none. */
export function checkSubnetDelegatedToTrafficControllers(
    association: Named,
    subnet: Named & { delegation: string | null },
): Violation | undefined {
    if (subnet.delegation === TRAFFIC_CONTROLLER_DELEGATION) {
        return undefined;
    }
    const actual = subnet.delegation === null ? "is not delegated" : `is delegated to '${subnet.delegation}'`;
    return violation(
        "AGC004",
        associationRef(association.name),
        "subnetId",
        subnet.name,
        `subnet '${subnet.name}' ${actual}; an association's subnet must be delegated to '${TRAFFIC_CONTROLLER_DELEGATION}'`,
    );
}

/**
 * AGC005: a subnet needs 256 addresses per association. Associations listed in creation
 * order; each one that does not fit is reported.
 */
export function checkSubnetBudget(subnet: Named & { addressPrefix: Ipv4Prefix }, associations: readonly Named[]): Violation[] {
    const size = prefixSize(subnet.addressPrefix);
    const capacity = Math.floor(size / ASSOCIATION_BLOCK_SIZE);
    return associations.slice(capacity).map((association, i) => {
        const needed = capacity + i + 1;
        const earlier = associations.slice(0, needed - 1).map((a) => a.name);
        const holds = earlier.length === 0 ? "holds no association yet" : `already holds ${plural(earlier.length, "association")} (${listNames(earlier)})`;
        return violation(
            "AGC005",
            associationRef(association.name),
            "subnetId",
            subnet.name,
            `subnet '${subnet.name}' (${formatPrefix(subnet.addressPrefix)}) has ${size} addresses and ${holds}; ` +
                `${plural(needed, "association")} ${needed === 1 ? "needs" : "need"} ${needed * ASSOCIATION_BLOCK_SIZE} addresses (${needed} x ${ASSOCIATION_BLOCK_SIZE}): ` +
                `use a /${lengthForSize(needed * ASSOCIATION_BLOCK_SIZE)} or larger prefix`,
        );
    });
}

/** AGC005, single subnet: smaller than a /24 it can never hold an association. */
export function checkSubnetMinimumSize(subnet: Named, addressPrefix: Ipv4Prefix): Violation | undefined {
    if (addressPrefix.length <= ASSOCIATION_BLOCK_LENGTH) {
        return undefined;
    }
    const widened = formatPrefix({ network: addressPrefix.network - (addressPrefix.network % ASSOCIATION_BLOCK_SIZE), length: ASSOCIATION_BLOCK_LENGTH });
    return violation(
        "AGC005",
        subnetRef(subnet.name),
        "addressPrefix",
        formatPrefix(addressPrefix),
        `'${formatPrefix(addressPrefix)}' has ${prefixSize(addressPrefix)} addresses; an association needs ${ASSOCIATION_BLOCK_SIZE}: ` +
            `use a /${ASSOCIATION_BLOCK_LENGTH} or larger prefix, e.g. ${widened}`,
    );
}

/** AGC006: a delegated subnet holds nothing but the service it is delegated to. */
export function checkDelegatedSubnetExclusive(
    subnet: Named & { delegation: string | null; otherOccupants: readonly string[] },
): Violation | undefined {
    if (subnet.delegation === null || subnet.otherOccupants.length === 0) {
        return undefined;
    }
    return violation(
        "AGC006",
        subnetRef(subnet.name),
        "delegation",
        subnet.delegation,
        `subnet '${subnet.name}' is delegated to '${subnet.delegation}' but also holds ${listNames(subnet.otherOccupants)}; ` +
            `a delegated subnet holds nothing but the service it is delegated to: move them to another subnet`,
    );
}

/** Locations compare as Azure compares them: "West Europe" is "westeurope". */
export function normalizeLocation(location: string): string {
    return location.toLowerCase().replace(/\s+/g, "");
}

/** AGC007: an association (its subnet) is in the same location as its gateway. */
export function checkAssociationLocation(
    association: Named,
    gateway: Named & { location: string },
    subnet: Named & { location: string },
): Violation | undefined {
    if (normalizeLocation(gateway.location) === normalizeLocation(subnet.location)) {
        return undefined;
    }
    return violation(
        "AGC007",
        associationRef(association.name),
        "subnetId",
        subnet.name,
        `subnet '${subnet.name}' is in location '${subnet.location}' but gateway '${gateway.name}' is in '${gateway.location}'; ` +
            `an association's subnet must be in its gateway's location '${gateway.location}'`,
    );
}

/** AGC008: a subnet lies inside its virtual network's address space. */
export function checkSubnetInAddressSpace(
    subnet: Named & { virtualNetworkName: string; addressPrefix: Ipv4Prefix; addressSpace: readonly Ipv4Prefix[] },
): Violation | undefined {
    if (subnet.addressSpace.some((space) => contains(space, subnet.addressPrefix))) {
        return undefined;
    }
    const prefix = formatPrefix(subnet.addressPrefix);
    const suggestion = firstFreePrefix([...subnet.addressSpace], [], subnet.addressPrefix.length);
    const spaces = subnet.addressSpace.map(formatPrefix).join(", ");
    return violation(
        "AGC008",
        subnetRef(subnet.name),
        "addressPrefix",
        prefix,
        `'${prefix}' is outside the address space of virtual network '${subnet.virtualNetworkName}' (${spaces}); ` +
            (suggestion ? `choose a prefix inside it, e.g. ${formatPrefix(suggestion)}` : `choose a prefix inside it, or widen the address space`),
    );
}

/**
 * AGC009: subnets of one virtual network do not overlap. Subnets listed in creation order;
 * each later one overlapping an earlier one is reported, with a free prefix to use instead.
 */
export function checkSubnetOverlaps(
    virtualNetworkName: string,
    addressSpace: readonly Ipv4Prefix[],
    subnets: readonly (Named & { addressPrefix: Ipv4Prefix })[],
): Violation[] {
    const result: Violation[] = [];
    subnets.forEach((subnet, index) => {
        const clash = subnets.slice(0, index).find((earlier) => overlaps(earlier.addressPrefix, subnet.addressPrefix));
        if (!clash) {
            return;
        }
        const others = subnets.filter((s) => s !== subnet).map((s) => s.addressPrefix);
        const suggestion = firstFreePrefix([...addressSpace], others, subnet.addressPrefix.length);
        const prefix = formatPrefix(subnet.addressPrefix);
        result.push(
            violation(
                "AGC009",
                subnetRef(subnet.name),
                "addressPrefix",
                prefix,
                `'${prefix}' overlaps ${formatPrefix(clash.addressPrefix)} of subnet '${clash.name}' in virtual network '${virtualNetworkName}'; ` +
                    (suggestion
                        ? `subnets of one virtual network must not overlap: use a free prefix such as ${formatPrefix(suggestion)}`
                        : `subnets of one virtual network must not overlap, and no free /${subnet.addressPrefix.length} is left: widen the address space`),
            ),
        );
    });
    return result;
}

/** AGC009, one resource: the prefixes of an address space do not overlap each other. */
export function checkAddressSpaceOverlaps(subnet: Named, addressSpace: readonly Ipv4Prefix[]): Violation[] {
    const result: Violation[] = [];
    addressSpace.forEach((prefix, index) => {
        const clash = addressSpace.slice(0, index).find((earlier) => overlaps(earlier, prefix));
        if (clash) {
            result.push(
                violation(
                    "AGC009",
                    subnetRef(subnet.name),
                    `virtualNetworkAddressSpace[${index}]`,
                    formatPrefix(prefix),
                    `'${formatPrefix(prefix)}' overlaps ${formatPrefix(clash)} of the same address space; the prefixes of an address space must not overlap`,
                ),
            );
        }
    });
    return result;
}

/** AGC010 (private) and AGC021 (anything else): a frontend's type is "public". */
export function checkFrontendType(frontend: Named, type: unknown): Violation | undefined {
    if (type === "public") {
        return undefined;
    }
    if (type === "private") {
        return violation(
            "AGC010",
            frontendRef(frontend.name),
            "type",
            type,
            PRIVATE_FRONTEND_DETAIL,
        );
    }
    return violation(
        "AGC021",
        frontendRef(frontend.name),
        "type",
        type,
        `${show(type)} is not a frontend type; use one of ${FRONTEND_TYPES.map((t) => `'${t}'`).join(", ")} ('public' is the default; 'private' is not supported yet)`,
    );
}

/** AGC015: names are 1-64 characters, letters, digits, '_', '.', '-', alphanumeric at both ends. */
export function checkAgcName(resource: ResourceRef, property: string, name: unknown): Violation | undefined {
    if (isValidAgcName(name)) {
        return undefined;
    }
    let why: string;
    if (typeof name !== "string") {
        why = `${show(name)} is not a string`;
    } else if (name.length === 0) {
        why = "the name is empty";
    } else if (name.length > AGC_NAME_MAX_LENGTH) {
        why = `'${name}' has ${name.length} characters`;
    } else if (/[^A-Za-z0-9_.-]/.test(name)) {
        why = `'${name}' contains '${name.match(/[^A-Za-z0-9_.-]/)![0]}'`;
    } else {
        why = `'${name}' does not start and end with a letter or digit`;
    }
    return violation(
        "AGC015",
        resource,
        property,
        name,
        `${why}; a name has 1 to ${AGC_NAME_MAX_LENGTH} characters (letters, digits, '_', '.', '-') and starts and ends with a letter or digit`,
    );
}

/** AGC016: associationType is "subnets", the only type there is. */
export function checkAssociationType(association: Named, associationType: unknown): Violation | undefined {
    if ((ASSOCIATION_TYPES as readonly unknown[]).includes(associationType)) {
        return undefined;
    }
    return violation(
        "AGC016",
        associationRef(association.name),
        "associationType",
        associationType,
        `${show(associationType)} is not an association type; the only type is 'subnets'`,
    );
}

/** AGC023: every subnet of one virtual network declares the same address space. */
export function checkConsistentAddressSpace(
    virtualNetworkName: string,
    subnets: readonly (Named & { addressSpace: readonly Ipv4Prefix[] })[],
): Violation[] {
    const key = (space: readonly Ipv4Prefix[]) => space.map(formatPrefix).sort().join(",");
    const first = subnets[0];
    if (!first) {
        return [];
    }
    return subnets
        .filter((s) => key(s.addressSpace) !== key(first.addressSpace))
        .map((s) =>
            violation(
                "AGC023",
                subnetRef(s.name),
                "virtualNetworkAddressSpace",
                s.addressSpace.map(formatPrefix),
                `[${s.addressSpace.map(formatPrefix).join(", ")}] differs from [${first.addressSpace.map(formatPrefix).join(", ")}] declared by subnet '${first.name}' ` +
                    `for virtual network '${virtualNetworkName}'; subnets of one virtual network must declare the same address space`,
            ),
        );
}
