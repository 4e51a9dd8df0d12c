const agc = require("pulumi-agc");
const gw = new agc.TrafficController("gw", { location: "westeurope" });
const a = new agc.SubnetDelegation("subnet-a", { location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" });
const b = new agc.SubnetDelegation("subnet-b", { location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.1.0/24" });
new agc.Association("assoc-a", { trafficControllerId: gw.id, subnetId: a.id });
new agc.Association("assoc-b", { trafficControllerId: gw.id, subnetId: b.id });
