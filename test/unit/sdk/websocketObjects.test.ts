// The objects a WebSocketService makes, from its plain inputs, and what the controller's
// translator makes of them: the route, the WebSocket cluster, its probe and its timeouts.
import {
  manifestsOf,
  webSocketServiceObjects,
  webSocketServiceSpec,
  WebSocketServiceInput,
} from "../../../sdk/websocketObjects";
import { CONTROLLER_NAME, translate } from "../../../translate";
import { snapshotFromObjects } from "../../../translate/snapshot";
import { serverTimeoutMs } from "../../../dataplane/render/actions";

/** The gateway's default request timeout, which a route's own timeouts replace. */
const GATEWAY_REQUEST_MS = 60_000;

const chat: WebSocketServiceInput = {
  image: "registry.example.test/chat:1.4",
  port: 9000,
  replicas: 3,
  namespace: "chat",
  hostname: "ws.contoso.com",
  path: "/ws",
  frontend: "agc-system/frontends/fe",
  healthCheck: { path: "/healthz", intervalSeconds: 10, timeoutSeconds: 3, healthyThreshold: 2, unhealthyThreshold: 4 },
};

describe("a typical WebSocketService (HTTPRoute)", () => {
  const objects = webSocketServiceObjects("chat", webSocketServiceSpec(chat));

  it("runs the image with its port, and is ready when GET of the health path answers", () => {
    const d = objects.deployment;
    expect(d.metadata).toEqual({ name: "chat", namespace: "chat", labels: { "app.kubernetes.io/name": "chat" } });
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": "chat" } });
    const [container] = d.spec.template.spec.containers;
    expect(container.image).toBe("registry.example.test/chat:1.4");
    expect(container.ports).toEqual([{ name: "websocket", containerPort: 9000, protocol: "TCP" }]);
    expect(container.env).toEqual([
      { name: "PORT", value: "9000" },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    ]);
    expect(container.readinessProbe).toEqual({ httpGet: { path: "/healthz", port: 9000 }, periodSeconds: 10, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 4 });
  });

  it("serves port 80 as WebSocket, forwarding to the container port", () => {
    expect(objects.service.spec).toEqual({
      selector: { "app.kubernetes.io/name": "chat" },
      ports: [{ name: "websocket", protocol: "TCP", port: 80, targetPort: 9000, appProtocol: "kubernetes.io/ws" }],
    });
  });

  it("binds a Gateway of class agc to the Frontend, and routes the host and path to the Service", () => {
    expect(objects.gateway!.spec).toEqual({
      gatewayClassName: "agc",
      addresses: [{ type: "alb.agc.dev/alb-frontend", value: "agc-system/fe" }],
      listeners: [{ name: "http", protocol: "HTTP", port: 80 }],
    });
    expect(objects.httpRoute!.spec).toEqual({
      parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "chat", sectionName: "http" }],
      hostnames: ["ws.contoso.com"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/ws" } }],
          backendRefs: [{ group: "", kind: "Service", name: "chat", port: 80 }],
          timeouts: { request: "0s" },
        },
      ],
    });
  });

  it("probes the Service's pods on the health path, and gives the route no limit on the backend's answer", () => {
    expect(objects.healthCheckPolicy).toEqual({
      apiVersion: "alb.agc.dev/v1alpha1",
      kind: "HealthCheckPolicy",
      metadata: { name: "chat", namespace: "chat", labels: { "app.kubernetes.io/name": "chat" } },
      spec: {
        targetRef: { group: "", kind: "Service", name: "chat" },
        default: { interval: "10s", timeout: "3s", healthyThreshold: 2, unhealthyThreshold: 4, http: { path: "/healthz" } },
      },
    });
    expect(objects.routePolicy!.spec).toEqual({
      targetRef: { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "chat" },
      default: { timeouts: { routeTimeout: "0s" } },
    });
  });

  it("lists the objects backend first, route last, with no Ingress", () => {
    expect(manifestsOf(objects).map((m) => `${m.apiVersion} ${m.kind}`)).toEqual([
      "apps/v1 Deployment",
      "v1 Service",
      "alb.agc.dev/v1alpha1 HealthCheckPolicy",
      "gateway.networking.k8s.io/v1 Gateway",
      "alb.agc.dev/v1alpha1 RoutePolicy",
      "gateway.networking.k8s.io/v1 HTTPRoute",
    ]);
  });
});

