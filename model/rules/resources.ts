// Per-resource checks: what a dynamic resource's `check` can decide from its own inputs.
// Inputs come from users and from the Pulumi engine, so nothing about their types is assumed.
// A property holding the preview sentinel is not known yet: its rules are skipped. A missing
// required property is reported (the engine sends the sentinel, not undefined, for unknowns).
import { DEFAULT_NAMESPACE, DEFAULT_VIRTUAL_NETWORK_NAME, KindName, parseId } from "../kinds";
import { Ipv4Prefix, parsePrefix } from "../cidr";
import {
    checkAddressSpaceOverlaps,
    checkAgcName,
    checkAssociationType,
    checkFrontendType,
    checkSubnetInAddressSpace,
    checkSubnetMinimumSize,
} from "./constraints";
import { containsUnknown, isUnknown } from "./unknown";
import { ResourceRef, Violation, show, violation } from "./violation";

type Inputs = Record<string, unknown>;

export const MAX_LOCATION_LENGTH = 64;
const DELEGATION_PATTERN = /^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*\/[A-Za-z0-9]+$/;

/** "a number", "an array", "null": for messages about wrong types. */
export function describeType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    const type = typeof value;
    return type === "object" || type === "undefined" ? (type === "object" ? "an object" : "undefined") : `a ${type}`;
}

interface Context {
    resource: ResourceRef;
    violations: Violation[];
}

/** Starts a check: the resource's name is inputs.name, else the name it was declared with. */
function begin(kind: KindName, inputs: unknown, declaredName: string | undefined): { ctx: Context; inputs: Inputs | undefined } {
    const record = inputs !== null && typeof inputs === "object" && !Array.isArray(inputs) ? (inputs as Inputs) : undefined;
    const nameInput = record?.["name"];
    const name = nameInput === undefined ? declaredName : nameInput;
    // The engine passes what the program gave, so neither name is sure to be a string.
    const fallbackName = typeof declaredName === "string" && !isUnknown(declaredName) ? declaredName : "(unnamed)";
    const displayName = typeof name === "string" && !isUnknown(name) ? name : fallbackName;
    const ctx: Context = { resource: { kind, name: displayName }, violations: [] };
    if (!record) {
        ctx.violations.push(violation("AGC017", ctx.resource, "(inputs)", inputs, `expected an object of properties, got ${describeType(inputs)}`));
        return { ctx, inputs: undefined };
    }
    if (name !== undefined && !isUnknown(name)) {
        add(ctx, checkAgcName(ctx.resource, "name", name));
    }
    return { ctx, inputs: record };
}

function add(ctx: Context, found: Violation | Violation[] | undefined): void {
    if (Array.isArray(found)) {
        ctx.violations.push(...found);
    } else if (found) {
        ctx.violations.push(found);
    }
}

function missing(ctx: Context, property: string, expected: string): void {
    add(ctx, violation("AGC017", ctx.resource, property, undefined, `the property is required: ${expected}`));
}

function wrongType(ctx: Context, property: string, value: unknown, expected: string): void {
    add(ctx, violation("AGC017", ctx.resource, property, value, `${show(value)} is ${describeType(value)}; expected ${expected}`));
}

/** A required or optional string; returns it when known and valid. */
function readString(ctx: Context, inputs: Inputs, property: string, expected: string, required: boolean): string | undefined {
    const value = inputs[property];
    if (isUnknown(value)) return undefined;
    if (value === undefined) {
        if (required) missing(ctx, property, expected);
        return undefined;
    }
    if (typeof value !== "string") {
        wrongType(ctx, property, value, expected);
        return undefined;
    }
    if (value.trim() === "") {
        add(ctx, violation("AGC017", ctx.resource, property, value, `the value is empty; expected ${expected}`));
        return undefined;
    }
    return value;
}

function checkLocation(ctx: Context, inputs: Inputs): void {
    const expected = "a location (region) name such as 'westeurope'";
    const location = readString(ctx, inputs, "location", expected, true);
    if (location !== undefined && location.length > MAX_LOCATION_LENGTH) {
        add(ctx, violation("AGC017", ctx.resource, "location", location, `'${location}' has ${location.length} characters; expected ${expected}, at most ${MAX_LOCATION_LENGTH} characters`));
    }
}

/** AGC020: tags, when given, map strings to strings. Unknown keys or values are skipped. */
function checkTags(ctx: Context, inputs: Inputs): void {
    const tags = inputs["tags"];
    if (tags === undefined || isUnknown(tags)) return;
    if (tags === null || typeof tags !== "object" || Array.isArray(tags)) {
        add(ctx, violation("AGC020", ctx.resource, "tags", tags, `${show(tags)} is ${describeType(tags)}; expected an object mapping tag names to string values, e.g. {"env": "prod"}`));
        return;
    }
    for (const [key, value] of Object.entries(tags as Inputs)) {
        if (typeof value !== "string") {
            add(ctx, violation("AGC020", ctx.resource, `tags.${key}`, value, `${show(value)} is ${describeType(value)}; tag values must be strings`));
        }
    }
}

