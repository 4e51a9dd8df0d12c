// Kubernetes objects (Gateway API, Ingress, Services, EndpointSlices, our CRs) to IR documents and statuses.
export * from "./types";
export { translate } from "./translate";
