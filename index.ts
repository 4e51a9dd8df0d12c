// pulumi-agc: what a Pulumi program imports.
export { TrafficController, Frontend, Association, SubnetDelegation } from "./sdk/resources";
export type { TrafficControllerArgs, FrontendArgs, AssociationArgs, SubnetDelegationArgs, CommonArgs } from "./sdk/resources";
export { WebSocketService } from "./sdk/websocketService";
export type { WebSocketServiceArgs, HealthCheck, RouteKind } from "./sdk/websocketService";
export { webSocketServiceObjects, webSocketServiceSpec, manifestsOf } from "./sdk/websocketObjects";
export type { WebSocketServiceInput, WebSocketServiceSpec, WebSocketServiceObjects, Manifest } from "./sdk/websocketObjects";
export { AlbController } from "./sdk/alb-controller";
export type { AlbControllerArgs } from "./sdk/alb-controller";
export type { InstallOptions, Toleration, ResourceRequirements, ImagePullPolicy } from "./controller/install";
