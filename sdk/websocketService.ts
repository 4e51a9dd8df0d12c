// WebSocketService: a WebSocket server behind the gateway, with the probe it needs. The objects
// come from webSocketServiceObjects (pure); this component checks the inputs, warns about the
// 502 trap, and hands each object to @pulumi/kubernetes.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { failProgram, programInventory } from "./programChecks";
import { Frontend } from "./resources";
import { missingHealthCheckPathWarning, objectNameProblem, webSocketServiceProblems } from "./websocketChecks";
import {
  HealthCheck,
  Manifest,
  RouteKind,
  WEBSOCKET_SERVICE_DEFAULTS,
  WebSocketServiceInput,
  WebSocketServiceObjects,
  webSocketServiceObjects,
  webSocketServiceSpec,
  webSocketUrl,
} from "./websocketObjects";

export type { HealthCheck, RouteKind } from "./websocketObjects";

/**
 * What a WebSocketService runs and how it is reached. Properties that decide which objects are
 * made, and numbers checked at preview, are plain values; image, hostname and frontend may come
 * from other resources.
 */
export interface WebSocketServiceArgs {
  /**
   * The container image: a server that accepts WebSocket upgrades on `port`. It gets `PORT` and
   * `POD_NAME` in its environment. Default: `agc.local/ws-echo:dev` (built by `agc images`),
   * which echoes every message and answers `GET /health` with 200.
   */
  image?: pulumi.Input<string>;
  /** The container's port. Default: 8888. The Service listens on 80 and forwards to it. */
  port?: number;
  /** Pods of the Deployment. Default: 2. */
  replicas?: number;
  /** The namespace of every object made. Default: `default`. */
  namespace?: string;
  /**
   * The host name clients connect with, e.g. `ws.contoso.com` (point its DNS record at the
   * Frontend's fqdn). Default: none: requests for any host the gateway receives.
   */
  hostname?: pulumi.Input<string>;
  /** The path prefix routed to the service, e.g. `/ws`. Default: `/`. */
  path?: string;
  /**
   * The Frontend clients reach the service through: the Frontend itself, its id
   * (`<namespace>/frontends/<name>`), `<namespace>/<name>` or a name (looked up in `namespace`,
   * then `agc-system`). A Frontend serves one Gateway or Ingress: give each WebSocketService its
   * own. Default: none: the controller gives the route's Gateway (or Ingress) a data plane and an
   * address of its own.
   */
  frontend?: Frontend | pulumi.Input<string>;
  /**
   * How the gateway probes the pods (a HealthCheckPolicy on the Service); the pods' readiness
   * probe is an HTTP GET of the same path. Default: `{ path: "/health" }` with the default image;
   * none with another image, and then the gateway probes `GET /`, which a WebSocket-only server
   * answers 400 (preview warns).
   */
  healthCheck?: HealthCheck;
  /** `HTTPRoute` (on a Gateway of class `agc`) or `Ingress` (class `agc`). Default: `HTTPRoute`. */
  routeKind?: RouteKind;
  /**
   * How long the gateway waits for the backend to start answering (the upgrade, a long poll),
   * as a Gateway API duration; `0s`: no limit. Set by a RoutePolicy, so HTTPRoute only (an
   * Ingress keeps the gateway's 60 s). An upgraded WebSocket is not bound by it: it stays open
   * until 5 minutes pass with no byte either way (the gateway's stream idle timeout), so clients
   * should ping more often than that. Default: `0s`.
   */
  routeTimeout?: string;
  /**
   * The cluster's kubeconfig (its contents or a file path). Default: the provider of the
   * resource options, else @pulumi/kubernetes' default (KUBECONFIG, then ~/.kube/config).
   */
  kubeconfig?: pulumi.Input<string>;
}