describe("routeKind Ingress", () => {
  const objects = webSocketServiceObjects("chat", webSocketServiceSpec({ ...chat, routeKind: "Ingress" }));

  it("names the Frontend in the annotations the translator reads, with class agc", () => {
    expect(objects.ingress!.metadata.annotations).toEqual({ "alb.agc.dev/alb-frontend": "fe", "alb.agc.dev/alb-namespace": "agc-system" });
    expect(objects.ingress!.spec).toEqual({
      ingressClassName: "agc",
      rules: [{ host: "ws.contoso.com", http: { paths: [{ path: "/ws", pathType: "Prefix", backend: { service: { name: "chat", port: { number: 80 } } } }] } }],
    });
  });

  it("makes no Gateway, HTTPRoute or RoutePolicy (a RoutePolicy targets HTTPRoutes only)", () => {
    expect(manifestsOf(objects).map((m) => m.kind)).toEqual(["Deployment", "Service", "HealthCheckPolicy", "Ingress"]);
  });
});

describe("defaults", () => {
  it("the ws-echo image on 8888, 2 replicas in default, path /, an HTTPRoute with no timeout limit, probed on /health", () => {
    expect(webSocketServiceSpec({})).toEqual({
      image: "agc.local/ws-echo:dev",
      port: 8888,
      replicas: 2,
      namespace: "default",
      path: "/",
      healthCheck: { path: "/health" },
      routeKind: "HTTPRoute",
      routeTimeout: "0s",
    });
  });

  it("another image gets no health check: no HealthCheckPolicy, and pods are ready when the port opens", () => {
    const objects = webSocketServiceObjects("chat", webSocketServiceSpec({ image: "registry.example.test/chat:1.4" }));
    expect(objects.healthCheckPolicy).toBeUndefined();
    expect(objects.deployment.spec.template.spec.containers[0].readinessProbe).toEqual({ tcpSocket: { port: 8888 } });
  });

  it("an image named by another resource (not known yet) counts as given", () => {
    expect(webSocketServiceSpec({}, true).healthCheck).toBeUndefined();
  });

  it("with no Frontend the Gateway names no address (the controller gives it a data plane of its own)", () => {
    const objects = webSocketServiceObjects("chat", webSocketServiceSpec({}));
    expect(objects.gateway!.spec).toEqual({ gatewayClassName: "agc", listeners: [{ name: "http", protocol: "HTTP", port: 80 }] });
    expect(objects.httpRoute!.spec.hostnames).toBeUndefined();
  });

  it("a Frontend named by name alone is passed on as such (looked up in the route's namespace, then agc-system)", () => {
    expect(webSocketServiceObjects("chat", webSocketServiceSpec({ frontend: "fe" })).gateway!.spec.addresses).toEqual([{ type: "alb.agc.dev/alb-frontend", value: "fe" }]);
    expect(webSocketServiceObjects("chat", webSocketServiceSpec({ frontend: "fe", routeKind: "Ingress" })).ingress!.metadata.annotations).toEqual({ "alb.agc.dev/alb-frontend": "fe" });
  });

  it("health check settings left out are left to the gateway's defaults", () => {
    const objects = webSocketServiceObjects("chat", webSocketServiceSpec({}));
    expect(objects.healthCheckPolicy!.spec.default).toEqual({ http: { path: "/health" } });
    expect(objects.deployment.spec.template.spec.containers[0].readinessProbe).toEqual({ httpGet: { path: "/health", port: 8888 } });
  });
});

