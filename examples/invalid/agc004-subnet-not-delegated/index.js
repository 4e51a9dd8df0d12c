const agc = require("pulumi-agc");
const gw = new agc.TrafficController("gw", { location: "westeurope" });
const subnet = new agc.SubnetDelegation("subnet", {
  location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24",
  delegation: "Microsoft.Web/serverFarms",
});
new agc.Association("assoc", { trafficControllerId: gw.id, subnetId: subnet.id });
