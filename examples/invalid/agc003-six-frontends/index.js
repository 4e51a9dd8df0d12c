const agc = require("pulumi-agc");
const gw = new agc.TrafficController("gw", { location: "westeurope" });
for (let i = 1; i <= 6; i++) new agc.Frontend(`fe-${i}`, { trafficControllerId: gw.id });
