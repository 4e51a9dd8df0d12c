// The smoke program: proves the toolchain end to end. @pulumi/kubernetes creates a Namespace,
// a ConfigMap and a Deployment on the local cluster (kwok plays the kubelet, so the Deployment
// becomes Available without containers), and one dynamic resource runs through our own
// provider path (check, create, diff, delete in the dynamic provider host).
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
        // kwok schedules pods only to nodes it fakes, and they tolerate nothing else.
        nodeSelector: { type: "kwok" },
        tolerations: [{ key: "kwok.x-k8s.io/node", operator: "Exists", effect: "NoSchedule" }],
        containers: [{ name: "web", image: "echo.local/web:1", ports: [{ containerPort: 8080 }] }],
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
