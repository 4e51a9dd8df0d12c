// The translator's public interface: a snapshot of Kubernetes objects in, one IR document per
// data plane and every status to write out. Pure: no clock, no I/O, sorted output.
import { GatewayIr } from "../model/ir";
import { Violation } from "../model/rules";

/** Object metadata, as the API server returns it (only what translation reads). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Any Kubernetes object as the API returns it: spec and status are read defensively. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  [field: string]: unknown;
}

/** A Secret as translation needs it: metadata and type. Key material never enters an IR. */
export interface SecretObject {
  metadata: ObjectMeta;
  type?: string;
  /**
   * tls.crt and tls.key are parsed to check them (a malformed certificate is refused with
   * InvalidCertificateRef, as the conformance suite requires); their values never reach the
   * IR. Without `data`, a kubernetes.io/tls Secret is taken as valid.
   */
  data?: Record<string, unknown>;
}

/** Which kind of object owns a data plane. */
export type DataplaneOwnerKind = "TrafficController" | "Gateway" | "Ingress";

export interface DataplaneOwner {
  kind: DataplaneOwnerKind;
  namespace: string;
  name: string;
}

/**
 * Everything translation reads. Each list holds objects of one kind, in any order;
 * objects with a deletionTimestamp are ignored.
 */
export interface Snapshot {
  gatewayClasses: KubeObject[];
  gateways: KubeObject[];
  httpRoutes: KubeObject[];
  referenceGrants: KubeObject[];
  ingresses: KubeObject[];
  ingressClasses: KubeObject[];
  services: KubeObject[];
  endpointSlices: KubeObject[];
  secrets: SecretObject[];
  /** For allowedRoutes namespace selectors. */
  namespaces: KubeObject[];
  /** Our CRs (group alb.agc.dev). */
  trafficControllers: KubeObject[];
  frontends: KubeObject[];
  healthCheckPolicies: KubeObject[];
  routePolicies: KubeObject[];
  /** Optional: pods, for readiness probes as health checks when no HealthCheckPolicy gives one. */
  pods?: KubeObject[];
  /** Optional: associations and subnet delegations, for AGC006 (a delegated subnet holds nothing else). */
  associations?: KubeObject[];
  subnetDelegations?: KubeObject[];
  /**
   * The `gateway.networking.k8s.io/bundle-version` annotation of the installed GatewayClass CRD,
   * for the GatewayClass SupportedVersion condition: null when the CRD has none; leave it out
   * (undefined) and the condition is not reported.
   */
  gatewayApiBundleVersion?: string | null;
  /**
   * Addresses the controller assigned to each frontend Service, keyed by {@link addressKey}:
   * `Frontend/<ns>/<name>` for a Frontend CR, `Gateway/<ns>/<name>` or `Ingress/<ns>/<name>`
   * for a managed data plane's own Service. IPs or host names; missing = none assigned yet.
   */
  addresses: Record<string, string[]>;
}