/** The properties known now (image, hostname and frontend may be Outputs), as the checks and the object generator take them. */
function knownInput(args: WebSocketServiceArgs): WebSocketServiceInput {
  const plain = (value: unknown) => (typeof value === "string" ? value : undefined);
  return {
    image: plain(args.image),
    hostname: plain(args.hostname),
    frontend: plain(args.frontend),
    port: args.port,
    replicas: args.replicas,
    namespace: args.namespace,
    path: args.path,
    healthCheck: args.healthCheck,
    routeKind: args.routeKind,
    routeTimeout: args.routeTimeout,
  };
}

/**
 * A Frontend given as the resource is referenced by the id it will have, known at preview
 * (its `id` output is not): so preview sees the Gateway's or Ingress's whole object and checks
 * it (a Frontend shared by two of them, AGC011). The objects depend on it explicitly instead.
 */
function frontendReference(frontend: WebSocketServiceArgs["frontend"]): pulumi.Output<string | undefined> {
  if (!(frontend instanceof Frontend)) return pulumi.output(frontend);
  const id = programInventory.idOf(frontend);
  return id === undefined ? frontend.id : pulumi.output(id);
}

const urlOf = (host: pulumi.Input<string | undefined>, path: string) => pulumi.output(host).apply((h) => (h ? webSocketUrl(h, path) : undefined));

/**
 * A WebSocket server behind the gateway: Deployment, Service (appProtocol `kubernetes.io/ws`),
 * HTTPRoute on a Gateway bound to the Frontend (or an Ingress), a HealthCheckPolicy probing the
 * health path, and a RoutePolicy with timeouts for long-lived connections. Every object is named
 * after the resource.
 */
export class WebSocketService extends pulumi.ComponentResource {
  /** `ws://<hostname><path>`; without a hostname, the Frontend's fqdn in its place (when `frontend` is the Frontend itself). */
  readonly url: pulumi.Output<string | undefined>;
  /** `ws://<fqdn><path>` of the Frontend, when `frontend` is the Frontend itself. With a hostname, clients send that as Host. */
  readonly frontendUrl: pulumi.Output<string | undefined>;
  readonly namespace: pulumi.Output<string>;
  readonly deploymentName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  /** The HTTPRoute's or the Ingress's name. */
  readonly routeName: pulumi.Output<string>;
  /** The Gateway made for the HTTPRoute; none with routeKind Ingress. */
  readonly gatewayName: pulumi.Output<string | undefined>;
  readonly healthCheckPolicyName: pulumi.Output<string | undefined>;
  readonly routePolicyName: pulumi.Output<string | undefined>;

