// CustomResourceDefinitions of our kinds, built from the kinds' constants. Single-object rules
// live in the schema (pattern, enum, lengths) and in CEL where OpenAPI cannot say them;
// rules across objects are the controller's (model/rules/inventory.ts).
import {
    AGC_NAME_MAX_LENGTH,
    AGC_NAME_PATTERN_SOURCE,
    ASSOCIATION_TYPES,
    DEFAULT_FRONTEND_TYPE,
    DEFAULT_VIRTUAL_NETWORK_NAME,
    FRONTEND_TYPES,
    GROUP,
    KINDS,
    KindName,
    PROVISIONING_STATES,
    TRAFFIC_CONTROLLER_DELEGATION,
    VERSION,
} from "./kinds";
import { PRIVATE_FRONTEND_DETAIL } from "./rules/constraints";
import { Schema, s, withRules } from "./schema";

const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
export const IPV4_CIDR_PATTERN = `^${OCTET}(\\.${OCTET}){3}/(3[0-2]|[12]?[0-9])$`;
export const DNS1123_SUBDOMAIN_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/** Gateway API's Duration: up to four <number><unit> parts, e.g. "1m30s", "500ms", "0s". */
export const DURATION_PATTERN = "^([0-9]{1,5}(h|m|s|ms)){1,4}$";
const DELEGATION_PATTERN = "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)*/[A-Za-z0-9]+$";

/** Extra kinds the controller reads, shaped like the product's own policies. */
export const POLICY_KINDS = {
    HealthCheckPolicy: { kind: "HealthCheckPolicy", plural: "healthcheckpolicies", singular: "healthcheckpolicy", shortNames: ["hcp"] },
    RoutePolicy: { kind: "RoutePolicy", plural: "routepolicies", singular: "routepolicy", shortNames: ["rp"] },
} as const;

// ---- shared pieces -------------------------------------------------------------------------

const tags = s.map("Tags, as name to value.", s.string("Tag value.", { maxLength: 256 }));

const location = s.string("The location (region) the resource is in, e.g. westeurope.", { minLength: 1, maxLength: 64 });

const objectName = (description: string) => s.string(description, { minLength: 1, maxLength: 253, pattern: DNS1123_SUBDOMAIN_PATTERN });

function immutableRef(what: string, description: string, why: string): Schema {
    return withRules(s.object(description, { name: objectName(`Name of the ${what} in the same namespace.`) }, ["name"]), {
        rule: "self == oldSelf",
        message: why,
    });
}

const cidr = (description: string) => s.string(description, { pattern: IPV4_CIDR_PATTERN, maxLength: 18 });

const duration = (description: string) => s.string(description, { pattern: DURATION_PATTERN, maxLength: 32 });

