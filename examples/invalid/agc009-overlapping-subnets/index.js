const agc = require("pulumi-agc");
const space = ["10.1.0.0/16"];
new agc.SubnetDelegation("subnet-a", { location: "westeurope", virtualNetworkAddressSpace: space, addressPrefix: "10.1.0.0/23" });
new agc.SubnetDelegation("subnet-b", { location: "westeurope", virtualNetworkAddressSpace: space, addressPrefix: "10.1.1.0/24" });
