// A Gateway's listeners: what each accepts, the certificates it serves, and its status.
import { TlsCertificate } from "../../model/ir";
import { checkListenerPort } from "../../model/rules";
import { KubeObject, ReportViolation, SecretObject } from "../types";
import { GATEWAY_GROUP, keyOf, namespaceOf, selectorMatches } from "../objects";
import { Problem, StatusCondition, condition, conditionFrom, conditionOf } from "../conditions";
import { certificateSecretProblem } from "../certificates";
import { referencePermitted } from "../referencegrants";

export interface RouteKind {
  group: string;
  kind: string;
}

export interface Listener {
  gateway: KubeObject;
  name: string;
  port: number;
  protocol: string;
  hostname?: string;
  /** Route kinds the listener accepts (those we support among those it asks for). */
  supportedKinds: RouteKind[];
  allowedRoutes: { from: string; selector?: unknown };
  /** Certificates of an HTTPS listener (those that resolved). */
  certificates: TlsCertificate[];
  /** Problems per condition; empty means the condition is True. */
  accepted: Problem[];
  resolvedRefs: Problem[];
  conflicted: Problem[];
  /** Keys of the routes attached to it. */
  attachedRoutes: Set<string>;
}

const SUPPORTED_PROTOCOLS = ["HTTP", "HTTPS"];
const HTTP_ROUTE: RouteKind = { group: GATEWAY_GROUP, kind: "HTTPRoute" };

export interface ListenerContext {
  secrets: readonly SecretObject[];
  referenceGrants: readonly KubeObject[];
  report: ReportViolation;
}

/** Every listener of a Gateway, checked one by one, then against each other. */
export function resolveListeners(gateway: KubeObject, context: ListenerContext): Listener[] {
  const listeners = ((gateway.spec?.listeners ?? []) as any[]).map((spec, index) => resolveListener(gateway, spec, index, context));
  markConflicts(listeners);
  return listeners;
}

function resolveListener(gateway: KubeObject, spec: any, index: number, context: ListenerContext): Listener {
  const protocol = String(spec.protocol ?? "");
  const listener: Listener = {
    gateway,
    name: String(spec.name ?? `listener-${index}`),
    port: Number(spec.port),
    protocol,
    hostname: spec.hostname ? String(spec.hostname).toLowerCase() : undefined,
    supportedKinds: [],
    allowedRoutes: { from: spec.allowedRoutes?.namespaces?.from ?? "Same", selector: spec.allowedRoutes?.namespaces?.selector },
    certificates: [],
    accepted: [],
    resolvedRefs: [],
    conflicted: [],
    attachedRoutes: new Set(),
  };
  if (!SUPPORTED_PROTOCOLS.includes(protocol)) {
    listener.accepted.push({ reason: "UnsupportedProtocol", message: `spec.listeners[${index}].protocol: '${protocol}' is not supported; use HTTP or HTTPS` });
    return listener;
  }
  const portViolation = checkListenerPort({ kind: "Gateway", name: keyOf(gateway) }, `spec.listeners[${index}].port`, listener.port);
  if (portViolation) listener.accepted.push({ reason: "PortUnavailable", message: portViolation.message });
  context.report(portViolation);
  resolveRouteKinds(listener, spec.allowedRoutes?.kinds, index);
  if (protocol === "HTTPS") resolveCertificates(listener, spec.tls, index, context);
  return listener;
}

function resolveRouteKinds(listener: Listener, kinds: any[] | undefined, index: number): void {
  if (!kinds || kinds.length === 0) {
    listener.supportedKinds = [HTTP_ROUTE];
    return;
  }
  kinds.forEach((k, i) => {
    const group = k.group ?? GATEWAY_GROUP;
    if (group === GATEWAY_GROUP && k.kind === "HTTPRoute") {
      if (!listener.supportedKinds.length) listener.supportedKinds.push(HTTP_ROUTE);
    } else {
      listener.resolvedRefs.push({
        reason: "InvalidRouteKinds",
        message: `spec.listeners[${index}].allowedRoutes.kinds[${i}]: ${group}/${k.kind} is not supported; the only kind is ${GATEWAY_GROUP}/HTTPRoute`,
      });
    }
  });
}

function resolveCertificates(listener: Listener, tls: any, index: number, context: ListenerContext): void {
  const gatewayNamespace = namespaceOf(listener.gateway);
  if ((tls?.mode ?? "Terminate") !== "Terminate") {
    listener.accepted.push({ reason: "UnsupportedValue", message: `spec.listeners[${index}].tls.mode '${tls.mode}' is not supported on HTTPS; use Terminate` });
    return;
  }
  const refs: any[] = tls?.certificateRefs ?? [];
  if (refs.length === 0) {
    listener.resolvedRefs.push({ reason: "InvalidCertificateRef", message: `spec.listeners[${index}].tls.certificateRefs is empty; an HTTPS listener needs a kubernetes.io/tls Secret` });
  }
  refs.forEach((ref, i) => {
    const problem = certificateRefProblem(ref, gatewayNamespace, context, `spec.listeners[${index}].tls.certificateRefs[${i}]`);
    if (problem) listener.resolvedRefs.push(problem);
    else listener.certificates.push({ secret: { namespace: ref.namespace ?? gatewayNamespace, name: ref.name } });
  });
}