const conditions = s.array(
    "The latest observations of the resource's state.",
    s.object(
        "A condition, as in metav1.Condition.",
        {
            type: s.string("Condition type, e.g. Accepted or Programmed.", { maxLength: 316 }),
            status: s.string("True, False or Unknown.", { enum: ["True", "False", "Unknown"] }),
            reason: s.string("A CamelCase reason.", { maxLength: 1024 }),
            message: s.string("A human-readable explanation.", { maxLength: 32768 }),
            lastTransitionTime: s.string("When the status last changed.", { format: "date-time" }),
            observedGeneration: s.integer("The generation the condition was set for.", { format: "int64", minimum: 0 }),
        },
        ["type", "status", "lastTransitionTime"],
    ),
    { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"], maxItems: 16 },
);

const commonStatus: Record<string, Schema> = {
    provisioningState: s.string("Where the asynchronous create, update or delete stands.", { enum: [...PROVISIONING_STATES] }),
    conditions,
    message: s.string("A human-readable summary, set when something needs attention."),
    observedGeneration: s.integer("The generation the status was computed for.", { format: "int64", minimum: 0 }),
};

const names = (description: string) => s.array(description, s.string("A name.", { maxLength: 253 }), { "x-kubernetes-list-type": "set" });

// ---- the four kinds ------------------------------------------------------------------------

const trafficControllerSpec = s.object("A gateway: the parent of frontends and associations.", { location, tags }, ["location"]);
const trafficControllerStatus = s.object("What the controller reports.", {
    ...commonStatus,
    configurationEndpoints: names("Host names the controller pushes configuration to."),
    frontends: names("Names of the frontends of this gateway."),
    associations: names("Names of the associations of this gateway."),
});

const frontendSpec = withRules(
    s.object(
        "An entry point of a gateway, with a generated host name.",
        {
            trafficControllerRef: immutableRef(
                "TrafficController",
                "The gateway this frontend belongs to. Immutable.",
                "trafficControllerRef is immutable: a frontend belongs to one gateway; create a new frontend to use another gateway",
            ),
            type: s.string(`Public or private. Default ${DEFAULT_FRONTEND_TYPE}; private is not supported yet.`, {
                enum: [...FRONTEND_TYPES],
                default: DEFAULT_FRONTEND_TYPE,
            }),
            tags,
        },
        ["trafficControllerRef"],
    ),
    { rule: "!has(self.type) || self.type != 'private'", message: PRIVATE_FRONTEND_DETAIL, fieldPath: ".type" },
);
const frontendStatus = s.object("What the controller reports.", {
    ...commonStatus,
    fqdn: s.string("The generated, unique host name of this frontend."),
    addresses: s.array("The addresses its LoadBalancer Service answers on (from the controller's address pool).", s.string("An IP address.")),
});

const associationSpec = s.object(
    "Connects a gateway to a delegated subnet.",
    {
        trafficControllerRef: immutableRef(
            "TrafficController",
            "The gateway this association belongs to. Immutable.",
            "trafficControllerRef is immutable: an association belongs to one gateway; create a new association to use another gateway",
        ),
        associationType: s.string("The kind of association; 'subnets' is the only one.", { enum: [...ASSOCIATION_TYPES], default: ASSOCIATION_TYPES[0] }),
        subnetRef: immutableRef(
            "SubnetDelegation",
            "The delegated subnet. Immutable.",
            "subnetRef is immutable: an association's subnet cannot change; create a new association to use another subnet",
        ),
        tags,
    },
    ["trafficControllerRef", "associationType", "subnetRef"],
);
const associationStatus = s.object("What the controller reports.", {
    ...commonStatus,
    allocatedPrefix: cidr("The 256-address block reserved for this association in its subnet."),
});

const subnetDelegationSpec = s.object(
    "A subnet of a virtual network, delegated to a service.",
    {
        location,
        virtualNetworkName: s.string(`The virtual network the subnet belongs to. Default '${DEFAULT_VIRTUAL_NETWORK_NAME}'.`, {
            pattern: AGC_NAME_PATTERN_SOURCE,
            maxLength: AGC_NAME_MAX_LENGTH,
            default: DEFAULT_VIRTUAL_NETWORK_NAME,
        }),
        virtualNetworkAddressSpace: s.array("The virtual network's address space (IPv4 prefixes).", cidr("An IPv4 prefix, e.g. 10.1.0.0/16."), {
            minItems: 1,
            maxItems: 64,
            "x-kubernetes-list-type": "set",
        }),
        addressPrefix: withRules(cidr("The subnet's IPv4 prefix, a /24 or larger, e.g. 10.1.0.0/24."), {
            rule: "!self.matches('/(2[5-9]|3[0-2])$')",
            message: "an association needs 256 addresses: use a /24 or larger prefix",
        }),
        delegation: s.string(`The service the subnet is delegated to. Default '${TRAFFIC_CONTROLLER_DELEGATION}'.`, {
            pattern: DELEGATION_PATTERN,
            maxLength: 256,
            default: TRAFFIC_CONTROLLER_DELEGATION,
        }),
    },
    ["location", "virtualNetworkAddressSpace", "addressPrefix"],
);
const subnetDelegationStatus = s.object("What the controller reports.", { ...commonStatus });

// ---- policies ------------------------------------------------------------------------------

function targetRef(group: string, kind: string, what: string): Schema {
    return withRules(
        s.object(
            `The object this policy applies to: ${what}.`,
            {
                group: s.string(`API group of the target: '${group}'.`, { maxLength: 253 }),
                kind: s.string(`Kind of the target: '${kind}'.`, { maxLength: 63 }),
                name: objectName("Name of the target."),
                namespace: s.string("Namespace of the target; default the policy's namespace.", { maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" }),
            },
            ["group", "kind", "name"],
        ),
        { rule: `self.group == '${group}' && self.kind == '${kind}'`, message: `targetRef must name ${what}: group '${group}', kind '${kind}'` },
    );
}

const statusCodeRange = withRules(
    s.object(
        "A range of status codes, both ends included.",
        {
            start: s.integer("First status code.", { minimum: 100, maximum: 599 }),
            end: s.integer("Last status code.", { minimum: 100, maximum: 599 }),
        },
        ["start", "end"],
    ),
    { rule: "self.start <= self.end", message: "start must not be greater than end" },
);

const healthCheckPolicySpec = s.object(
    "How the gateway probes the endpoints of a Service.",
    {
        targetRef: targetRef("", "Service", "a Service"),
        default: s.object("The probe settings.", {
            interval: duration("Time between probes, e.g. 5s."),
            timeout: duration("Time to wait for an answer, e.g. 30s."),
            healthyThreshold: s.integer("Successes before an endpoint is healthy.", { minimum: 1, maximum: 100 }),
            unhealthyThreshold: s.integer("Failures before an endpoint is unhealthy.", { minimum: 1, maximum: 100 }),
            port: s.integer("Port to probe; default the endpoint's port.", { minimum: 1, maximum: 65535 }),
            http: s.object("HTTP probe settings.", {
                host: s.string("Host header of the probe.", { maxLength: 253 }),
                path: s.string("Path of the probe, e.g. /health.", { pattern: "^/", maxLength: 1024 }),
                match: s.object("What counts as healthy.", {
                    statusCodes: s.array("Healthy status codes.", statusCodeRange, { minItems: 1, maxItems: 16 }),
                }),
            }),
            useTLS: s.boolean("Probe over TLS."),
        }),
    },
    ["targetRef"],
);

const routePolicySpec = s.object(
    "Timeouts and session affinity of an HTTPRoute.",
    {
        targetRef: targetRef("gateway.networking.k8s.io", "HTTPRoute", "an HTTPRoute"),
        default: s.object("The route settings.", {
            timeouts: s.object("Timeouts; an HTTPRoute's own timeouts win.", {
                routeTimeout: duration("Time to wait for the backend's response; 0s disables it."),
            }),
            sessionAffinity: withRules(
                s.object(
                    "Keeps a client on one backend.",
                    {
                        affinityType: s.string("managed-cookie (the gateway sets it) or application-cookie (the backend sets it).", {
                            enum: ["managed-cookie", "application-cookie"],
                        }),
                        cookieName: s.string("Name of the cookie.", { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", maxLength: 128 }),
                        cookieDuration: duration("Lifetime of a managed cookie, e.g. 1h."),
                    },
                    ["affinityType"],
                ),
                { rule: "self.affinityType != 'application-cookie' || has(self.cookieName)", message: "an application-cookie affinity needs cookieName", fieldPath: ".cookieName" },
            ),
        }),
    },
    ["targetRef"],
);

const policyStatus = s.object("What the controller reports.", { conditions });

// ---- manifests -----------------------------------------------------------------------------

interface Names {
    kind: string;
    plural: string;
    singular: string;
    shortNames: readonly string[];
}

interface PrinterColumn {
    name: string;
    type: "string" | "date" | "integer";
    jsonPath: string;
    description?: string;
}

const stateColumn: PrinterColumn = { name: "State", type: "string", jsonPath: ".status.provisioningState", description: "Provisioning state" };
const ageColumn: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };
const gatewayColumn: PrinterColumn = { name: "Gateway", type: "string", jsonPath: ".spec.trafficControllerRef.name" };

function crd(names: Names, description: string, spec: Schema, status: Schema, columns: PrinterColumn[]): object {
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${names.plural}.${GROUP}`, labels: { "app.kubernetes.io/part-of": "pulumi-agc" } },
        spec: {
            group: GROUP,
            names: { kind: names.kind, listKind: `${names.kind}List`, plural: names.plural, singular: names.singular, shortNames: [...names.shortNames], categories: ["agc"] },
            scope: "Namespaced",
            versions: [
                {
                    name: VERSION,
                    served: true,
                    storage: true,
                    subresources: { status: {} },
                    additionalPrinterColumns: columns,
                    schema: {
                        openAPIV3Schema: s.object(description, {
                            apiVersion: s.string("The versioned schema of this object."),
                            kind: s.string("The kind of this object."),
                            metadata: { type: "object" },
                            spec,
                            status,
                        }, ["spec"]),
                    },
                },
            ],
        },
    };
}

const KIND_CRDS: Record<KindName, () => object> = {
    TrafficController: () =>
        crd(KINDS.TrafficController, "A gateway (Application Gateway for Containers).", trafficControllerSpec, trafficControllerStatus, [
            stateColumn,
            { name: "Location", type: "string", jsonPath: ".spec.location" },
            ageColumn,
        ]),
    Frontend: () =>
        crd(KINDS.Frontend, "A frontend of a gateway.", frontendSpec, frontendStatus, [
            stateColumn,
            gatewayColumn,
            { name: "FQDN", type: "string", jsonPath: ".status.fqdn", description: "Generated host name" },
            ageColumn,
        ]),
    Association: () =>
        crd(KINDS.Association, "An association of a gateway with a subnet.", associationSpec, associationStatus, [
            stateColumn,
            gatewayColumn,
            { name: "Subnet", type: "string", jsonPath: ".spec.subnetRef.name" },
            { name: "Prefix", type: "string", jsonPath: ".status.allocatedPrefix" },
            ageColumn,
        ]),
    SubnetDelegation: () =>
        crd(KINDS.SubnetDelegation, "A delegated subnet.", subnetDelegationSpec, subnetDelegationStatus, [
            stateColumn,
            { name: "Prefix", type: "string", jsonPath: ".spec.addressPrefix" },
            { name: "Network", type: "string", jsonPath: ".spec.virtualNetworkName" },
            ageColumn,
        ]),
};

const targetColumns: PrinterColumn[] = [
    { name: "Target Kind", type: "string", jsonPath: ".spec.targetRef.kind" },
    { name: "Target", type: "string", jsonPath: ".spec.targetRef.name" },
    ageColumn,
];

/** Every CRD the controller's bootstrap applies, in a stable order. */
export function crdManifests(): object[] {
    return [
        ...(Object.keys(KIND_CRDS) as KindName[]).map((kind) => KIND_CRDS[kind]()),
        crd(POLICY_KINDS.HealthCheckPolicy, "How the gateway probes a Service's endpoints.", healthCheckPolicySpec, policyStatus, targetColumns),
        crd(POLICY_KINDS.RoutePolicy, "Timeouts and session affinity of an HTTPRoute.", routePolicySpec, policyStatus, targetColumns),
    ];
}

/** The file each CRD is written to under crds/: `<group>_<plural>.yaml`. */
export function crdFileName(manifest: object): string {
    const { group, names } = (manifest as { spec: { group: string; names: { plural: string } } }).spec;
    return `${group}_${names.plural}.yaml`;
}
