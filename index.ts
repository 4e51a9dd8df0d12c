// pulumi-agc: what a Pulumi program imports.
export { TrafficController, Frontend, Association, SubnetDelegation } from "./sdk/resources";
export type { TrafficControllerArgs, FrontendArgs, AssociationArgs, SubnetDelegationArgs, CommonArgs } from "./sdk/resources";
