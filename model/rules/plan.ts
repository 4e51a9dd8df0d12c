// What a program plans, as the inventory the rules across resources run over. The SDK builds
// it from the resources a program declares; the fuzz tests from generated plans. Inputs come
// from users, so nothing about their types is assumed: a value of the wrong type is left out
// here (the resource's own `check` reports it) rather than handed to a rule that expects text.
import { DEFAULT_NAMESPACE, KindName, formatId, objectNameFor, parseId } from "../kinds";
import { Inventory } from "./inventory";
import { isUnknown } from "./unknown";
import { RULE_CODES, RuleCode } from "./violation";

/** An input that names another resource, and the rules across resources that need to know which. */
export interface ReferenceProperty {
    property: string;
    kind: KindName;
    rules: readonly RuleCode[];
}

export const REFERENCES: Readonly<Record<KindName, readonly ReferenceProperty[]>> = {
    TrafficController: [],
    Frontend: [{ property: "trafficControllerId", kind: "TrafficController", rules: ["AGC003", "AGC022"] }],
    Association: [
        { property: "trafficControllerId", kind: "TrafficController", rules: ["AGC001", "AGC007", "AGC022"] },
        { property: "subnetId", kind: "SubnetDelegation", rules: ["AGC004", "AGC005", "AGC007", "AGC022"] },
    ],
    SubnetDelegation: [],
};

/** The inputs besides name, namespace and references that the rules across resources read. */
export const PLANNED_PROPERTIES: Readonly<Record<KindName, readonly string[]>> = {
    TrafficController: ["location"],
    Frontend: ["type"],
    Association: ["associationType"],
    SubnetDelegation: ["location", "virtualNetworkName", "virtualNetworkAddressSpace", "addressPrefix", "delegation"],
};

export interface PlannedResource {
    kind: KindName;
    /** The name the resource was declared with; its AGC name unless `props.name` says otherwise. */
    declaredName: string;
    /** Its inputs: the preview sentinel where a value is not known yet. */
    props: Readonly<Record<string, unknown>>;
    /** The inventory key each reference property points at, when known. */
    references: Readonly<Record<string, string | undefined>>;
}

/** The AGC name: `name` when it is a string (the resource's check judges it), else the declared name. */
export function plannedName(declaredName: string, props: Readonly<Record<string, unknown>>): string {
    return typeof props.name === "string" && !isUnknown(props.name) ? props.name : declaredName;
}

/** The namespace an object lands in: the input when it is a non-empty string, else the default. */
export function namespaceOrDefault(namespace: unknown): string {
    return typeof namespace === "string" && namespace !== "" && !isUnknown(namespace) ? namespace : DEFAULT_NAMESPACE;
}

/** The inventory key of a planned resource: its id, which is known at preview although its `id` output is not. */
export function plannedKey(kind: KindName, declaredName: string, props: Readonly<Record<string, unknown>>): string {
    return formatId(kind, namespaceOrDefault(props.namespace), objectNameFor(plannedName(declaredName, props)));
}

/** The key an id names, when it is a valid id of `kind` (else the resource's check reports it). */
export function keyOfId(id: unknown, kind: KindName): string | undefined {
    const parsed = parseId(id, kind);
    return parsed.ok ? formatId(kind, parsed.namespace, parsed.name) : undefined;
}

function text(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** A list of strings, or the sentinel (the inventory's rules skip what is not known). */
function texts(value: unknown): string[] | undefined {
    const usable = isUnknown(value) || (Array.isArray(value) && value.every((v) => typeof v === "string"));
    return usable ? (value as string[]) : undefined;
}

/** The plan as an inventory, in declaration order. */
export function inventoryFromPlan(plan: readonly PlannedResource[]): Inventory {
    const inventory: Inventory = { gateways: [], frontends: [], associations: [], subnets: [] };
    for (const resource of plan) {
        const p = resource.props;
        const base = { key: plannedKey(resource.kind, resource.declaredName, p), name: plannedName(resource.declaredName, p) };
        const gatewayKey = resource.references.trafficControllerId;
        switch (resource.kind) {
            case "TrafficController":
                inventory.gateways.push({ ...base, location: text(p.location) });
                break;
            case "Frontend":
                inventory.frontends.push({ ...base, gatewayKey, type: text(p.type) });
                break;
            case "Association":
                inventory.associations.push({ ...base, gatewayKey, subnetKey: resource.references.subnetId, associationType: text(p.associationType) });
                break;
            case "SubnetDelegation":
                inventory.subnets.push({
                    ...base,
                    location: text(p.location),
                    virtualNetworkName: text(p.virtualNetworkName),
                    virtualNetworkAddressSpace: texts(p.virtualNetworkAddressSpace),
                    addressPrefix: text(p.addressPrefix),
                    delegation: text(p.delegation),
                });
                break;
        }
    }
    return inventory;
}

/** Rules by code and what each checks: "AGC003 (at most 5 frontends per gateway), ...". */
export function describeRules(codes: readonly RuleCode[]): string {
    return codes.map((code) => `${code} (${RULE_CODES[code]})`).join(", ");
}

/** What preview says when a reference cannot be followed back to the resource it names. */
export function untracedReferenceWarning(kind: KindName, name: string, reference: ReferenceProperty, why: string): string {
    const rules = describeRules(reference.rules);
    return (
        `${kind} '${name}': property ${reference.property}: cannot tell which ${reference.kind} it names: ${why}. ` +
        `Skipped at preview for this ${kind}: ${rules}; the controller still checks them at \`pulumi up\`. ` +
        `To have them checked at preview, pass the ${reference.kind}'s \`id\` output itself, or an output that depends on one ${reference.kind} only.`
    );
}

/** What a plan says when the cluster cannot be read: other stacks' resources were not counted. */
export function clusterUnreadWarning(reason: string): string {
    return (
        `pulumi-agc: could not read the cluster (${reason}); the limits and subnet budgets were checked ` +
        "against what this program declares only, not against gateways other stacks created"
    );
}
