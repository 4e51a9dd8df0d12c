// Kubernetes objects (Gateway API, Ingress, Services, EndpointSlices, our CRs) to IR documents and statuses.
export * from "./types";
export { translate } from "./translate";
export { snapshotFromObjects, ASSIGNED_ADDRESSES_KIND } from "./snapshot";
export { migrateObject } from "./migrate";
