// The four control-plane kinds: names, spec and status shapes, ids and object names.
import { createHash } from "crypto";

export const GROUP = "alb.agc.dev";
/** On each CRD of a Gateway API release: the release (e.g. v1.6.3). */
export const BUNDLE_VERSION_ANNOTATION = "gateway.networking.k8s.io/bundle-version";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const DEFAULT_NAMESPACE = "agc-system";

/** The only delegation a subnet may carry to host associations. */
export const TRAFFIC_CONTROLLER_DELEGATION = "Microsoft.ServiceNetworking/trafficControllers";
export const DEFAULT_VIRTUAL_NETWORK_NAME = "default";
/** Holds the AGC name on an object whose Kubernetes name had to be changed (objectNameFor). */
export const AGC_NAME_ANNOTATION = `${GROUP}/name`;
/** The stack (`<project>/<stack>`) that manages an object, so a preview does not count its own objects twice. */
export const OWNER_ANNOTATION = `${GROUP}/owner`;
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "pulumi-agc";

export const KINDS = {
    TrafficController: { kind: "TrafficController", plural: "trafficcontrollers", singular: "trafficcontroller", shortNames: ["tc"] },
    Frontend: { kind: "Frontend", plural: "frontends", singular: "frontend", shortNames: ["fe"] },
    Association: { kind: "Association", plural: "associations", singular: "association", shortNames: ["assoc"] },
    SubnetDelegation: { kind: "SubnetDelegation", plural: "subnetdelegations", singular: "subnetdelegation", shortNames: ["snd"] },
} as const;

export type KindName = keyof typeof KINDS;
export const KIND_NAMES = Object.keys(KINDS) as KindName[];

// AGC resource names: 1-64 characters, alphanumeric at both ends.
export const AGC_NAME_PATTERN_SOURCE = "^[A-Za-z0-9]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$";
export const AGC_NAME_PATTERN = new RegExp(AGC_NAME_PATTERN_SOURCE);
export const AGC_NAME_MAX_LENGTH = 64;

export function isValidAgcName(name: unknown): name is string {
    return typeof name === "string" && AGC_NAME_PATTERN.test(name);
}

export const PROVISIONING_STATES = ["Provisioning", "Updating", "Deleting", "Accepted", "Succeeded", "Failed", "Canceled"] as const;
export type ProvisioningState = (typeof PROVISIONING_STATES)[number];

export const FRONTEND_TYPES = ["public", "private"] as const;
export type FrontendType = (typeof FRONTEND_TYPES)[number];
export const DEFAULT_FRONTEND_TYPE: FrontendType = "public";

export const ASSOCIATION_TYPES = ["subnets"] as const;
export type AssociationType = (typeof ASSOCIATION_TYPES)[number];
export const DEFAULT_ASSOCIATION_TYPE: AssociationType = "subnets";

export type Tags = Record<string, string>;

export interface ObjectRef {
    name: string;
}

/** A Kubernetes-style condition, as written by the controller. */
export interface Condition {
    type: string;
    status: "True" | "False" | "Unknown";
    reason: string;
    message: string;
    lastTransitionTime: string;
    observedGeneration?: number;
}

interface CommonStatus {
    provisioningState?: ProvisioningState;
    conditions?: Condition[];
    message?: string;
    observedGeneration?: number;
}

export interface TrafficControllerSpec {
    location: string;
    tags?: Tags;
}
export interface TrafficControllerStatus extends CommonStatus {
    /** Host names the controller pushes configuration to. */
    configurationEndpoints?: string[];
    /** Names of the frontends and associations that belong to this gateway. */
    frontends?: string[];
    associations?: string[];
}

export interface FrontendSpec {
    trafficControllerRef: ObjectRef;
    /** Default "public"; "private" is refused for now. */
    type?: FrontendType;
    tags?: Tags;
}
export interface FrontendStatus extends CommonStatus {
    fqdn?: string;
    /** The addresses its LoadBalancer Service answers on. */
    addresses?: string[];
}

export interface AssociationSpec {
    trafficControllerRef: ObjectRef;
    associationType: AssociationType;
    subnetRef: ObjectRef;
    tags?: Tags;
}
export interface AssociationStatus extends CommonStatus {
    /** The 256-address block reserved for this association in its subnet, e.g. 10.1.0.0/24. */
    allocatedPrefix?: string;
}

export interface SubnetDelegationSpec {
    location: string;
    /** Default "default". */
    virtualNetworkName?: string;
    virtualNetworkAddressSpace: string[];
    addressPrefix: string;
    /** Default "Microsoft.ServiceNetworking/trafficControllers". */
    delegation?: string;
}
export interface SubnetDelegationStatus extends CommonStatus {}

