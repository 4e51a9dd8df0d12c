// Two gateways on one delegated subnet, two frontends each, and a WebSocket service behind each
// frontend (layout.ts says which goes with which). A gateway's association needs a /24 of its
// own in the subnet, so two gateways need a /23 (on a /24, preview refuses the second with
// AGC005); a frontend serves one Gateway, so each service has its own frontend. After
// `pulumi up`, each frontend's address answers its service's host name, and only that one.
import * as pulumi from "@pulumi/pulumi";
import * as agc from "pulumi-agc";
import { SUBNET_PREFIX, VIRTUAL_NETWORK_ADDRESS_SPACE, multiFrontendLayout } from "./layout";

const config = new pulumi.Config();
const location = config.get("location") ?? "westeurope";
// The cluster: the `kubeconfig` secret when set, else KUBECONFIG.
const kubeconfig = config.getSecret("kubeconfig");
const domain = config.get("domain") ?? "contoso.com";

// The controller and its CRDs first: every resource below is one of its kinds.
const alb = new agc.AlbController("alb", { kubeconfig, replicas: config.getNumber("controllerReplicas") ?? 2 });
const after = { dependsOn: [alb] };

const subnet = new agc.SubnetDelegation("alb-subnet", {
  kubeconfig,
  location,
  virtualNetworkAddressSpace: VIRTUAL_NETWORK_ADDRESS_SPACE,
  addressPrefix: SUBNET_PREFIX,
}, after);

const gateways = multiFrontendLayout(domain).map((layout) => {
  const gw = new agc.TrafficController(layout.gateway, { kubeconfig, location, tags: { app: "multi-frontend" } }, after);
  const association = new agc.Association(layout.association, { kubeconfig, trafficControllerId: gw.id, subnetId: subnet.id }, after);
  const services = layout.services.map(({ frontend, service, hostname }) => {
    const fe = new agc.Frontend(frontend, { kubeconfig, trafficControllerId: gw.id }, after);
    // Our echo server (agc.local/ws-echo:dev), one pod, probed on /health.
    const echo = new agc.WebSocketService(service, {
      kubeconfig,
      hostname,
      frontend: fe,
      replicas: 1,
      healthCheck: { path: "/health", intervalSeconds: 2 },
    }, { dependsOn: [alb, association] });
    return { gateway: layout.gateway, frontend, fqdn: fe.fqdn, service, hostname, url: echo.url, namespace: echo.namespace, gatewayName: echo.gatewayName };
  });
  return { allocatedPrefix: association.allocatedPrefix, services };
});

/** Each gateway's block of the subnet: 10.1.0.0/24 and 10.1.1.0/24. */
export const allocatedPrefixes = gateways.map((g) => g.allocatedPrefix);
/** Per frontend: its gateway, fqdn, the service behind it, its host name and the Gateway bound to it. */
export const routes = gateways.flatMap((g) => g.services);
