// Small objects shared by the translate tests: one class, one Gateway listening on port 80 for
// routes of every namespace, one Service, and an HTTPRoute to it.
import { CONTROLLER_NAME, KubeObject, Snapshot, emptySnapshot } from "../../../translate";

export const gatewayClass: KubeObject = { metadata: { name: "agc" }, spec: { controllerName: CONTROLLER_NAME } };
export const gateway: KubeObject = {
  metadata: { name: "gw", namespace: "ns", generation: 1 },
  spec: { gatewayClassName: "agc", listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }] },
};
export const service: KubeObject = { metadata: { name: "svc", namespace: "ns" }, spec: { ports: [{ port: 80 }] } };
export const route = (name: string, created: string, namespace = "ns"): KubeObject => ({
  metadata: { name, namespace, creationTimestamp: created, generation: 1 },
  spec: { parentRefs: [{ name: "gw", namespace: "ns" }], rules: [{ backendRefs: [{ name: "svc", namespace: "ns", port: 80 }] }] },
});

/** The class, the Gateway and the Service, with these routes. */
export function snapshotWith(httpRoutes: KubeObject[], more: Partial<Snapshot> = {}): Snapshot {
  return { ...emptySnapshot(), gatewayClasses: [gatewayClass], gateways: [gateway], services: [service], httpRoutes, ...more };
}
