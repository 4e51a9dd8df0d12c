// The smoke program: proves the toolchain end to end. @pulumi/kubernetes creates a Namespace,
// a ConfigMap and a Deployment on the local cluster (real pods of the conformance echo image,
// imported by `agc images`, Ready once they answer their probes), and one dynamic resource
// runs through our own provider path (check, create, diff, delete in the dynamic provider host).
"use strict";
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");

const config = new pulumi.Config();
const replicas = config.getNumber("replicas") ?? 2;

const ns = new k8s.core.v1.Namespace("smoke", { metadata: { name: `smoke-${pulumi.getStack()}` } });
const namespace = ns.metadata.name;

const settings = new k8s.core.v1.ConfigMap("settings", {
  metadata: { namespace, name: "settings" },
  data: { greeting: "hello from pulumi-agc" },
});

const labels = { app: "smoke" };
const deployment = new k8s.apps.v1.Deployment("web", {
  metadata: { namespace, name: "web" },
  spec: {
    replicas,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        containers: [{
          name: "web",
          // Imported into the node's containerd by `agc images`; never pulled.
          image: "registry.k8s.io/gateway-api/echo-basic:v1.5.1",
          imagePullPolicy: "Never",
          ports: [{ containerPort: 3000 }],
          env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
          readinessProbe: { httpGet: { path: "/health", port: 3000 }, periodSeconds: 1 },
        }],
      },
    },
  },
});

// A trivial dynamic resource: its provider runs in Pulumi's Node.js dynamic provider host.
const stampProvider = {
  async create(inputs) {
    return { id: `stamp-${inputs.label}`, outs: { ...inputs, length: inputs.label.length } };
  },
  async diff(_id, olds, news) {
    const changed = olds.label !== news.label;
    return { changes: changed, replaces: changed ? ["label"] : [] };
  },
};
const stamp = new pulumi.dynamic.Resource(stampProvider, "stamp", { label: pulumi.interpolate`${namespace}/web`, length: undefined });

exports.namespace = namespace;
exports.configMap = settings.metadata.name;
exports.deployment = deployment.metadata.name;
exports.readyReplicas = deployment.status.readyReplicas;
exports.stampId = stamp.id;
exports.stampLength = stamp.length;
