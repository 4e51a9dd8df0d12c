const agc = require("pulumi-agc");
for (let i = 1; i <= 1001; i++) new agc.TrafficController(`gw-${i}`, { location: "westeurope" });
