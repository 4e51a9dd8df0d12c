// What a WebSocketService is made of, as Kubernetes manifests: a pure function of plain values,
// so that the component, tests and offline rendering all make the same objects.
import { GATEWAY_CLASS, INGRESS_CLASS } from "../controller/install";
import { WS_ECHO_IMAGE } from "../model/images";
import { API_VERSION } from "../model/kinds";
import { GATEWAY_API_VERSION, GATEWAY_GROUP, compact } from "../translate/objects";
import { FRONTEND_ADDRESS_TYPE, INGRESS_FRONTEND_ANNOTATION, INGRESS_FRONTEND_NAMESPACE_ANNOTATION } from "../translate/types";

/** The Service's port: what the route's backend names; the container's port is behind it. */
export const SERVICE_PORT = 80;
/** Marks the Service port as WebSocket for the translator (cluster protocol `websocket`). */
export const WEBSOCKET_APP_PROTOCOL = "kubernetes.io/ws";
/** The path the ws-echo image answers 200 on. */
export const WS_ECHO_HEALTH_PATH = "/health";

export const ROUTE_KINDS = ["HTTPRoute", "Ingress"] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/** How the gateway probes the pods (a HealthCheckPolicy); the pods' readiness probe follows it. */
export interface HealthCheck {
  /** The probe's path, e.g. `/health`. Without it the gateway probes `GET /`. */
  path?: string;
  /** Seconds between probes. Default: 5. */
  intervalSeconds?: number;
  /** Seconds a probe waits for its answer. Default: 30. */
  timeoutSeconds?: number;
  /** Successes before a pod takes traffic. Default: 1. */
  healthyThreshold?: number;
  /** Failures before a pod is taken out. Default: 3. */
  unhealthyThreshold?: number;
  /** The port to probe. Default: the container port. */
  port?: number;
  /** The probe's Host header. Default: `localhost`. */
  host?: string;
  /** Answers that count as healthy, as inclusive ranges. Default: 200-399. */
  statusCodes?: { start: number; end: number }[];
}

/** Every property of a WebSocketService as plain values, as the program gives them. */
export interface WebSocketServiceInput {
  image?: string;
  port?: number;
  replicas?: number;
  namespace?: string;
  hostname?: string;
  path?: string;
  /** A Frontend reference: its id `<namespace>/frontends/<name>`, `<namespace>/<name>` or a name. */
  frontend?: string;
  healthCheck?: HealthCheck;
  routeKind?: RouteKind;
  routeTimeout?: string;
}

/** The same with every default applied. */
export interface WebSocketServiceSpec {
  image: string;
  port: number;
  replicas: number;
  namespace: string;
  hostname?: string;
  path: string;
  frontend?: string;
  healthCheck?: HealthCheck;
  routeKind: RouteKind;
  routeTimeout?: string;
}

export const WEBSOCKET_SERVICE_DEFAULTS = {
  image: WS_ECHO_IMAGE,
  port: 8888,
  replicas: 2,
  namespace: "default",
  path: "/",
  routeKind: "HTTPRoute" as RouteKind,
  /** No limit on the wait for the backend's answer (the handshake, a long poll). */
  routeTimeout: "0s",
};

/** The health check as given; without one, the ws-echo image's /health when the image is left to default. */
export function healthCheckOrDefault(healthCheck: HealthCheck | undefined, imageGiven: boolean): HealthCheck | undefined {
  return healthCheck ?? (imageGiven ? undefined : { path: WS_ECHO_HEALTH_PATH });
}

/**
 * The input with every default applied. `imageGiven`: whether the program names an image, which
 * a component knows before the image's value is (it may come from another resource).
 */
export function webSocketServiceSpec(input: WebSocketServiceInput, imageGiven = input.image !== undefined): WebSocketServiceSpec {
  const d = WEBSOCKET_SERVICE_DEFAULTS;
  const routeKind = input.routeKind ?? d.routeKind;
  return compact({
    image: input.image ?? d.image,
    port: input.port ?? d.port,
    replicas: input.replicas ?? d.replicas,
    namespace: input.namespace ?? d.namespace,
    hostname: input.hostname,
    path: input.path ?? d.path,
    frontend: input.frontend,
    healthCheck: healthCheckOrDefault(input.healthCheck, imageGiven),
    routeKind,
    // A RoutePolicy targets HTTPRoutes only: an Ingress keeps the gateway's request timeout.
    routeTimeout: routeKind === "HTTPRoute" ? (input.routeTimeout ?? d.routeTimeout) : undefined,
  });
}

/** Where a Frontend reference points: a namespace when it names one, and the Frontend's name. */
export function parseFrontendReference(reference: string): { namespace?: string; name: string } {
  const parts = reference.split("/");
  if (parts.length === 3) return { namespace: parts[0], name: parts[2] };
  if (parts.length === 2) return { namespace: parts[0], name: parts[1] };
  return { name: reference };
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, any>;
}

export interface WebSocketServiceObjects {
  deployment: Manifest;
  service: Manifest;
  /** When the health check is known (see healthCheckOrDefault). */
  healthCheckPolicy?: Manifest;
  /** routeKind HTTPRoute: the Gateway on the Frontend, the route and its timeouts. */
  gateway?: Manifest;
  httpRoute?: Manifest;
  routePolicy?: Manifest;
  /** routeKind Ingress. */
  ingress?: Manifest;
}

/** The objects in the order they are best applied: the backend first, the route last. */
export function manifestsOf(objects: WebSocketServiceObjects): Manifest[] {
  const { deployment, service, healthCheckPolicy, gateway, httpRoute, routePolicy, ingress } = objects;
  return [deployment, service, healthCheckPolicy, gateway, routePolicy, httpRoute, ingress].filter((m): m is Manifest => m !== undefined);
}