describe("what the controller makes of the objects", () => {
  const controlPlane = [
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "agc" }, spec: { controllerName: CONTROLLER_NAME } },
    { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: "agc" }, spec: { controller: CONTROLLER_NAME } },
    { apiVersion: "alb.agc.dev/v1alpha1", kind: "TrafficController", metadata: { name: "gw", namespace: "agc-system" }, spec: { location: "westeurope" } },
    { apiVersion: "alb.agc.dev/v1alpha1", kind: "Frontend", metadata: { name: "fe", namespace: "agc-system" }, spec: { trafficControllerRef: { name: "gw" } } },
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "chat-x1", namespace: "chat", labels: { "kubernetes.io/service-name": "chat" } },
      addressType: "IPv4",
      ports: [{ name: "websocket", port: 9000, protocol: "TCP" }],
      endpoints: [{ addresses: ["10.244.0.21"], conditions: { ready: true } }],
    },
  ];

  /** The objects as the cluster holds them: the Deployment's pod in its place, as the controller watches pods. */
  function translated(input: WebSocketServiceInput) {
    const objects = webSocketServiceObjects("chat", webSocketServiceSpec(input));
    const template = objects.deployment.spec.template;
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "chat-5d8c7-x1", namespace: "chat", labels: template.metadata.labels }, spec: template.spec };
    const manifests = manifestsOf(objects).filter((m) => m.kind !== "Deployment");
    const { snapshot, ignored } = snapshotFromObjects([...controlPlane, pod, ...manifests]);
    expect(ignored).toEqual([]);
    const result = translate(snapshot, { controllerName: CONTROLLER_NAME });
    expect(result.dataplanes.map((d) => d.owner)).toEqual([{ kind: "TrafficController", namespace: "agc-system", name: "gw" }]);
    return { ir: result.dataplanes[0].ir, statuses: result.statuses, warnings: result.warnings };
  }

  it("HTTPRoute: the Frontend's data plane routes ws.contoso.com/ws to a WebSocket cluster probed on /healthz, with no timeout", () => {
    const { ir, statuses } = translated(chat);
    expect(ir.routes.map((r) => ({ hostnames: r.hostnames, path: r.path, requestTimeoutMs: r.requestTimeoutMs, backendRequestTimeoutMs: r.backendRequestTimeoutMs }))).toEqual([
      { hostnames: ["ws.contoso.com"], path: { type: "PathPrefix", value: "/ws" }, requestTimeoutMs: 0, backendRequestTimeoutMs: 0 },
    ]);
    // HAProxy's server timeout for the route: its "none" (about 23 days), not the gateway's 60 s.
    expect(serverTimeoutMs(ir.routes[0], GATEWAY_REQUEST_MS)).toBe(2_000_000_000);
    expect(ir.clusters).toEqual([
      {
        name: expect.any(String),
        protocol: "websocket",
        endpoints: [{ address: "10.244.0.21", port: 9000 }],
        healthCheck: { intervalMs: 10_000, timeoutMs: 3_000, healthyThreshold: 2, unhealthyThreshold: 4, http: { path: "/healthz" } },
      },
    ]);
    const accepted = (kind: string) => statuses.find((s) => s.kind === kind)!.status.conditions as { type: string; status: string }[];
    expect(accepted("HealthCheckPolicy").map((c) => [c.type, c.status])).toEqual([["Accepted", "True"]]);
    expect(accepted("RoutePolicy").map((c) => [c.type, c.status])).toEqual([["Accepted", "True"]]);
    const parents = statuses.find((s) => s.kind === "HTTPRoute")!.status.parents as { conditions: { type: string; status: string }[] }[];
    expect(parents[0].conditions.map((c) => [c.type, c.status])).toEqual([
      ["Accepted", "True"],
      ["ResolvedRefs", "True"],
    ]);
  });

  it("a routeTimeout is the one limit on the backend's answer, above the gateway's 60 s too", () => {
    const { ir } = translated({ ...chat, routeTimeout: "5m" });
    expect(ir.routes.map((r) => [r.requestTimeoutMs, r.backendRequestTimeoutMs])).toEqual([[0, 300_000]]);
    expect(serverTimeoutMs(ir.routes[0], GATEWAY_REQUEST_MS)).toBe(300_000);
  });

  it("Ingress: the same route and probed cluster, with no warning", () => {
    const { ir, warnings } = translated({ ...chat, routeKind: "Ingress" });
    expect(warnings).toEqual([]);
    expect(ir.routes.map((r) => ({ hostnames: r.hostnames, path: r.path }))).toEqual([{ hostnames: ["ws.contoso.com"], path: { type: "PathPrefix", value: "/ws" } }]);
    expect(ir.clusters.map((c) => [c.protocol, c.healthCheck?.http?.path])).toEqual([["websocket", "/healthz"]]);
  });
});
