// Rules across resources, over an inventory of gateways, frontends, associations and subnets.
//
// Keys identify entries and carry references. Use one key scheme everywhere so planned and
// existing entries can be merged: formatId(kind, namespace, objectName) is the natural one
// (the SDK knows namespace and name at preview even though ids are unknown).
//
// Any field may be undefined or the preview sentinel while it is not known yet; a rule that
// needs it is skipped for that entry. Lists are in creation order: existing resources first,
// then new ones, so limits report the newcomers.
import { DEFAULT_VIRTUAL_NETWORK_NAME, TRAFFIC_CONTROLLER_DELEGATION } from "../kinds";
import { Ipv4Prefix, parsePrefix } from "../cidr";
import {
    checkAssociationLocation,
    checkAssociationType,
    checkAssociationsPerGateway,
    checkConsistentAddressSpace,
    checkDelegatedSubnetExclusive,
    checkFrontendType,
    checkFrontendsPerGateway,
    checkGatewaysPerCluster,
    checkSubnetBudget,
    checkSubnetDelegatedToTrafficControllers,
    checkSubnetInAddressSpace,
    checkSubnetOverlaps,
} from "./constraints";
import { isKnown } from "./unknown";
import { Violation, sortViolations, violation } from "./violation";

export interface GatewayEntry {
    key: string;
    name: string;
    location?: string;
}

export interface FrontendEntry {
    key: string;
    name: string;
    /** Key of the parent gateway. */
    gatewayKey?: string;
    /** "public" (the default when undefined in a spec: builders fill it in) or "private". */
    type?: string;
}

export interface AssociationEntry {
    key: string;
    name: string;
    gatewayKey?: string;
    subnetKey?: string;
    associationType?: string;
    /** The block reserved for it, once the controller allocated one. */
    allocatedPrefix?: string;
}

export interface SubnetEntry {
    key: string;
    name: string;
    location?: string;
    /** Identifies the network across the inventory; default "default". */
    virtualNetworkName?: string;
    virtualNetworkAddressSpace?: string[];
    addressPrefix?: string;
    /** The delegated service; null for a subnet without delegation. */
    delegation?: string | null;
    /** Anything else placed in the subnet (names), which a delegated subnet may not hold. */
    otherOccupants?: string[];
}

export interface Inventory {
    gateways: GatewayEntry[];
    frontends: FrontendEntry[];
    associations: AssociationEntry[];
    subnets: SubnetEntry[];
}

export const EMPTY_INVENTORY: Inventory = { gateways: [], frontends: [], associations: [], subnets: [] };

export interface InventoryCheckOptions {
    /**
     * Report references to keys the inventory does not hold (AGC022). On for a complete
     * inventory (the controller's, or a merged one); off for a program's planned resources
     * alone, whose parents may live in another stack.
     */
    strictReferences?: boolean;
    /** Also run the rules one resource can decide (AGC008, AGC010, AGC016): for the controller. */
    singleResourceRules?: boolean;
}

/** What the program declares plus what exists: planned entries replace existing ones of the same key. */
export function mergeInventories(planned: Inventory, existing: Inventory): Inventory {
    return {
        gateways: mergeByKey(planned.gateways, existing.gateways),
        frontends: mergeByKey(planned.frontends, existing.frontends),
        associations: mergeByKey(planned.associations, existing.associations),
        subnets: mergeByKey(planned.subnets, existing.subnets),
    };
}

/** Existing order first (replaced in place), then new planned entries in their order. */
function mergeByKey<T extends { key: string }>(planned: readonly T[], existing: readonly T[]): T[] {
    const plannedByKey = new Map(planned.map((entry) => [entry.key, entry]));
    const merged = existing.map((entry) => plannedByKey.get(entry.key) ?? entry);
    const existingKeys = new Set(existing.map((entry) => entry.key));
    return [...merged, ...planned.filter((entry) => !existingKeys.has(entry.key))];
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const key = keyOf(item);
        if (key === undefined) continue;
        const group = groups.get(key) ?? [];
        group.push(item);
        groups.set(key, group);
    }
    return groups;
}

