// What the program puts behind the frontend, as plain manifests (a pure function, so a test
// reads exactly what it creates): our echo server streaming /events, its Service, a
// HealthCheckPolicy on /health, a Gateway of class agc bound to a Frontend, and an HTTPRoute
// whose request timeout is 0: the gateway's default would cut a stream after 60 s without a
// byte from the backend.

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, any>;
}

export interface EventsServiceInput<F> {
  /** Every object's name. */
  name: string;
  namespace: string;
  /** The host name clients send, e.g. sse.contoso.com. */
  hostname: string;
  /** The Frontend: its id (`<namespace>/frontends/<name>`) or `<namespace>/<name>`; in a program, the Output of one. */
  frontend: F;
  /** Pods of the Deployment. Default 2. */
  replicas?: number;
}

/** Our echo server: GET /events streams server-sent events, GET /health answers 200. */
const EVENTS_IMAGE = "agc.local/ws-echo:dev";
const CONTAINER_PORT = 8888;
const HEALTH_PATH = "/health";
/** The gateway's type of address that binds a Gateway to a Frontend. */
const FRONTEND_ADDRESS_TYPE = "alb.agc.dev/alb-frontend";

export interface EventsServiceObjects<F> {
  deployment: Manifest;
  service: Manifest;
  healthCheckPolicy: Manifest;
  gateway: Manifest & { spec: { addresses: { type: string; value: F }[] } };
  httpRoute: Manifest;
}

export function eventsServiceObjects<F>(input: EventsServiceInput<F>): EventsServiceObjects<F> {
  const { name, namespace } = input;
  const labels = { "app.kubernetes.io/name": name };
  const metadata = { name, namespace, labels };
  return {
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata,
      spec: {
        replicas: input.replicas ?? 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: "events",
                image: EVENTS_IMAGE,
                ports: [{ name: "http", containerPort: CONTAINER_PORT, protocol: "TCP" }],
                env: [
                  { name: "PORT", value: String(CONTAINER_PORT) },
                  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                ],
                readinessProbe: { httpGet: { path: HEALTH_PATH, port: CONTAINER_PORT }, periodSeconds: 2 },
              },
            ],
          },
        },
      },
    },
    // Plain HTTP/1.1 to the pods: no appProtocol.
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata,
      spec: { selector: labels, ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: CONTAINER_PORT }] },
    },
    healthCheckPolicy: {
      apiVersion: "alb.agc.dev/v1alpha1",
      kind: "HealthCheckPolicy",
      metadata,
      spec: { targetRef: { group: "", kind: "Service", name }, default: { interval: "2s", http: { path: HEALTH_PATH } } },
    },
    gateway: {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata,
      spec: {
        gatewayClassName: "agc",
        addresses: [{ type: FRONTEND_ADDRESS_TYPE, value: input.frontend }],
        listeners: [{ name: "http", protocol: "HTTP", port: 80 }],
      },
    },
    httpRoute: {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata,
      spec: {
        parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name, sectionName: "http" }],
        hostnames: [input.hostname],
        rules: [
          {
            matches: [{ path: { type: "PathPrefix", value: "/" } }],
            backendRefs: [{ group: "", kind: "Service", name, port: 80 }],
            // No limit on the backend's pauses: an event stream may be quiet for minutes.
            timeouts: { request: "0s" },
          },
        ],
      },
    },
  };
}
