// examples/websocket for CDK for Terraform: the controller in stack `alb`, the gateway and a
// WebSocket service in stack `gateway`, applied after it. Terraform plans a kubernetes_manifest
// against the cluster's API, so the kinds of the second stack (ours, the Gateway API's) must
// exist before its plan: the first stack's bootstrap pod installs their CRDs.
"use strict";
const os = require("os");
const path = require("path");
const { App, TerraformOutput, TerraformStack } = require("cdktf");
const { KubernetesProvider } = require("@cdktf/provider-kubernetes/lib/provider");
const agc = require("pulumi-agc/cdktf");

// The cluster: KUBECONFIG (its first file), else ~/.kube/config. `cdktf synth` reads it too, to
// count the gateways and subnets other stacks created (context agc:readCluster false: it does not).
const configPath = (process.env.KUBECONFIG || path.join(os.homedir(), ".kube", "config")).split(path.delimiter)[0];

const app = new App();

const alb = new TerraformStack(app, "alb");
new KubernetesProvider(alb, "kubernetes", { configPath });
new agc.AlbController(alb, "alb", { replicas: 2 });

const gateway = new TerraformStack(app, "gateway");
gateway.addDependency(alb);
new KubernetesProvider(gateway, "kubernetes", { configPath });
new agc.AlbGatewayClass(gateway, "gateway-class");
const subnet = new agc.SubnetDelegation(gateway, "alb-subnet", {
  location: "westeurope",
  virtualNetworkAddressSpace: ["10.1.0.0/16"],
  addressPrefix: "10.1.0.0/24",
});
const gw = new agc.TrafficController(gateway, "gw", { location: "westeurope", tags: { app: "websocket" } });
const association = new agc.Association(gateway, "gw-assoc", { trafficControllerId: gw.id, subnetId: subnet.id });
const fe = new agc.Frontend(gateway, "fe", { trafficControllerId: gw.id });

// Our echo server (agc.local/ws-echo:dev): echoes every message, GET /health 200, GET /headers.
// Its Gateway is created after the Frontend it is bound to; everything after the association.
const echo = new agc.WebSocketService(gateway, "echo", {
  hostname: "ws.contoso.com",
  frontend: fe,
  replicas: 2,
  healthCheck: { path: "/health", intervalSeconds: 2 },
  dependsOn: [association],
});

new TerraformOutput(gateway, "fqdn", { value: fe.fqdn });
new TerraformOutput(gateway, "url", { value: echo.url });

app.synth();
