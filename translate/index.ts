// Kubernetes objects (Gateway API, Ingress, Services, EndpointSlices, our CRs) to IR documents and statuses.
export * from "./types";
export { translate } from "./translate";
export { snapshotFromObjects, ASSIGNED_ADDRESSES_KIND } from "./snapshot";
export { SUPPORTED_FEATURES, SUPPORTED_GATEWAY_API_MINORS } from "./gatewayclass";
export { migrateObject } from "./migrate";
