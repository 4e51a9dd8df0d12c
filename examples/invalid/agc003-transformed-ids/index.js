const pulumi = require("@pulumi/pulumi");
const agc = require("pulumi-agc");
const gw = new agc.TrafficController("gw", { location: "westeurope" });
const subnet = new agc.SubnetDelegation("subnet", {
  location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24",
});
// The id passed on through apply, and picked out of pulumi.all: still gateway 'gw'.
for (let i = 1; i <= 3; i++) new agc.Frontend(`fe-${i}`, { trafficControllerId: gw.id.apply((x) => x) });
const ids = pulumi.all([gw.id, subnet.id]);
for (let i = 4; i <= 6; i++) new agc.Frontend(`fe-${i}`, { trafficControllerId: ids.apply(([gatewayId]) => gatewayId) });
