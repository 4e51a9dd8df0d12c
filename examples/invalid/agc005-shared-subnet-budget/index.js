const agc = require("pulumi-agc");
const subnet = new agc.SubnetDelegation("subnet", { location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" });
for (const name of ["gw-a", "gw-b"]) {
  const gw = new agc.TrafficController(name, { location: "westeurope" });
  new agc.Association(`${name}-assoc`, { trafficControllerId: gw.id, subnetId: subnet.id });
}
