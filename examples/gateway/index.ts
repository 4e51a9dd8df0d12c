// A gateway attached to a delegated subnet, with one frontend: the control plane of the
// seed scenario. `pulumi preview` checks every documented constraint before anything exists.
import * as pulumi from "@pulumi/pulumi";
import * as agc from "pulumi-agc";

const config = new pulumi.Config();
const location = config.get("location") ?? "westeurope";
// The cluster: the `kubeconfig` secret when set (`pulumi config set --secret kubeconfig "$(cat FILE)"`),
// else KUBECONFIG. It is kept encrypted in the state.
const cluster = { kubeconfig: config.getSecret("kubeconfig") };

const subnet = new agc.SubnetDelegation("alb-subnet", {
  ...cluster,
  location,
  virtualNetworkAddressSpace: ["10.1.0.0/16"],
  addressPrefix: "10.1.0.0/24",
});
const gw = new agc.TrafficController("gw", { ...cluster, location, tags: { app: "websocket-demo" } });
const association = new agc.Association("gw-assoc", { ...cluster, trafficControllerId: gw.id, subnetId: subnet.id });
const fe = new agc.Frontend("fe", { ...cluster, trafficControllerId: gw.id });

export const gatewayId = gw.id;
export const configurationEndpoints = gw.configurationEndpoints;
export const allocatedPrefix = association.allocatedPrefix;
export const fqdn = fe.fqdn;
export const url = pulumi.interpolate`ws://${fe.fqdn}/ws`;