function certificateRefProblem(ref: any, gatewayNamespace: string, context: ListenerContext, path: string): Problem | undefined {
  const group = ref.group ?? "";
  const kind = ref.kind ?? "Secret";
  if (group !== "" || kind !== "Secret") {
    return { reason: "InvalidCertificateRef", message: `${path}: ${group ? `${group}/` : ""}${kind} is not supported; reference a Secret (group '', kind Secret)` };
  }
  const namespace = ref.namespace ?? gatewayNamespace;
  const permitted = referencePermitted(
    context.referenceGrants,
    { group: GATEWAY_GROUP, kind: "Gateway", namespace: gatewayNamespace },
    { group: "", kind: "Secret", namespace, name: ref.name },
  );
  if (!permitted) {
    return { reason: "RefNotPermitted", message: `${path}: Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant there allows it` };
  }
  const problem = certificateSecretProblem(context.secrets, namespace, ref.name);
  return problem && { reason: problem.reason, message: `${path}: ${problem.message}` };
}

/** Listeners on one port must agree on the protocol and not share a host name. */
function markConflicts(listeners: Listener[]): void {
  const candidates = listeners.filter((l) => l.accepted.length === 0);
  for (const l of candidates) {
    for (const other of candidates) {
      if (other === l || other.port !== l.port) continue;
      if (other.protocol !== l.protocol) {
        l.conflicted.push({ reason: "ProtocolConflict", message: `port ${l.port}: listener '${other.name}' uses it with protocol ${other.protocol}; listeners on one port share a protocol` });
      } else if ((other.hostname ?? "") === (l.hostname ?? "")) {
        l.conflicted.push({ reason: "HostnameConflict", message: `port ${l.port}: listener '${other.name}' has the same host name (${l.hostname ?? "any"}); give each listener on a port its own host name` });
      }
    }
  }
}

/** Routes may attach: accepted, without conflict, with a route kind it supports. */
export const attachable = (l: Listener): boolean => l.accepted.length === 0 && l.conflicted.length === 0 && l.supportedKinds.length > 0;

/** Serves traffic: attachable, and its certificates resolved (unsupported route kinds alone do not stop it). */
export const programmed = (l: Listener): boolean => attachable(l) && l.resolvedRefs.every((p) => p.reason === "InvalidRouteKinds");

/** Whether a route in `routeNamespace` may attach to the listener by its allowedRoutes. */
export function allowsNamespace(listener: Listener, routeNamespace: string, namespaces: readonly KubeObject[]): boolean {
  const from = listener.allowedRoutes.from;
  if (from === "All") return true;
  if (from === "Same") return routeNamespace === namespaceOf(listener.gateway);
  if (from === "Selector") {
    const ns = namespaces.find((n) => n.metadata.name === routeNamespace);
    // Namespaces carry kubernetes.io/metadata.name; a snapshot without the Namespace object still knows it.
    const labels = { "kubernetes.io/metadata.name": routeNamespace, ...(ns?.metadata.labels ?? {}) };
    return selectorMatches(listener.allowedRoutes.selector, labels);
  }
  return false;
}

/** `gatewayAccepted` false: nothing of the Gateway is served, whatever its listeners say. */
export function listenerStatus(l: Listener, generation: number, gatewayAccepted: boolean): Record<string, unknown> {
  const conditions: StatusCondition[] = [
    conditionFrom("Accepted", l.accepted, "Accepted", "the listener is valid", generation),
    l.conflicted.length
      ? conditionOf("Conflicted", true, l.conflicted, generation)
      : condition("Conflicted", false, "NoConflicts", "no conflict with other listeners", generation),
    conditionFrom("ResolvedRefs", l.resolvedRefs, "ResolvedRefs", "every reference resolved", generation),
    programmed(l) && gatewayAccepted
      ? condition("Programmed", true, "Programmed", "the data plane serves this listener", generation)
      : condition("Programmed", false, "Invalid", gatewayAccepted ? "the listener is not valid: see its other conditions" : "the Gateway is not accepted", generation),
  ];
  return {
    name: l.name,
    supportedKinds: l.accepted.some((p) => p.reason === "UnsupportedProtocol") ? [] : l.supportedKinds,
    attachedRoutes: l.attachedRoutes.size,
    conditions,
  };
}
