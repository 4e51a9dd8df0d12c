// Loading pulumi-agc is enough for preview to check the Gateways the program declares.
require("pulumi-agc");
const k8s = require("@pulumi/kubernetes");
new k8s.apiextensions.CustomResource("web", {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "web", namespace: "default" },
  spec: { gatewayClassName: "agc", listeners: [{ name: "http-alt", port: 8080, protocol: "HTTP" }] },
});
