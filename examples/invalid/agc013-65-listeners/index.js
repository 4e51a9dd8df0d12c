require("pulumi-agc");
const k8s = require("@pulumi/kubernetes");
// One listener per tenant's host name: 65 of them, one more than a Gateway may declare.
const listeners = Array.from({ length: 65 }, (_, i) => ({ name: `tenant-${i}`, port: 80, protocol: "HTTP", hostname: `tenant-${i}.contoso.com` }));
new k8s.apiextensions.CustomResource("tenants", {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "tenants", namespace: "default" },
  spec: { gatewayClassName: "agc", listeners },
});
