const agc = require("pulumi-agc");
const gw = new agc.TrafficController("gw", { location: "westeurope" });
new agc.Frontend("fe", { trafficControllerId: gw.id, type: "private" });
