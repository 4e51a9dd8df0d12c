// The seed scenario as one program: install the ALB controller, declare a gateway on a
// delegated subnet with one frontend, and run a WebSocket service behind it. After
// `pulumi up`, connect to the frontend's address with the Host header `ws.contoso.com`.
import * as pulumi from "@pulumi/pulumi";
import * as agc from "pulumi-agc";

const config = new pulumi.Config();
const location = config.get("location") ?? "westeurope";
// The cluster: the `kubeconfig` secret when set (`pulumi config set --secret kubeconfig "$(cat FILE)"`),
// else KUBECONFIG.
const kubeconfig = config.getSecret("kubeconfig");
const hostname = config.get("hostname") ?? "ws.contoso.com";

// The controller and its CRDs first: every resource below is one of its kinds.
const alb = new agc.AlbController("alb", { kubeconfig, replicas: config.getNumber("controllerReplicas") ?? 2 });
const after = { dependsOn: [alb] };

const subnet = new agc.SubnetDelegation("alb-subnet", {
  kubeconfig,
  location,
  virtualNetworkAddressSpace: ["10.1.0.0/16"],
  addressPrefix: "10.1.0.0/24",
}, after);
const gw = new agc.TrafficController("gw", { kubeconfig, location, tags: { app: "websocket" } }, after);
const association = new agc.Association("gw-assoc", { kubeconfig, trafficControllerId: gw.id, subnetId: subnet.id }, after);
const fe = new agc.Frontend("fe", { kubeconfig, trafficControllerId: gw.id }, after);

// Our echo server (agc.local/ws-echo:dev): echoes every message, GET /health 200, GET /headers.
const echo = new agc.WebSocketService("echo", {
  kubeconfig,
  hostname,
  frontend: fe,
  replicas: 2,
  healthCheck: { path: "/health", intervalSeconds: 2 },
}, { dependsOn: [alb, association] });

export const fqdn = fe.fqdn;
export const url = echo.url;
export const namespace = echo.namespace;
export const gatewayName = echo.gatewayName;
export const allocatedPrefix = association.allocatedPrefix;
