// pulumi-agc: what a Pulumi program imports.
export { TrafficController, Frontend, Association, SubnetDelegation } from "./sdk/resources";
export type { TrafficControllerArgs, FrontendArgs, AssociationArgs, SubnetDelegationArgs, CommonArgs } from "./sdk/resources";
export { AlbController } from "./sdk/alb-controller";
export type { AlbControllerArgs } from "./sdk/alb-controller";
export type { InstallOptions, Toleration, ResourceRequirements, ImagePullPolicy } from "./controller/install";