/** `ws://<host><path>`. */
export function webSocketUrl(host: string, path: string): string {
  return `ws://${host}${path}`;
}

/** Every object a WebSocketService named `name` makes; each is named `name`, in `spec.namespace`. */
export function webSocketServiceObjects(name: string, spec: WebSocketServiceSpec): WebSocketServiceObjects {
  const labels = { "app.kubernetes.io/name": name };
  const metadata = (annotations?: Record<string, string>) => compact({ name, namespace: spec.namespace, labels, annotations });
  const objects: WebSocketServiceObjects = {
    deployment: { apiVersion: "apps/v1", kind: "Deployment", metadata: metadata(), spec: deploymentSpec(spec, labels) },
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata(),
      spec: {
        selector: labels,
        ports: [{ name: "websocket", protocol: "TCP", port: SERVICE_PORT, targetPort: spec.port, appProtocol: WEBSOCKET_APP_PROTOCOL }],
      },
    },
  };
  if (spec.healthCheck) {
    objects.healthCheckPolicy = {
      apiVersion: API_VERSION,
      kind: "HealthCheckPolicy",
      metadata: metadata(),
      spec: { targetRef: { group: "", kind: "Service", name }, default: healthCheckPolicyDefault(spec.healthCheck) },
    };
  }
  const frontend = spec.frontend === undefined ? undefined : parseFrontendReference(spec.frontend);
  if (spec.routeKind === "Ingress") {
    const annotations = frontend && {
      [INGRESS_FRONTEND_ANNOTATION]: frontend.name,
      ...(frontend.namespace ? { [INGRESS_FRONTEND_NAMESPACE_ANNOTATION]: frontend.namespace } : {}),
    };
    objects.ingress = {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: metadata(annotations),
      spec: {
        ingressClassName: INGRESS_CLASS,
        rules: [
          compact({
            host: spec.hostname,
            http: { paths: [{ path: spec.path, pathType: "Prefix", backend: { service: { name, port: { number: SERVICE_PORT } } } }] },
          }),
        ],
      },
    };
    return objects;
  }
  objects.gateway = {
    apiVersion: GATEWAY_API_VERSION,
    kind: "Gateway",
    metadata: metadata(),
    spec: compact({
      gatewayClassName: GATEWAY_CLASS,
      // The Gateway address that binds it to the Frontend: the Frontend's TrafficController serves it.
      addresses: frontend && [{ type: FRONTEND_ADDRESS_TYPE, value: frontend.namespace ? `${frontend.namespace}/${frontend.name}` : frontend.name }],
      listeners: [{ name: "http", protocol: "HTTP", port: 80 }],
    }),
  };
  objects.httpRoute = {
    apiVersion: GATEWAY_API_VERSION,
    kind: "HTTPRoute",
    metadata: metadata(),
    spec: compact({
      parentRefs: [{ group: GATEWAY_GROUP, kind: "Gateway", name, sectionName: "http" }],
      hostnames: spec.hostname === undefined ? undefined : [spec.hostname],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: spec.path } }],
          backendRefs: [{ group: "", kind: "Service", name, port: SERVICE_PORT }],
          // The route's own total (the gateway's 60 s otherwise) would cap the RoutePolicy's
          // timeout: lifted, the policy's routeTimeout is the one limit, 0s none at all.
          timeouts: { request: "0s" },
        },
      ],
    }),
  };
  objects.routePolicy = {
    apiVersion: API_VERSION,
    kind: "RoutePolicy",
    metadata: metadata(),
    spec: { targetRef: { group: GATEWAY_GROUP, kind: "HTTPRoute", name }, default: { timeouts: { routeTimeout: spec.routeTimeout ?? WEBSOCKET_SERVICE_DEFAULTS.routeTimeout } } },
  };
  return objects;
}

function deploymentSpec(spec: WebSocketServiceSpec, labels: Record<string, string>): Record<string, any> {
  return {
    replicas: spec.replicas,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        containers: [
          {
            name: "websocket",
            image: spec.image,
            ports: [{ name: "websocket", containerPort: spec.port, protocol: "TCP" }],
            env: [
              { name: "PORT", value: String(spec.port) },
              { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            ],
            readinessProbe: readinessProbe(spec),
          },
        ],
      },
    },
  };
}

/**
 * Ready when the gateway's probe would find the pod healthy: GET on the health path. Without a
 * path, an open port: a plain GET would fail on a WebSocket-only server.
 */
function readinessProbe(spec: WebSocketServiceSpec): Record<string, unknown> {
  const h = spec.healthCheck;
  const timing = compact({
    periodSeconds: h?.intervalSeconds,
    timeoutSeconds: h?.timeoutSeconds,
    successThreshold: h?.healthyThreshold,
    failureThreshold: h?.unhealthyThreshold,
  });
  if (h?.path === undefined) return { tcpSocket: { port: spec.port }, ...timing };
  const httpHeaders = h.host === undefined ? undefined : [{ name: "Host", value: h.host }];
  return { httpGet: compact({ path: h.path, port: h.port ?? spec.port, httpHeaders }), ...timing };
}

function healthCheckPolicyDefault(h: HealthCheck): Record<string, unknown> {
  const seconds = (n: number | undefined) => (n === undefined ? undefined : `${n}s`);
  const http = compact({ host: h.host, path: h.path, match: h.statusCodes && { statusCodes: h.statusCodes.map(({ start, end }) => ({ start, end })) } });
  return compact({
    interval: seconds(h.intervalSeconds),
    timeout: seconds(h.timeoutSeconds),
    healthyThreshold: h.healthyThreshold,
    unhealthyThreshold: h.unhealthyThreshold,
    port: h.port,
    http: Object.keys(http).length ? http : undefined,
  });
}
