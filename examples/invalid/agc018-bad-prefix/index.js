const agc = require("pulumi-agc");
new agc.SubnetDelegation("subnet", { location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/33" });
