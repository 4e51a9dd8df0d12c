// Rules over what the controller counts in Kubernetes (agc-behaviour.md section 2, items 9-11).
import { ResourceRef, Violation, show, violation } from "./violation";

/** Per-gateway limits on what Kubernetes objects configure through it. */
export const GATEWAY_LIMITS = {
    listeners: 200,
    routes: 200,
    rules: 200,
    services: 100,
    endpoints: 5000,
    certificateReferences: 100,
} as const;
export type GatewayUsage = { [K in keyof typeof GATEWAY_LIMITS]: number };

export const MAX_LISTENERS_PER_GATEWAY_OBJECT = 64;
export const MAX_KUBERNETES_NAME_LENGTH = 128;
export const ALLOWED_LISTENER_PORTS = [80, 443] as const;

const USAGE_WORDS: Record<keyof GatewayUsage, string> = {
    listeners: "listeners",
    routes: "routes",
    rules: "routing rules",
    services: "backend services",
    endpoints: "backend endpoints",
    certificateReferences: "certificate references",
};

/**
 * AGC013: what a gateway (a TrafficController) carries stays within the limits.
 * `usage` holds the counts the controller computed; missing counts are not checked.
 * `kind` names the data plane's owner in the message: a managed data plane belongs to a
 * Gateway or an Ingress.
 */
export function checkGatewayUsage(gatewayName: string, usage: Partial<GatewayUsage>, kind = "TrafficController"): Violation[] {
    const result: Violation[] = [];
    for (const key of Object.keys(GATEWAY_LIMITS) as (keyof GatewayUsage)[]) {
        const count = usage[key];
        const limit = GATEWAY_LIMITS[key];
        if (count !== undefined && count > limit) {
            result.push(
                violation(
                    "AGC013",
                    { kind, name: gatewayName },
                    key,
                    count,
                    `gateway '${gatewayName}' has ${count} ${USAGE_WORDS[key]}; at most ${limit} are allowed per gateway`,
                ),
            );
        }
    }
    return result;
}

/** AGC013: one Gateway object declares at most 64 listeners. `gatewayName` is namespace/name. */
export function checkGatewayObjectListeners(gatewayName: string, listenerCount: number): Violation | undefined {
    if (listenerCount <= MAX_LISTENERS_PER_GATEWAY_OBJECT) {
        return undefined;
    }
    return violation(
        "AGC013",
        { kind: "Gateway", name: gatewayName },
        "spec.listeners",
        listenerCount,
        `${listenerCount} listeners declared; at most ${MAX_LISTENERS_PER_GATEWAY_OBJECT} are allowed per Gateway: split it into several Gateways`,
    );
}

/** AGC014: names of Kubernetes objects the gateway serves are at most 128 characters. */
export function checkKubernetesNameLength(resource: ResourceRef, property: string, name: string): Violation | undefined {
    if (name.length <= MAX_KUBERNETES_NAME_LENGTH) {
        return undefined;
    }
    return violation(
        "AGC014",
        resource,
        property,
        name,
        `'${name}' has ${name.length} characters; at most ${MAX_KUBERNETES_NAME_LENGTH} are allowed`,
    );
}

/** AGC012: a listener accepts port 80 or 443. */
export function checkListenerPort(resource: ResourceRef, property: string, port: unknown): Violation | undefined {
    if ((ALLOWED_LISTENER_PORTS as readonly unknown[]).includes(port)) {
        return undefined;
    }
    return violation(
        "AGC012",
        resource,
        property,
        port,
        `${show(port)} is not an allowed listener port; listeners accept ports 80 (HTTP) and 443 (HTTPS) only`,
    );
}

/** A Gateway (Gateway API) or an Ingress that uses a frontend. */
export interface FrontendConsumer {
    kind: "Gateway" | "Ingress";
    namespace: string;
    name: string;
}

/**
 * AGC011: each frontend serves exactly one Gateway or Ingress. `usage` maps a frontend name
 * to the objects that reference it, in creation order; every one past the first is reported.
 */
export function checkFrontendUsage(usage: Readonly<Record<string, readonly FrontendConsumer[]>>): Violation[] {
    const result: Violation[] = [];
    for (const frontendName of Object.keys(usage).sort()) {
        const consumers = usage[frontendName] ?? [];
        const [owner, ...others] = consumers;
        if (!owner) {
            continue;
        }
        const ownerText = `${owner.kind} ${owner.namespace}/${owner.name}`;
        for (const other of others) {
            result.push(
                violation(
                    "AGC011",
                    { kind: other.kind, name: `${other.namespace}/${other.name}` },
                    "frontend",
                    frontendName,
                    `frontend '${frontendName}' already serves ${ownerText}; a frontend serves exactly one Gateway or Ingress: give this one its own frontend`,
                ),
            );
        }
    }
    return result;
}
