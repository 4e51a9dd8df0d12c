require("pulumi-agc");
const k8s = require("@pulumi/kubernetes");
const gateway = new k8s.apiextensions.CustomResource("web", {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "web", namespace: "default" },
  spec: { gatewayClassName: "agc", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
});
// 129 characters: a valid Kubernetes name, one character over what the gateway accepts.
const routeName = "orders-".padEnd(129, "x");
new k8s.apiextensions.CustomResource("orders", {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: routeName, namespace: "default" },
  spec: { parentRefs: [{ name: "web" }], rules: [{ backendRefs: [{ name: "orders", port: 80 }] }] },
}, { dependsOn: gateway });
