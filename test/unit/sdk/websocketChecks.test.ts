// What preview says about a WebSocketService's inputs: each problem names the property, its value
// and what would be valid; the 502 trap is a warning.
import { missingHealthCheckPathWarning, objectNameProblem, webSocketServiceProblems } from "../../../sdk/websocketChecks";
import { WebSocketServiceInput } from "../../../sdk/websocketObjects";

const problems = (input: WebSocketServiceInput) => webSocketServiceProblems("chat", input);

describe("valid inputs", () => {
  it("a full set of valid properties has no problem", () => {
    expect(
      problems({
        image: "registry.example.test/chat:1.4",
        port: 8888,
        replicas: 0,
        namespace: "chat",
        hostname: "ws.contoso.com",
        path: "/ws",
        frontend: "agc-system/frontends/fe",
        healthCheck: { path: "/health", intervalSeconds: 5, timeoutSeconds: 30, healthyThreshold: 1, unhealthyThreshold: 3, port: 8080, statusCodes: [{ start: 200, end: 299 }] },
        routeKind: "HTTPRoute",
        routeTimeout: "1h",
      }),
    ).toEqual([]);
  });

  it("nothing given, nothing to say", () => {
    expect(problems({})).toEqual([]);
  });

  it("a Frontend by name, or by namespace and name", () => {
    expect(problems({ frontend: "fe" })).toEqual([]);
    expect(problems({ frontend: "agc-system/fe" })).toEqual([]);
  });
});

