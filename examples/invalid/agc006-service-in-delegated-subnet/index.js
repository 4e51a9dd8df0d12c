const agc = require("pulumi-agc");
const k8s = require("@pulumi/kubernetes");
const subnet = new agc.SubnetDelegation("alb-subnet", {
  location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24",
});
const gw = new agc.TrafficController("gw", { location: "westeurope" });
new agc.Association("gw-assoc", { trafficControllerId: gw.id, subnetId: subnet.id });
// A database exposed on an address of the gateway's subnet: a delegated subnet holds nothing else.
new k8s.core.v1.Service("db", {
  metadata: { name: "db", namespace: "default" },
  spec: { type: "LoadBalancer", externalIPs: ["10.1.0.50"], selector: { app: "db" }, ports: [{ port: 5432 }] },
});
