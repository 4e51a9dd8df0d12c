// Server-sent events through the gateway: install the ALB controller, declare a gateway on a
// delegated subnet with one frontend, and run a service that streams events behind it, on a
// route with no request timeout. After `pulumi up`, `GET /events?every=SECONDS` with the Host
// header `sse.contoso.com` on the frontend's address streams one event every SECONDS, for as
// long as the client stays, however quiet the stream.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as agc from "pulumi-agc";
import { eventsServiceObjects } from "./objects";

const config = new pulumi.Config();
const location = config.get("location") ?? "westeurope";
// The cluster: the `kubeconfig` secret when set, else KUBECONFIG.
const kubeconfig = config.getSecret("kubeconfig");
const hostname = config.get("hostname") ?? "sse.contoso.com";

// The controller and its CRDs first: every resource below is one of its kinds.
const alb = new agc.AlbController("alb", { kubeconfig, replicas: config.getNumber("controllerReplicas") ?? 2 });
const after = { dependsOn: [alb] };

const subnet = new agc.SubnetDelegation("alb-subnet", {
  kubeconfig,
  location,
  virtualNetworkAddressSpace: ["10.1.0.0/16"],
  addressPrefix: "10.1.0.0/24",
}, after);
const gw = new agc.TrafficController("gw", { kubeconfig, location, tags: { app: "sse" } }, after);
const association = new agc.Association("gw-assoc", { kubeconfig, trafficControllerId: gw.id, subnetId: subnet.id }, after);
const fe = new agc.Frontend("fe", { kubeconfig, trafficControllerId: gw.id }, after);

// The Deployment, Service, HealthCheckPolicy, Gateway (bound to the frontend by its id) and
// HTTPRoute (timeouts.request 0s) of objects.ts, each created as it is written there.
const events = eventsServiceObjects({ name: "events", namespace: "default", hostname, frontend: fe.id });
const provider = kubeconfig === undefined ? undefined : new k8s.Provider("events", { kubeconfig });
const opts = { provider, dependsOn: [alb, association] };
const deployment = new k8s.apps.v1.Deployment("events", {
  metadata: events.deployment.metadata,
  spec: events.deployment.spec as k8s.types.input.apps.v1.DeploymentSpec,
}, opts);
const service = new k8s.core.v1.Service("events", { metadata: events.service.metadata, spec: events.service.spec }, opts);
const healthCheckPolicy = new k8s.apiextensions.CustomResource("events", events.healthCheckPolicy, opts);
const gateway = new k8s.apiextensions.CustomResource("events", events.gateway, opts);
// The route last: its first request finds ready pods, probed on the right path.
const route = new k8s.apiextensions.CustomResource("events", events.httpRoute, {
  ...opts,
  dependsOn: [...opts.dependsOn, deployment, service, healthCheckPolicy, gateway],
});

export const fqdn = fe.fqdn;
export const url = `http://${hostname}/events`;
export const namespace = gateway.metadata.namespace;
export const gatewayName = gateway.metadata.name;
export const routeName = route.metadata.name;
export const allocatedPrefix = association.allocatedPrefix;
