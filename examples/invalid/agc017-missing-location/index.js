const agc = require("pulumi-agc");
new agc.TrafficController("gw", {});
