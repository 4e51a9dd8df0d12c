// Backend references to Services: checks (kind, ReferenceGrant, existence, port, protocol)
// and the IR cluster each valid one becomes.
import { Cluster, HealthCheck, SessionAffinity, WeightedBackend } from "../model/ir";
import { KubeObject } from "./types";
import { findNamed, irName, keyOf, namespaceOf } from "./objects";
import { endpointsOf } from "./endpoints";
import { probeHealthCheck } from "./probes";
import { ReferenceFrom, referencePermitted } from "./referencegrants";
import { Problem } from "./conditions";
import type { DataplaneBuilder } from "./dataplane";

export interface BackendContext {
  services: readonly KubeObject[];
  endpointSlices: readonly KubeObject[];
  referenceGrants: readonly KubeObject[];
  /** Health checks by Service, "ns/name" (from HealthCheckPolicies). */
  healthChecks: ReadonlyMap<string, HealthCheck>;
  /** For readiness probes, when no policy gives a health check. */
  pods: readonly KubeObject[];
}

/** A reference to a Service port: by number (HTTPRoute) or by number or name (Ingress). */
export interface ServiceRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  port?: number;
  portName?: string;
}

/** A valid reference gives a cluster and the Service it stands for ("ns/name"). */
export type Resolved = { ok: true; cluster: Cluster; service: string } | ({ ok: false } & Problem);

const PROTOCOLS: Record<string, Cluster["protocol"]> = {
  http: undefined,
  "kubernetes.io/http": undefined,
  "kubernetes.io/h2c": "h2c",
  "kubernetes.io/ws": "websocket",
};

export function resolveServiceRef(context: BackendContext, from: ReferenceFrom, ref: ServiceRef, affinity?: SessionAffinity): Resolved {
  const group = ref.group ?? "";
  const kind = ref.kind ?? "Service";
  if (group !== "" || kind !== "Service") {
    return { ok: false, reason: "InvalidKind", message: `backend ${group ? `${group}/` : ""}${kind} ${ref.name} is not supported; reference a Service` };
  }
  const namespace = ref.namespace ?? from.namespace;
  if (!referencePermitted(context.referenceGrants, from, { group: "", kind: "Service", namespace, name: ref.name })) {
    return { ok: false, reason: "RefNotPermitted", message: `Service ${namespace}/${ref.name} is in another namespace and no ReferenceGrant there allows it` };
  }
  const service = findNamed(context.services, namespace, ref.name);
  if (!service) return { ok: false, reason: "BackendNotFound", message: `Service ${namespace}/${ref.name} not found` };
  if (service.spec?.type === "ExternalName") {
    return { ok: false, reason: "UnsupportedProtocol", message: `Service ${namespace}/${ref.name} is of type ExternalName, which is not supported` };
  }
  const servicePort = ((service.spec?.ports as any[]) ?? []).find((p) => (ref.portName !== undefined ? p.name === ref.portName : p.port === ref.port));
  if (!servicePort) {
    const message =
      ref.portName !== undefined
        ? `Service ${namespace}/${ref.name} has no port named '${ref.portName}'`
        : ref.port === undefined
          ? `the reference to Service ${namespace}/${ref.name} gives no port; a Service backend needs one`
          : `Service ${namespace}/${ref.name} has no port ${ref.port}`;
    return { ok: false, reason: "BackendNotFound", message };
  }
  const appProtocol = servicePort.appProtocol ?? "http";
  if (!(appProtocol in PROTOCOLS)) {
    return { ok: false, reason: "UnsupportedProtocol", message: `Service ${namespace}/${ref.name} port ${servicePort.port} has appProtocol '${appProtocol}'; supported: kubernetes.io/h2c, kubernetes.io/ws, http` };
  }
  return { ok: true, cluster: clusterOf(context, service, servicePort, PROTOCOLS[appProtocol], affinity), service: keyOf(service) };
}

function clusterOf(context: BackendContext, service: KubeObject, servicePort: any, protocol: Cluster["protocol"], affinity?: SessionAffinity): Cluster {
  const healthCheck = context.healthChecks.get(keyOf(service)) ?? probeHealthCheck(context.pods, service, servicePort);
  // Affinity is a property of the cluster: routes with and without it get separate clusters.
  const variant = affinity ? [`affinity-${affinity.cookieName ?? "default"}`] : [];
  return {
    name: irName(namespaceOf(service), service.metadata.name, servicePort.port, ...variant),
    endpoints: endpointsOf(context.endpointSlices, service, servicePort),
    ...(healthCheck ? { healthCheck } : {}),
    ...(affinity ? { sessionAffinity: affinity } : {}),
    ...(protocol ? { protocol } : {}),
  };
}

/** A backend as a rule holds it before it is placed in a data plane: a cluster and its Service ("ns/name"), or why it cannot be used. */
export type RuleBackend = ({ cluster: Cluster; service: string } | { invalid: string }) & { weight: number };

/** The IR backends of a rule, adding their clusters to the data plane. Weight 1 is the default and left out. */
export function placeBackends(backends: readonly RuleBackend[], builder: Pick<DataplaneBuilder, "addCluster">): WeightedBackend[] {
  return backends.map((b) => {
    if ("cluster" in b) builder.addCluster(b.cluster, b.service);
    const target = "cluster" in b ? { cluster: b.cluster.name } : { invalid: b.invalid };
    return b.weight === 1 ? target : { ...target, weight: b.weight };
  });
}
