const agc = require("pulumi-agc");
const gw = new agc.TrafficController("gw", { location: "westeurope" });
const fe = new agc.Frontend("fe", { trafficControllerId: gw.id });
// Each service makes a Gateway on the frontend it is given, and a frontend serves one Gateway.
new agc.WebSocketService("chat", { frontend: fe, path: "/chat" });
new agc.WebSocketService("news", { frontend: fe, path: "/news" });