/** AGC019: a reference is the id of a resource of `kind` (AGC017 when missing). */
function checkReference(ctx: Context, inputs: Inputs, property: string, kind: KindName): void {
    const value = inputs[property];
    if (isUnknown(value)) return;
    if (value === undefined) {
        missing(ctx, property, `the id of a ${kind}`);
        return;
    }
    const parsed = parseId(value, kind);
    if (!parsed.ok) {
        add(ctx, violation("AGC019", ctx.resource, property, value, parsed.error));
        return;
    }
    // Children live beside their parent: the custom resources reference each other by name.
    const namespace = inputs["namespace"];
    const own = namespace === undefined ? DEFAULT_NAMESPACE : namespace;
    if (typeof own === "string" && !isUnknown(own) && parsed.namespace !== own) {
        add(ctx, violation("AGC019", ctx.resource, property, value,
            `'${value}' is in namespace '${parsed.namespace}', but this ${ctx.resource.kind} is in '${own}'; a ${kind} and the resources that reference it must share a namespace`));
    }
}

/** AGC018: a prefix string parses; returns it when known and valid. */
function readPrefix(ctx: Context, property: string, value: unknown): Ipv4Prefix | undefined {
    if (isUnknown(value)) return undefined;
    const parsed = parsePrefix(value);
    if (!parsed.ok) {
        add(ctx, violation("AGC018", ctx.resource, property, value, parsed.error));
        return undefined;
    }
    return parsed.prefix;
}

export function checkTrafficController(inputs: unknown, declaredName?: string): Violation[] {
    const { ctx, inputs: props } = begin("TrafficController", inputs, declaredName);
    if (!props) return ctx.violations;
    checkLocation(ctx, props);
    checkTags(ctx, props);
    return ctx.violations;
}

export function checkFrontend(inputs: unknown, declaredName?: string): Violation[] {
    const { ctx, inputs: props } = begin("Frontend", inputs, declaredName);
    if (!props) return ctx.violations;
    checkReference(ctx, props, "trafficControllerId", "TrafficController");
    const type = props["type"];
    if (type !== undefined && !isUnknown(type)) {
        add(ctx, checkFrontendType(ctx.resource, type));
    }
    checkTags(ctx, props);
    return ctx.violations;
}

export function checkAssociation(inputs: unknown, declaredName?: string): Violation[] {
    const { ctx, inputs: props } = begin("Association", inputs, declaredName);
    if (!props) return ctx.violations;
    checkReference(ctx, props, "trafficControllerId", "TrafficController");
    checkReference(ctx, props, "subnetId", "SubnetDelegation");
    const associationType = props["associationType"];
    if (associationType !== undefined && !isUnknown(associationType)) {
        add(ctx, checkAssociationType(ctx.resource, associationType));
    }
    checkTags(ctx, props);
    return ctx.violations;
}

export function checkSubnetDelegation(inputs: unknown, declaredName?: string): Violation[] {
    const { ctx, inputs: props } = begin("SubnetDelegation", inputs, declaredName);
    if (!props) return ctx.violations;
    checkLocation(ctx, props);

    const networkInput = props["virtualNetworkName"];
    let networkName: string | undefined = DEFAULT_VIRTUAL_NETWORK_NAME;
    if (isUnknown(networkInput)) {
        networkName = undefined;
    } else if (networkInput !== undefined) {
        const problem = checkAgcName(ctx.resource, "virtualNetworkName", networkInput);
        add(ctx, problem);
        networkName = problem ? undefined : (networkInput as string);
    }

    const space = readAddressSpace(ctx, props["virtualNetworkAddressSpace"]);
    const prefix = props["addressPrefix"] === undefined ? (missing(ctx, "addressPrefix", "an IPv4 prefix such as 10.1.0.0/24"), undefined) : readPrefix(ctx, "addressPrefix", props["addressPrefix"]);

    if (prefix) {
        add(ctx, checkSubnetMinimumSize(ctx.resource, prefix));
    }
    if (space) {
        add(ctx, checkAddressSpaceOverlaps(ctx.resource, space));
    }
    if (prefix && space && networkName !== undefined) {
        add(ctx, checkSubnetInAddressSpace({ name: ctx.resource.name, virtualNetworkName: networkName, addressPrefix: prefix, addressSpace: space }));
    }

    const delegation = readString(ctx, props, "delegation", "a service such as 'Microsoft.ServiceNetworking/trafficControllers'", false);
    if (delegation !== undefined && !DELEGATION_PATTERN.test(delegation)) {
        add(ctx, violation("AGC017", ctx.resource, "delegation", delegation, `'${delegation}' is not a service name; expected <Namespace>/<type> such as 'Microsoft.ServiceNetworking/trafficControllers'`));
    }
    checkTags(ctx, props);
    return ctx.violations;
}

/**
 * The address space when every entry is known and valid; each invalid entry is reported.
 * Returns undefined while any entry is unknown, so containment is not judged on a partial list.
 */
function readAddressSpace(ctx: Context, value: unknown): Ipv4Prefix[] | undefined {
    const property = "virtualNetworkAddressSpace";
    if (isUnknown(value)) return undefined;
    if (value === undefined) {
        missing(ctx, property, "a list of IPv4 prefixes such as [\"10.1.0.0/16\"]");
        return undefined;
    }
    if (!Array.isArray(value)) {
        wrongType(ctx, property, value, "a list of IPv4 prefixes such as [\"10.1.0.0/16\"]");
        return undefined;
    }
    if (value.length === 0) {
        add(ctx, violation("AGC017", ctx.resource, property, value, "the list is empty; expected at least one IPv4 prefix such as \"10.1.0.0/16\""));
        return undefined;
    }
    const prefixes = value.map((entry, i) => readPrefix(ctx, `${property}[${i}]`, entry));
    if (containsUnknown(value) || prefixes.some((p) => p === undefined)) {
        return undefined;
    }
    return prefixes as Ipv4Prefix[];
}
