// pulumi-agc/cdktf: the same resources and rules for CDK for Terraform (cdktf 0.21, the
// Kubernetes provider's kubernetes_manifest). Needs the optional peer dependencies `cdktf`,
// `constructs` and `@cdktf/provider-kubernetes`.
export { TrafficController, Frontend, Association, SubnetDelegation, AgcResource } from "./resources";
export type { CommonProps, TrafficControllerProps, FrontendProps, AssociationProps, SubnetDelegationProps } from "./resources";
export { WebSocketService } from "./websocket-service";
export type { WebSocketServiceProps } from "./websocket-service";
export { AlbController, AlbGatewayClass } from "./alb-controller";
export type { AlbControllerProps, AlbGatewayClassProps } from "./alb-controller";
export { enableChecks, READ_CLUSTER_CONTEXT } from "./checks";
export type { HealthCheck, RouteKind } from "../sdk/websocketObjects";
export type { InstallOptions } from "../controller/install";
