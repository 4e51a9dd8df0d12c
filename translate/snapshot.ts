// A snapshot from a list of objects (a YAML file, a kubectl list): each object to its kind's list.
import { BUNDLE_VERSION_ANNOTATION } from "../model/kinds";
import { KubeObject, Snapshot, emptySnapshot } from "./types";

/** Not a Kubernetes kind: a document carrying the addresses assigned to frontend Services, for offline runs. */
export const ASSIGNED_ADDRESSES_KIND = "AssignedAddresses";

const LISTS: Record<string, keyof Omit<Snapshot, "addresses">> = {
  GatewayClass: "gatewayClasses",
  Gateway: "gateways",
  HTTPRoute: "httpRoutes",
  ReferenceGrant: "referenceGrants",
  Ingress: "ingresses",
  IngressClass: "ingressClasses",
  Service: "services",
  EndpointSlice: "endpointSlices",
  Secret: "secrets",
  Namespace: "namespaces",
  TrafficController: "trafficControllers",
  Frontend: "frontends",
  HealthCheckPolicy: "healthCheckPolicies",
  RoutePolicy: "routePolicies",
  Pod: "pods",
  Association: "associations",
  SubnetDelegation: "subnetDelegations",
};

export interface SnapshotLoad {
  snapshot: Snapshot;
  /** Objects not used by translation, e.g. "Deployment default/web". */
  ignored: string[];
}

export function snapshotFromObjects(objects: readonly unknown[]): SnapshotLoad {
  const snapshot = emptySnapshot();
  const ignored: string[] = [];
  const add = (o: any) => {
    if (!o || typeof o !== "object") return;
    if (Array.isArray(o.items) && String(o.kind ?? "").endsWith("List")) return o.items.forEach(add);
    if (o.kind === ASSIGNED_ADDRESSES_KIND) {
      Object.assign(snapshot.addresses, o.addresses ?? {});
      return;
    }
    if (o.kind === "CustomResourceDefinition" && o.metadata?.name === "gatewayclasses.gateway.networking.k8s.io") {
      snapshot.gatewayApiBundleVersion = o.metadata.annotations?.[BUNDLE_VERSION_ANNOTATION] ?? null;
      return;
    }
    const list = LISTS[o.kind];
    if (!list || !o.metadata?.name) {
      ignored.push(`${o.kind ?? "(no kind)"} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name ?? "(no name)"}`);
      return;
    }
    (snapshot[list] as KubeObject[]).push(o);
  };
  objects.forEach(add);
  return { snapshot, ignored };
}