describe("invalid inputs", () => {
  it.each([
    [{ port: 70000 }, "WebSocketService 'chat': property port: 70000 is not a port; expected an integer from 1 to 65535"],
    [{ port: 0 }, "WebSocketService 'chat': property port: 0 is not a port; expected an integer from 1 to 65535"],
    [{ port: 80.5 }, "WebSocketService 'chat': property port: 80.5 is not a port; expected an integer from 1 to 65535"],
    [{ replicas: -1 }, "WebSocketService 'chat': property replicas: -1 is not a number of replicas; expected an integer of 0 or more"],
    [
      { hostname: "WS.contoso.com" },
      "WebSocketService 'chat': property hostname: 'WS.contoso.com' is not a DNS name; expected lower-case letters, digits, '-' and '.', such as ws.contoso.com (at most 253 characters, not an IP address)",
    ],
    [
      { hostname: "ws_contoso.com" },
      "WebSocketService 'chat': property hostname: 'ws_contoso.com' is not a DNS name; expected lower-case letters, digits, '-' and '.', such as ws.contoso.com (at most 253 characters, not an IP address)",
    ],
    [
      { hostname: "192.0.2.10" },
      "WebSocketService 'chat': property hostname: '192.0.2.10' is not a DNS name; expected lower-case letters, digits, '-' and '.', such as ws.contoso.com (at most 253 characters, not an IP address)",
    ],
    [{ path: "ws" }, "WebSocketService 'chat': property path: 'ws' does not start with '/'; expected an absolute path such as /ws"],
    [
      { path: "/ws?room=1" },
      "WebSocketService 'chat': property path: '/ws?room=1' holds a character a route path cannot (a query, a fragment, a space...); expected letters, digits, - . _ ~ / and %XX escapes, such as /ws",
    ],
    [{ path: "/a//ws" }, "WebSocketService 'chat': property path: '/a//ws' is not in the form requests are matched in; expected '/a/ws'"],
    [
      { namespace: "Chat" },
      "WebSocketService 'chat': property namespace: 'Chat' is not a namespace; expected lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    ],
    [{ routeKind: "GRPCRoute" as never }, "WebSocketService 'chat': property routeKind: 'GRPCRoute' is not a route kind; expected HTTPRoute or Ingress"],
    [
      { routeTimeout: "1 hour" },
      "WebSocketService 'chat': property routeTimeout: '1 hour' is not a duration; expected a Gateway API duration such as 0s (no limit), 30s, 5m or 1h",
    ],
    [
      { routeKind: "Ingress" as const, routeTimeout: "0s" },
      "WebSocketService 'chat': property routeTimeout: a RoutePolicy applies to HTTPRoutes only, and routeKind is Ingress; leave routeTimeout out (the gateway's 60 s request timeout applies) or use routeKind HTTPRoute",
    ],
    [
      { frontend: "agc-system/trafficcontrollers/gw" },
      "WebSocketService 'chat': property frontend: 'agc-system/trafficcontrollers/gw' is the id of a TrafficController, not of a Frontend: expected <namespace>/frontends/<name>, e.g. 'agc-system/frontends/my-name'",
    ],
    [
      { frontend: "a/b/c/d" },
      "WebSocketService 'chat': property frontend: 'a/b/c/d' is not a Frontend reference; expected the Frontend itself, its id (<namespace>/frontends/<name>), <namespace>/<name> or a name",
    ],
    [
      { frontend: "" },
      "WebSocketService 'chat': property frontend: '' is not a Frontend reference; expected the Frontend itself, its id (<namespace>/frontends/<name>), <namespace>/<name> or a name",
    ],
    [{ image: "" }, "WebSocketService 'chat': property image: '' is not an image; expected a name such as agc.local/ws-echo:dev"],
  ] as [WebSocketServiceInput, string][])("%j", (input, message) => {
    expect(problems(input)).toEqual([message]);
  });

  it("health check properties are named with their path in healthCheck", () => {
    expect(
      problems({ healthCheck: { path: "health", intervalSeconds: 0, timeoutSeconds: 2.5, healthyThreshold: 101, unhealthyThreshold: 0, port: 65536, statusCodes: [{ start: 300, end: 200 }] } }),
    ).toEqual([
      "WebSocketService 'chat': property healthCheck.path: 'health' does not start with '/'; expected a path such as /health",
      "WebSocketService 'chat': property healthCheck.intervalSeconds: 0 is not a number of seconds; expected an integer from 1 to 86400",
      "WebSocketService 'chat': property healthCheck.timeoutSeconds: 2.5 is not a number of seconds; expected an integer from 1 to 86400",
      "WebSocketService 'chat': property healthCheck.healthyThreshold: 101 is not a count of probes; expected an integer from 1 to 100",
      "WebSocketService 'chat': property healthCheck.unhealthyThreshold: 0 is not a count of probes; expected an integer from 1 to 100",
      "WebSocketService 'chat': property healthCheck.port: 65536 is not a port; expected an integer from 1 to 65535",
      'WebSocketService \'chat\': property healthCheck.statusCodes[0]: {"start":300,"end":200} is not a range of status codes; expected { start, end } from 100 to 599, start not above end, such as { start: 200, end: 299 }',
    ]);
  });

  it("every problem is reported, in the order of the properties", () => {
    expect(problems({ port: -1, replicas: -1 })).toEqual([
      "WebSocketService 'chat': property port: -1 is not a port; expected an integer from 1 to 65535",
      "WebSocketService 'chat': property replicas: -1 is not a number of replicas; expected an integer of 0 or more",
    ]);
  });
});

describe("the resource name", () => {
  it("names every object, so it must be a DNS label a Service can take", () => {
    expect(objectNameProblem("chat-1")).toBeUndefined();
    expect(objectNameProblem("Chat_1")).toBe(
      "WebSocketService 'Chat_1': the name 'Chat_1' names its Deployment, Service, route and policies, so it must be a DNS label: " +
        "lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters",
    );
    expect(objectNameProblem("1chat")).toBeDefined();
    expect(objectNameProblem("c".repeat(64))).toBeDefined();
  });
});

describe("the 502 trap", () => {
  it("is explained when no health check path is given", () => {
    expect(missingHealthCheckPathWarning("chat")).toBe(
      "WebSocketService 'chat': no healthCheck.path: the default probe's GET / gets 400 from a WebSocket-only server, " +
        "so the data plane marks every pod unhealthy and answers 502; set healthCheck.path (e.g. /health)",
    );
  });
});
