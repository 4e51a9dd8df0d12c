const agc = require("pulumi-agc");
new agc.SubnetDelegation("subnet-a", { location: "westeurope", virtualNetworkName: "hub", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" });
new agc.SubnetDelegation("subnet-b", { location: "westeurope", virtualNetworkName: "hub", virtualNetworkAddressSpace: ["10.2.0.0/16"], addressPrefix: "10.2.0.0/24" });