/** The key of {@link Snapshot.addresses} for one frontend Service. */
export function addressKey(kind: "Frontend" | "Gateway" | "Ingress", namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** One port of a frontend Service: what clients dial, where the data plane listens. */
export interface ServicePort {
  /** The port clients connect to (the listener's port, e.g. 80). */
  port: number;
  /** The data plane container's port (the IR frontend's port). */
  targetPort: number;
  /** The IR frontend serving it. */
  irFrontend: string;
}

/** A LoadBalancer Service in front of the data plane: one per Frontend CR (or one for a managed data plane). */
export interface FrontendService {
  /** The key its address is reported under in {@link Snapshot.addresses}. */
  addressKey: string;
  /** The Frontend CR, or the managed Gateway/Ingress, it stands for. */
  kind: "Frontend" | "Gateway" | "Ingress";
  namespace: string;
  name: string;
  ports: ServicePort[];
}

export interface Dataplane {
  owner: DataplaneOwner;
  /**
   * The IR to publish. Its frontends are empty only for a TrafficController with no Frontend
   * CR (nothing to serve yet: parseIr refuses such a document, so keep the data plane idle).
   * A managed Gateway or Ingress with nothing valid to serve has no data plane at all.
   */
  ir: GatewayIr;
  /** The Services to create in front of it, sorted by kind/namespace/name. */
  services: FrontendService[];
  /** Secrets (kubernetes.io/tls) the agent must be allowed to read: "ns/name", sorted. */
  secrets: string[];
}

/**
 * A status to write (the status subresource), without condition timestamps.
 * HTTPRoute: `status.parents` holds only the parents of ours (controllerName set); the writer
 * replaces its own entries by these and keeps other controllers' entries. An HTTPRoute with
 * no StatusUpdate has no parent of ours any more: the writer removes its own entries there.
 */
export interface StatusUpdate {
  apiVersion: string;
  kind: "GatewayClass" | "Gateway" | "HTTPRoute" | "Ingress" | "HealthCheckPolicy" | "RoutePolicy";
  namespace?: string;
  name: string;
  /**
   * The whole status. Conditions carry observedGeneration and no lastTransitionTime: the
   * controller keeps the previous time when type/status are unchanged, else sets now.
   */
  status: Record<string, unknown>;
}

/** A problem with no condition to carry it (an Ingress has none): a Warning Event to record. */
export interface Warning {
  regarding: { apiVersion: string; kind: string; namespace?: string; name: string };
  reason: string;
  message: string;
}

export interface TranslateResult {
  /** One per TrafficController, per managed Gateway and per managed Ingress; sorted by owner. */
  dataplanes: Dataplane[];
  /** Sorted by kind, namespace, name. */
  statuses: StatusUpdate[];
  /** Sorted like statuses. */
  warnings: Warning[];
  /**
   * Every rule (AGCxxx) the objects break, each once, as the statuses and warnings word it;
   * sorted. `pulumi preview` reports these for the objects a program declares.
   */
  violations: Violation[];
}

/** Where the steps of a translation report a broken rule, as they find it. */
export type ReportViolation = (violation: Violation | undefined) => void;

export interface TranslateOptions {
  /** The GatewayClass controllerName we answer for. */
  controllerName: string;
  /**
   * The data plane's own check of an IR document. Default: model/ir's parseIr, the check the
   * agent applies. A route it refuses is left out of its document, with a warning on the object
   * it came from, so one bad route never stops the whole data plane from taking the document.
   */
  validateIr?: (ir: GatewayIr) => { ok: true } | { ok: false; errors: string[] };
  /** The IngressClass controller we answer for. Default: the same as controllerName. */
  ingressController?: string;
}

export const CONTROLLER_NAME = "alb.agc.dev/alb-controller";
/** Ingresses with this class annotation are ours too (the older controller's). */
export const LEGACY_INGRESS_CLASS = "azure/application-gateway";
/** A Gateway address of this type binds the Gateway to a Frontend CR (value: its name or ns/name). */
export const FRONTEND_ADDRESS_TYPE = "alb.agc.dev/alb-frontend";
/** Ingress annotations binding it to a Frontend CR (namespace defaults to the Ingress's). */
export const INGRESS_FRONTEND_ANNOTATION = "alb.agc.dev/alb-frontend";
export const INGRESS_FRONTEND_NAMESPACE_ANNOTATION = "alb.agc.dev/alb-namespace";

export function emptySnapshot(): Snapshot {
  return {
    gatewayClasses: [],
    gateways: [],
    httpRoutes: [],
    referenceGrants: [],
    ingresses: [],
    ingressClasses: [],
    services: [],
    endpointSlices: [],
    secrets: [],
    namespaces: [],
    trafficControllers: [],
    frontends: [],
    healthCheckPolicies: [],
    routePolicies: [],
    pods: [],
    associations: [],
    subnetDelegations: [],
    addresses: {},
  };
}
