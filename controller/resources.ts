// Every resource type the controller watches: what translate's snapshot reads, our CRs, and
// the objects it manages for data planes (found again by label).
import { X509Certificate, createPrivateKey } from "crypto";
import { API_VERSION, BUNDLE_VERSION_ANNOTATION, KINDS, KindName, MANAGED_BY_LABEL } from "../model/kinds";
import { POLICY_KINDS } from "../model/crds";
import { Snapshot } from "../translate";
import { ResourceType } from "./informer";

type Obj = Record<string, any>;

const GATEWAY_API = "gateway.networking.k8s.io/v1";

/** Stands for the value of a tls.crt or tls.key that does not parse: translation refuses it (InvalidCertificateRef). */
export const UNPARSABLE_VALUE = Buffer.from("unparsable").toString("base64");

/** Whether a kubernetes.io/tls Secret's values are a PEM certificate and private key. */
function tlsPairParses(data: Obj): boolean {
  try {
    new X509Certificate(Buffer.from(String(data["tls.crt"]), "base64"));
    createPrivateKey(Buffer.from(String(data["tls.key"]), "base64"));
    return true;
  } catch {
    return false;
  }
}

/**
 * A Secret as the snapshot keeps it: identity, labels, type and key names; no value. A TLS pair
 * is checked here, where the values pass by, and only the verdict stays: values are null, or
 * both a marker that does not parse.
 */
export function secretMetadataOnly(secret: Obj): Obj {
  const { name, namespace, uid, resourceVersion, creationTimestamp, deletionTimestamp, labels } = secret.metadata ?? {};
  const data: Obj = secret.data ?? {};
  const unparsable = secret.type === "kubernetes.io/tls" && "tls.crt" in data && "tls.key" in data && !tlsPairParses(data);
  const valueOf = (key: string) => (unparsable && (key === "tls.crt" || key === "tls.key") ? UNPARSABLE_VALUE : null);
  return {
    apiVersion: secret.apiVersion,
    kind: secret.kind,
    // No annotations: kubectl's last-applied-configuration would carry the values.
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp, deletionTimestamp, labels },
    type: secret.type,
    data: Object.fromEntries(Object.keys(data).map((k) => [k, valueOf(k)])),
  };
}

const ours = (kind: { kind: string; plural: string }): ResourceType => ({ apiVersion: API_VERSION, kind: kind.kind, plural: kind.plural });

/** The snapshot's lists the informers fill; pods and the Gateway API release are read apart. */
export type SnapshotList = Exclude<keyof Snapshot, "addresses" | "pods" | "gatewayApiBundleVersion">;

/** The snapshot's lists; our four control-plane kinds are also what reconcile() reads. */
export const SNAPSHOT_RESOURCES: Record<SnapshotList, ResourceType> = {
  gatewayClasses: { apiVersion: GATEWAY_API, kind: "GatewayClass", plural: "gatewayclasses" },
  gateways: { apiVersion: GATEWAY_API, kind: "Gateway", plural: "gateways" },
  httpRoutes: { apiVersion: GATEWAY_API, kind: "HTTPRoute", plural: "httproutes" },
  referenceGrants: { apiVersion: "gateway.networking.k8s.io/v1beta1", kind: "ReferenceGrant", plural: "referencegrants" },
  ingresses: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", plural: "ingresses" },
  ingressClasses: { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", plural: "ingressclasses" },
  services: { apiVersion: "v1", kind: "Service", plural: "services" },
  endpointSlices: { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", plural: "endpointslices" },
  secrets: { apiVersion: "v1", kind: "Secret", plural: "secrets", transform: secretMetadataOnly },
  namespaces: { apiVersion: "v1", kind: "Namespace", plural: "namespaces" },
  trafficControllers: ours(KINDS.TrafficController),
  frontends: ours(KINDS.Frontend),
  associations: ours(KINDS.Association),
  subnetDelegations: ours(KINDS.SubnetDelegation),
  healthCheckPolicies: ours(POLICY_KINDS.HealthCheckPolicy),
  routePolicies: ours(POLICY_KINDS.RoutePolicy),
};

/** The snapshot list holding each of our control-plane kinds. */
export const CONTROL_PLANE_LISTS: Record<KindName, SnapshotList> = {
  TrafficController: "trafficControllers",
  Frontend: "frontends",
  Association: "associations",
  SubnetDelegation: "subnetDelegations",
};

/** Objects the controller creates for data planes, by their managed-by value (their Services are among `services`). */
export function managedResources(managedBy: string): ResourceType[] {
  const labelSelector = `${MANAGED_BY_LABEL}=${managedBy}`;
  return [
    { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", labelSelector },
    { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts", labelSelector },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", plural: "roles", labelSelector },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", plural: "rolebindings", labelSelector },
    { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", labelSelector },
  ];
}

/** The data planes' pods: readiness and the revision each serves, nothing more. */
export const dataplanePods = (managedBy: string): ResourceType => ({
  apiVersion: "v1",
  kind: "Pod",
  plural: "pods",
  labelSelector: `${MANAGED_BY_LABEL}=${managedBy}`,
  transform: (pod) => ({
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, resourceVersion: pod.metadata.resourceVersion, labels: pod.metadata.labels, annotations: pod.metadata.annotations, deletionTimestamp: pod.metadata.deletionTimestamp },
    status: { conditions: (pod.status?.conditions ?? []).filter((c: Obj) => c.type === "Ready") },
  }),
});

export const EVENTS: ResourceType = { apiVersion: "v1", kind: "Event", plural: "events" };

export const GATEWAY_CLASS_CRD_NAME = "gatewayclasses.gateway.networking.k8s.io";

/** The GatewayClass CRD: its bundle-version annotation says which Gateway API release is installed. */
export const GATEWAY_CLASS_CRD: ResourceType = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  plural: "customresourcedefinitions",
  fieldSelector: `metadata.name=${GATEWAY_CLASS_CRD_NAME}`,
  transform: (crd) => ({ apiVersion: crd.apiVersion, kind: crd.kind, metadata: { name: crd.metadata.name, resourceVersion: crd.metadata.resourceVersion, annotations: crd.metadata.annotations } }),
};

/** The installed Gateway API release: the annotation's value, null without one, undefined without the CRD. */
export function gatewayApiBundleVersion(crds: readonly Obj[]): string | null | undefined {
  if (!crds.length) return undefined;
  return crds[0].metadata?.annotations?.[BUNDLE_VERSION_ANNOTATION] ?? null;
}

/**
 * Every pod, as translation reads them to take a backend's readiness probe as its health check
 * (when no HealthCheckPolicy gives one): identity, labels and the containers' ports and probes.
 */
export const PODS_FOR_PROBES: ResourceType = {
  apiVersion: "v1",
  kind: "Pod",
  plural: "pods",
  transform: (pod) => ({
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, resourceVersion: pod.metadata.resourceVersion, labels: pod.metadata.labels, deletionTimestamp: pod.metadata.deletionTimestamp },
    spec: { containers: (pod.spec?.containers ?? []).map((c: Obj) => ({ name: c.name, ports: c.ports, readinessProbe: c.readinessProbe })) },
  }),
};
