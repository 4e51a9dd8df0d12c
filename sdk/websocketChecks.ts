// A WebSocketService's inputs checked before anything is made: each problem names the
// property, its value and what would be valid. Pure; a property left out is not checked.
import { isIP } from "net";
import { DURATION_PATTERN } from "../model/crds";
import { isDns1123Label, isDns1123Subdomain, parseId } from "../model/kinds";
import { normalizePath } from "../model/ir";
import { HealthCheck, ROUTE_KINDS, WebSocketServiceInput } from "./websocketObjects";

const KIND = "WebSocketService";

const problem = (name: string, property: string, detail: string) => `${KIND} '${name}': property ${property}: ${detail}`;

const show = (value: unknown) => (typeof value === "string" ? `'${value}'` : JSON.stringify(value));

/** Service names are DNS-1035 labels: they start with a letter. */
const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** Gateway API's characters of an Exact or PathPrefix path (its own CEL rule). */
const PATH_CHARACTERS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;

function isIntegerBetween(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * The warning when the gateway would probe `GET /`: a WebSocket-only server answers it 400, so
 * every pod is marked unhealthy and every client gets 502.
 */
export function missingHealthCheckPathWarning(name: string): string {
  return (
    `${KIND} '${name}': no healthCheck.path: the default probe's GET / gets 400 from a WebSocket-only server, ` +
    "so the data plane marks every pod unhealthy and answers 502; set healthCheck.path (e.g. /health)"
  );
}

/** The resource's name names every object it makes, a Service among them. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length <= 63 && SERVICE_NAME.test(name)) return undefined;
  return (
    `${KIND} '${name}': the name '${name}' names its Deployment, Service, route and policies, so it must be a DNS label: ` +
    "lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters"
  );
}

/** Every problem of the properties given; an empty list when all are valid. */
export function webSocketServiceProblems(name: string, input: WebSocketServiceInput): string[] {
  const problems: (string | undefined)[] = [];
  const at = (property: string, detail: string | undefined) => problems.push(detail && problem(name, property, detail));

  if (input.image !== undefined) at("image", typeof input.image === "string" && input.image.trim() !== "" ? undefined : `${show(input.image)} is not an image; expected a name such as agc.local/ws-echo:dev`);
  if (input.port !== undefined) at("port", portProblem(input.port));
  if (input.replicas !== undefined && !isIntegerBetween(input.replicas, 0, Number.MAX_SAFE_INTEGER)) {
    at("replicas", `${show(input.replicas)} is not a number of replicas; expected an integer of 0 or more`);
  }
  if (input.namespace !== undefined && !isDns1123Label(input.namespace)) {
    at("namespace", `${show(input.namespace)} is not a namespace; expected lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`);
  }
  if (input.hostname !== undefined) at("hostname", hostnameProblem(input.hostname));
  if (input.path !== undefined) at("path", routePathProblem(input.path));
  if (input.frontend !== undefined) at("frontend", frontendProblem(input.frontend));
  if (input.routeKind !== undefined && !(ROUTE_KINDS as readonly unknown[]).includes(input.routeKind)) {
    at("routeKind", `${show(input.routeKind)} is not a route kind; expected ${ROUTE_KINDS.join(" or ")}`);
  }
  if (input.routeTimeout !== undefined) {
    if (input.routeKind === "Ingress") {
      at("routeTimeout", "a RoutePolicy applies to HTTPRoutes only, and routeKind is Ingress; leave routeTimeout out (the gateway's 60 s request timeout applies) or use routeKind HTTPRoute");
    } else if (!(typeof input.routeTimeout === "string" && new RegExp(DURATION_PATTERN).test(input.routeTimeout))) {
      at("routeTimeout", `${show(input.routeTimeout)} is not a duration; expected a Gateway API duration such as 0s (no limit), 30s, 5m or 1h`);
    }
  }
  if (input.healthCheck !== undefined) problems.push(...healthCheckProblems(input.healthCheck).map(([property, detail]) => problem(name, `healthCheck.${property}`, detail)));
  return problems.filter((p): p is string => p !== undefined);
}

function portProblem(port: unknown): string | undefined {
  return isIntegerBetween(port, 1, 65535) ? undefined : `${show(port)} is not a port; expected an integer from 1 to 65535`;
}

function hostnameProblem(hostname: unknown): string | undefined {
  const valid = typeof hostname === "string" && isDns1123Subdomain(hostname) && isIP(hostname) === 0;
  if (valid) return undefined;
  return `${show(hostname)} is not a DNS name; expected lower-case letters, digits, '-' and '.', such as ws.contoso.com (at most 253 characters, not an IP address)`;
}

/** A route path is matched as the data plane normalizes it: the path given must be that form. */
function routePathProblem(path: unknown): string | undefined {
  if (typeof path !== "string" || !path.startsWith("/")) return `${show(path)} does not start with '/'; expected an absolute path such as /ws`;
  if (!PATH_CHARACTERS.test(path)) return `'${path}' holds a character a route path cannot (a query, a fragment, a space...); expected letters, digits, - . _ ~ / and %XX escapes, such as /ws`;
  const normalized = normalizePath(path);
  if (normalized !== path) return `'${path}' is not in the form requests are matched in; expected ${normalized === null ? "a path with valid %XX escapes" : `'${normalized}'`}`;
  return undefined;
}

function frontendProblem(reference: unknown): string | undefined {
  const expected = "expected the Frontend itself, its id (<namespace>/frontends/<name>), <namespace>/<name> or a name";
  if (typeof reference !== "string" || reference === "") return `${show(reference)} is not a Frontend reference; ${expected}`;
  const parts = reference.split("/");
  if (parts.length === 3) {
    const parsed = parseId(reference, "Frontend");
    return parsed.ok ? undefined : parsed.error;
  }
  if (parts.length > 3 || parts.some((p) => p === "")) return `'${reference}' is not a Frontend reference; ${expected}`;
  if (parts.length === 2 && !isDns1123Label(parts[0])) {
    return `'${reference}': '${parts[0]}' is not a namespace (lower-case letters, digits and '-', at most 63 characters); ${expected}`;
  }
  return undefined;
}

function healthCheckProblems(h: HealthCheck): [string, string][] {
  const found: [string, string][] = [];
  if (h.path !== undefined && !(typeof h.path === "string" && h.path.startsWith("/"))) {
    found.push(["path", `${show(h.path)} does not start with '/'; expected a path such as /health`]);
  } else if (h.path !== undefined && h.path.length > 1024) {
    found.push(["path", `is ${h.path.length} characters long; expected at most 1024`]);
  }
  const seconds = (property: "intervalSeconds" | "timeoutSeconds") => {
    const value = h[property];
    if (value !== undefined && !isIntegerBetween(value, 1, 86_400)) found.push([property, `${show(value)} is not a number of seconds; expected an integer from 1 to 86400`]);
  };
  seconds("intervalSeconds");
  seconds("timeoutSeconds");
  for (const property of ["healthyThreshold", "unhealthyThreshold"] as const) {
    const value = h[property];
    if (value !== undefined && !isIntegerBetween(value, 1, 100)) found.push([property, `${show(value)} is not a count of probes; expected an integer from 1 to 100`]);
  }
  if (h.port !== undefined) {
    const detail = portProblem(h.port);
    if (detail) found.push(["port", detail]);
  }
  (h.statusCodes ?? []).forEach((range, i) => {
    if (!(isIntegerBetween(range?.start, 100, 599) && isIntegerBetween(range?.end, 100, 599) && range.start <= range.end)) {
      found.push([`statusCodes[${i}]`, `${show(range)} is not a range of status codes; expected { start, end } from 100 to 599, start not above end, such as { start: 200, end: 299 }`]);
    }
  });
  return found;
}