  constructor(name: string, args: WebSocketServiceArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("agc:index:WebSocketService", name, {}, opts);
    const known = knownInput(args);
    const problems = [objectNameProblem(name), ...webSocketServiceProblems(name, known)].filter((p): p is string => p !== undefined);
    if (problems.length) throw new pulumi.ResourceError(problems.join("\n"), this, true);
    const imageGiven = args.image !== undefined;
    const spec = webSocketServiceSpec(known, imageGiven);
    if (spec.healthCheck?.path === undefined) pulumi.log.warn(missingHealthCheckPathWarning(name), this);

    // Which objects exist depends on plain values only: the same set at preview and update.
    const shape = webSocketServiceObjects(name, spec);
    const objects = pulumi.all([args.image, args.hostname, frontendReference(args.frontend)]).apply(([image, hostname, frontend]) => {
      const late = webSocketServiceProblems(name, { image, hostname, frontend });
      if (late.length) failLater(name, late, this);
      return webSocketServiceObjects(name, webSocketServiceSpec({ ...known, image, hostname, frontend }, imageGiven));
    });
    const provider = args.kubeconfig === undefined ? undefined : new k8s.Provider(name, { kubeconfig: args.kubeconfig }, { parent: this });
    const make = (key: keyof WebSocketServiceObjects, dependsOn: pulumi.Resource[] = []) => {
      const manifest = shape[key];
      if (!manifest) return undefined;
      const current = objects.apply((o) => o[key] as Manifest);
      return createObject(name, manifest, current, { parent: this, dependsOn, ...(provider ? { provider } : {}) });
    };

    const deployment = make("deployment")!;
    const service = make("service")!;
    const healthCheckPolicy = make("healthCheckPolicy");
    const frontendResource = args.frontend instanceof Frontend ? [args.frontend] : [];
    const gateway = make("gateway", frontendResource);
    const routePolicy = make("routePolicy");
    // The route comes last: its first request finds ready pods probed on the right path, and its timeouts.
    const backend = [deployment, service, ...(healthCheckPolicy ? [healthCheckPolicy] : [])];
    make("httpRoute", [...backend, ...(gateway ? [gateway] : []), ...(routePolicy ? [routePolicy] : [])]);
    make("ingress", [...backend, ...frontendResource]);

    const path = args.path ?? WEBSOCKET_SERVICE_DEFAULTS.path;
    const fqdn = args.frontend instanceof Frontend ? args.frontend.fqdn : undefined;
    this.frontendUrl = urlOf(fqdn, path);
    this.url = urlOf(pulumi.all([args.hostname, fqdn]).apply(([hostname, frontendFqdn]) => hostname ?? frontendFqdn), path);
    const nameOf = (m: Manifest | undefined) => pulumi.output(m?.metadata.name);
    this.namespace = pulumi.output(shape.deployment.metadata.namespace);
    this.deploymentName = pulumi.output(shape.deployment.metadata.name);
    this.serviceName = pulumi.output(shape.service.metadata.name);
    this.routeName = pulumi.output((shape.httpRoute ?? shape.ingress)!.metadata.name);
    this.gatewayName = nameOf(shape.gateway);
    this.healthCheckPolicyName = nameOf(shape.healthCheckPolicy);
    this.routePolicyName = nameOf(shape.routePolicy);
    this.registerOutputs({
      url: this.url,
      frontendUrl: this.frontendUrl,
      namespace: this.namespace,
      deploymentName: this.deploymentName,
      serviceName: this.serviceName,
      routeName: this.routeName,
      gatewayName: this.gatewayName,
      healthCheckPolicyName: this.healthCheckPolicyName,
      routePolicyName: this.routePolicyName,
    });
  }
}

/**
 * Problems found once Outputs are known: each is logged under the resource, then the program
 * fails. Thrown inside an apply, an error would reach the user through every property of every
 * object that reads the Output, each one prefixing its name to the message.
 */
function failLater(name: string, problems: string[], resource: pulumi.Resource): void {
  for (const p of problems) void pulumi.log.error(p, resource);
  failProgram(`pulumi-agc: WebSocketService '${name}' has ${problems.length === 1 ? "an invalid input" : `${problems.length} invalid inputs`}: see the errors under it`);
}

/** One object as a @pulumi/kubernetes resource: typed classes for built-in kinds, CustomResource for the rest. */
function createObject(name: string, shape: Manifest, current: pulumi.Output<Manifest>, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const metadata = current.apply((m) => m.metadata);
  const spec = current.apply((m) => m.spec);
  switch (shape.kind) {
    case "Deployment":
      return new k8s.apps.v1.Deployment(name, { metadata, spec: spec as pulumi.Output<k8s.types.input.apps.v1.DeploymentSpec> }, opts);
    case "Service":
      return new k8s.core.v1.Service(name, { metadata, spec: spec as pulumi.Output<k8s.types.input.core.v1.ServiceSpec> }, opts);
    case "Ingress":
      return new k8s.networking.v1.Ingress(name, { metadata, spec: spec as pulumi.Output<k8s.types.input.networking.v1.IngressSpec> }, opts);
    default:
      return new k8s.apiextensions.CustomResource(name, { apiVersion: shape.apiVersion, kind: shape.kind, metadata, spec }, opts);
  }
}
