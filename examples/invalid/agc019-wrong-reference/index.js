const agc = require("pulumi-agc");
const gw = new agc.TrafficController("gw", { location: "westeurope" });
const fe = new agc.Frontend("fe", { trafficControllerId: gw.id });
new agc.Frontend("fe-2", { trafficControllerId: "agc-system/frontends/fe" });