export interface SpecOf {
    TrafficController: TrafficControllerSpec;
    Frontend: FrontendSpec;
    Association: AssociationSpec;
    SubnetDelegation: SubnetDelegationSpec;
}
export interface StatusOf {
    TrafficController: TrafficControllerStatus;
    Frontend: FrontendStatus;
    Association: AssociationStatus;
    SubnetDelegation: SubnetDelegationStatus;
}

/** A custom resource of one of the four kinds, as stored in the cluster. */
export interface AgcObject<K extends KindName> {
    apiVersion: typeof API_VERSION;
    kind: K;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
    spec: SpecOf[K];
    status?: StatusOf[K];
}

// ---- ids: `<namespace>/<plural>/<name>` ------------------------------------------------

export interface ParsedId {
    kind: KindName;
    namespace: string;
    name: string;
}
export type ParseIdResult = ({ ok: true } & ParsedId) | { ok: false; error: string };

export function formatId(kind: KindName, namespace: string, name: string): string {
    return `${namespace}/${KINDS[kind].plural}/${name}`;
}

function kindOfPlural(plural: string): KindName | undefined {
    return KIND_NAMES.find((k) => KINDS[k].plural === plural);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label, as namespace names (and most object names) must be: at most 63 characters. */
export function isDns1123Label(value: unknown): value is string {
    return typeof value === "string" && value.length <= 63 && DNS1123_LABEL.test(value);
}

/** Parses an id and checks it names a resource of `expectedKind`. */
export function parseId(id: unknown, expectedKind: KindName): ParseIdResult {
    const plural = KINDS[expectedKind].plural;
    const example = formatId(expectedKind, DEFAULT_NAMESPACE, "my-name");
    if (typeof id !== "string") {
        return { ok: false, error: `expected a ${expectedKind} id such as '${example}', got ${typeof id}` };
    }
    const parts = id.split("/");
    if (parts.length !== 3 || parts.some((p) => p === "")) {
        return { ok: false, error: `'${id}' is not a ${expectedKind} id: expected <namespace>/${plural}/<name>, e.g. '${example}'` };
    }
    const [namespace, idPlural, name] = parts as [string, string, string];
    const actualKind = kindOfPlural(idPlural);
    if (actualKind === undefined) {
        return { ok: false, error: `'${id}' is not a ${expectedKind} id: '${idPlural}' is not a known kind; expected <namespace>/${plural}/<name>, e.g. '${example}'` };
    }
    if (actualKind !== expectedKind) {
        return { ok: false, error: `'${id}' is the id of a ${actualKind}, not of a ${expectedKind}: expected <namespace>/${plural}/<name>, e.g. '${example}'` };
    }
    if (!isDns1123Label(namespace)) {
        return { ok: false, error: `'${id}' is not a ${expectedKind} id: namespace '${namespace}' is not a valid Kubernetes namespace (lower case letters, digits and '-', at most 63 characters)` };
    }
    return { ok: true, kind: actualKind, namespace, name };
}

// ---- Kubernetes object names --------------------------------------------------------------

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

export function isDns1123Subdomain(name: string): boolean {
    return name.length <= DNS1123_SUBDOMAIN_MAX_LENGTH && DNS1123_SUBDOMAIN.test(name);
}

/** Short, stable digest of a name; 10 hex characters keep accidental collisions negligible. */
export function shortHash(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 10);
}

/**
 * The Kubernetes object name for an AGC name. Names that are already valid DNS-1123
 * subdomains are kept; others are lowered and cleaned, and carry a hash of the original so
 * that "Gw" and "gw" (or "a_b" and "a-b") never map to the same object.
 */
export function objectNameFor(agcName: string): string {
    if (isDns1123Subdomain(agcName)) {
        return agcName;
    }
    let cleaned = agcName.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
    if (!isDns1123Subdomain(cleaned)) {
        // Dots next to '-' or '.' make an invalid label: flatten them.
        cleaned = cleaned.replace(/\./g, "-");
    }
    cleaned = cleaned.replace(/^[^a-z0-9]+/, "").replace(/[^a-z0-9]+$/, "");
    const hash = shortHash(agcName);
    const room = DNS1123_SUBDOMAIN_MAX_LENGTH - hash.length - 1;
    cleaned = cleaned.slice(0, room).replace(/[^a-z0-9]+$/, "");
    return cleaned === "" ? hash : `${cleaned}-${hash}`;
}
