require("pulumi-agc");
const k8s = require("@pulumi/kubernetes");
// A shop's catalogue routed path by path: two HTTPRoutes of 102 path matches each, every one
// valid for the API server, together 204 routing rules on one gateway, where AGC allows 200.
const labels = { app: "shop" };
new k8s.core.v1.Service("shop", { metadata: { name: "shop", namespace: "default" }, spec: { selector: labels, ports: [{ port: 80 }] } });
new k8s.apiextensions.CustomResource("shop-gateway", {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "shop", namespace: "default" },
  spec: { gatewayClassName: "agc", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
});
for (const part of ["a", "b"]) {
  const rule = (half) => ({
    matches: Array.from({ length: 51 }, (_, i) => ({ path: { type: "PathPrefix", value: `/${part}/${half}/item-${i}` } })),
    backendRefs: [{ name: "shop", port: 80 }],
  });
  new k8s.apiextensions.CustomResource(`catalogue-${part}`, {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: `catalogue-${part}`, namespace: "default" },
    spec: { parentRefs: [{ name: "shop" }], rules: [rule("x"), rule("y")] },
  });
}