function known(value: string | undefined): string | undefined {
    return isKnown(value) ? value : undefined;
}

function parsedPrefix(value: string | undefined): Ipv4Prefix | undefined {
    if (!isKnown(value)) return undefined;
    const parsed = parsePrefix(value);
    return parsed.ok ? parsed.prefix : undefined;
}

/** The address space when every entry is known and valid (syntax is the per-resource check's job). */
function parsedSpace(value: string[] | undefined): Ipv4Prefix[] | undefined {
    if (!isKnown(value) || !Array.isArray(value) || value.length === 0) return undefined;
    const prefixes = value.map((v) => parsedPrefix(v));
    return prefixes.every((p): p is Ipv4Prefix => p !== undefined) ? prefixes : undefined;
}

function networkOf(subnet: SubnetEntry): string | undefined {
    return subnet.virtualNetworkName === undefined ? DEFAULT_VIRTUAL_NETWORK_NAME : known(subnet.virtualNetworkName);
}

export function checkInventory(inventory: Inventory, options: InventoryCheckOptions = {}): Violation[] {
    const violations: Violation[] = [];
    const gatewaysByKey = new Map(inventory.gateways.map((g) => [g.key, g]));
    const subnetsByKey = new Map(inventory.subnets.map((s) => [s.key, s]));

    violations.push(...checkGatewaysPerCluster(inventory.gateways));

    // AGC001 and AGC003: children per gateway.
    const frontendsByGateway = groupBy(inventory.frontends, (f) => known(f.gatewayKey));
    const associationsByGateway = groupBy(inventory.associations, (a) => known(a.gatewayKey));
    for (const [gatewayKey, frontends] of frontendsByGateway) {
        const gateway = gatewaysByKey.get(gatewayKey);
        violations.push(...checkFrontendsPerGateway(gateway ?? { name: gatewayKey }, frontends));
    }
    for (const [gatewayKey, associations] of associationsByGateway) {
        const gateway = gatewaysByKey.get(gatewayKey);
        violations.push(...checkAssociationsPerGateway(gateway ?? { name: gatewayKey }, associations));
    }

    // AGC004, AGC007: each association against its subnet and gateway.
    for (const association of inventory.associations) {
        const subnet = isKnown(association.subnetKey) ? subnetsByKey.get(association.subnetKey) : undefined;
        const gateway = isKnown(association.gatewayKey) ? gatewaysByKey.get(association.gatewayKey) : undefined;
        if (subnet && subnet.delegation !== undefined && (subnet.delegation === null || isKnown(subnet.delegation))) {
            const found = checkSubnetDelegatedToTrafficControllers(association, { name: subnet.name, delegation: subnet.delegation });
            if (found) violations.push(found);
        }
        const gatewayLocation = known(gateway?.location);
        const subnetLocation = known(subnet?.location);
        if (gateway && subnet && gatewayLocation !== undefined && subnetLocation !== undefined) {
            const found = checkAssociationLocation(association, { name: gateway.name, location: gatewayLocation }, { name: subnet.name, location: subnetLocation });
            if (found) violations.push(found);
        }
    }

    // AGC005: associations per subnet fit its 256-address blocks.
    const associationsBySubnet = groupBy(inventory.associations, (a) => known(a.subnetKey));
    for (const [subnetKey, associations] of associationsBySubnet) {
        const subnet = subnetsByKey.get(subnetKey);
        const prefix = parsedPrefix(subnet?.addressPrefix);
        if (subnet && prefix) {
            violations.push(...checkSubnetBudget({ name: subnet.name, addressPrefix: prefix }, associations));
        }
    }

    // AGC006: a delegated subnet holds nothing else. Associations are what it is for.
    for (const subnet of inventory.subnets) {
        const occupants = isKnown(subnet.otherOccupants) ? subnet.otherOccupants : [];
        if (isKnown(subnet.delegation) && subnet.delegation !== undefined) {
            const found = checkDelegatedSubnetExclusive({ name: subnet.name, delegation: subnet.delegation, otherOccupants: occupants });
            if (found) violations.push(found);
        }
    }

    // AGC009 and AGC023: per virtual network.
    for (const [networkName, subnets] of groupBy(inventory.subnets, networkOf)) {
        const withSpace = subnets.flatMap((s) => {
            const space = parsedSpace(s.virtualNetworkAddressSpace);
            return space ? [{ name: s.name, addressSpace: space }] : [];
        });
        violations.push(...checkConsistentAddressSpace(networkName, withSpace));
        const withPrefix = subnets.flatMap((s) => {
            const prefix = parsedPrefix(s.addressPrefix);
            return prefix ? [{ name: s.name, addressPrefix: prefix }] : [];
        });
        violations.push(...checkSubnetOverlaps(networkName, withSpace[0]?.addressSpace ?? [], withPrefix));
    }

    if (options.strictReferences) {
        violations.push(...checkReferences(inventory, gatewaysByKey, subnetsByKey));
    }
    if (options.singleResourceRules) {
        violations.push(...checkSingleResources(inventory));
    }
    return sortViolations(violations);
}

