// What a failed rule reports, and how a list of them is sorted and printed.
import { KindName } from "../kinds";

/** Every rule's stable code and what it checks. Codes are never reused or renumbered. */
export const RULE_CODES = {
    AGC001: "at most 1 association per gateway",
    AGC002: "at most 1000 gateways per cluster",
    AGC003: "at most 5 frontends per gateway",
    AGC004: "an association's subnet is delegated to Microsoft.ServiceNetworking/trafficControllers",
    AGC005: "a subnet has 256 addresses per association it holds (a /24 at least)",
    AGC006: "a delegated subnet holds nothing but the service it is delegated to",
    AGC007: "an association is in its gateway's location",
    AGC008: "a subnet lies inside its virtual network's address space",
    AGC009: "subnets (and address spaces) of one virtual network do not overlap",
    AGC010: "private frontends are not supported yet",
    AGC011: "a frontend serves exactly one Gateway or Ingress",
    AGC012: "listeners accept ports 80 and 443 only",
    AGC013: "Kubernetes-side limits per gateway and per Gateway object",
    AGC014: "Kubernetes-side names are at most 128 characters",
    AGC015: "resource names follow the AGC name rule",
    AGC016: "associationType is 'subnets'",
    AGC017: "a required property is present and of the right type",
    AGC018: "address prefixes are valid IPv4 CIDR prefixes",
    AGC019: "references are ids of the right kind",
    AGC020: "tags map strings to strings",
    AGC021: "frontend type is 'public' or 'private'",
    AGC022: "references point at resources that exist",
    AGC023: "a subnet's virtual network declares one address space",
} as const;

export type RuleCode = keyof typeof RULE_CODES;

/** Resources are named by kind and name; Kubernetes objects (Gateway, Ingress) too. */
export interface ResourceRef {
    kind: KindName | string;
    name: string;
}

export interface Violation {
    code: RuleCode;
    resource: ResourceRef;
    /** The input property at fault, as the user wrote it (e.g. "trafficControllerId"). */
    property: string;
    /** The offending value (may be a count or a list when the fault is a number of things). */
    value: unknown;
    /** What is wrong and what would be valid, without resource and code. */
    detail: string;
    /** The full sentence: `<Kind> '<name>': property <p>: <detail> [<code>]`. */
    message: string;
}

export function violation(code: RuleCode, resource: ResourceRef, property: string, value: unknown, detail: string): Violation {
    return {
        code,
        resource: { kind: resource.kind, name: resource.name },
        property,
        value,
        detail,
        message: `${resource.kind} '${resource.name}': property ${property}: ${detail} [${code}]`,
    };
}

const KIND_ORDER = ["TrafficController", "Frontend", "Association", "SubnetDelegation"];

function kindRank(kind: string): number {
    const rank = KIND_ORDER.indexOf(kind);
    return rank < 0 ? KIND_ORDER.length : rank;
}

function compareText(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted by kind (parents first), name, code, property, message: the same set prints the same. */
export function sortViolations(violations: readonly Violation[]): Violation[] {
    return [...violations].sort(
        (a, b) =>
            kindRank(a.resource.kind) - kindRank(b.resource.kind) ||
            compareText(a.resource.kind, b.resource.kind) ||
            compareText(a.resource.name, b.resource.name) ||
            compareText(a.code, b.code) ||
            compareText(a.property, b.property) ||
            compareText(a.message, b.message),
    );
}

/** A multi-line message for people: a count, then one line per violation, sorted. */
export function formatViolations(violations: readonly Violation[]): string {
    if (violations.length === 0) {
        return "no problems found";
    }
    const heading = violations.length === 1 ? "1 problem found:" : `${violations.length} problems found:`;
    return [heading, ...sortViolations(violations).map((v) => `  - ${v.message}`)].join("\n");
}

/** Quotes a value for a message: strings in single quotes, the rest as JSON. */
export function show(value: unknown): string {
    if (typeof value === "string") {
        return `'${value}'`;
    }
    if (value === undefined) {
        return "undefined";
    }
    if (typeof value === "number" && !Number.isFinite(value)) {
        return String(value);
    }
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}

/** "a, b and c" for messages. */
export function listNames(names: readonly string[]): string {
    return names.join(", ");
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
    return `${count} ${count === 1 ? singular : pluralForm}`;
}
