const agc = require("pulumi-agc");
new agc.Frontend("fe", { trafficControllerId: "agc-system/trafficcontrollers/no-such-gateway" });