/** AGC022: every reference names an entry of the inventory. */
function checkReferences(inventory: Inventory, gateways: Map<string, GatewayEntry>, subnets: Map<string, SubnetEntry>): Violation[] {
    const result: Violation[] = [];
    const dangling = (kind: "Frontend" | "Association", name: string, property: string, key: string, target: string) =>
        violation("AGC022", { kind, name }, property, key, `${target} '${key}' does not exist; reference an existing ${target} or declare it`);
    for (const frontend of inventory.frontends) {
        if (isKnown(frontend.gatewayKey) && !gateways.has(frontend.gatewayKey)) {
            result.push(dangling("Frontend", frontend.name, "trafficControllerId", frontend.gatewayKey, "TrafficController"));
        }
    }
    for (const association of inventory.associations) {
        if (isKnown(association.gatewayKey) && !gateways.has(association.gatewayKey)) {
            result.push(dangling("Association", association.name, "trafficControllerId", association.gatewayKey, "TrafficController"));
        }
        if (isKnown(association.subnetKey) && !subnets.has(association.subnetKey)) {
            result.push(dangling("Association", association.name, "subnetId", association.subnetKey, "SubnetDelegation"));
        }
    }
    return result;
}

/** Single-resource rules the inventory holds data for. */
function checkSingleResources(inventory: Inventory): Violation[] {
    const result: Violation[] = [];
    for (const frontend of inventory.frontends) {
        if (isKnown(frontend.type)) {
            const found = checkFrontendType(frontend, frontend.type);
            if (found) result.push(found);
        }
    }
    for (const association of inventory.associations) {
        if (isKnown(association.associationType)) {
            const found = checkAssociationType(association, association.associationType);
            if (found) result.push(found);
        }
    }
    for (const subnet of inventory.subnets) {
        const prefix = parsedPrefix(subnet.addressPrefix);
        const space = parsedSpace(subnet.virtualNetworkAddressSpace);
        const networkName = networkOf(subnet);
        if (prefix && space && networkName !== undefined) {
            const found = checkSubnetInAddressSpace({ name: subnet.name, virtualNetworkName: networkName, addressPrefix: prefix, addressSpace: space });
            if (found) result.push(found);
        }
    }
    return result;
}

/** Subnet entries built from a spec get the default delegation when it is left out. */
export function defaultDelegation(delegation: string | undefined): string {
    return delegation ?? TRAFFIC_CONTROLLER_DELEGATION;
}
