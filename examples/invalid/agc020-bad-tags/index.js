const agc = require("pulumi-agc");
new agc.TrafficController("gw", { location: "westeurope", tags: { team: 42 } });
