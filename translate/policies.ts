// Our policies: HealthCheckPolicy (a Service's probe) and RoutePolicy (an HTTPRoute's backend
// timeout and session affinity). The oldest policy per target wins; the others say so.
import { HealthCheck, SessionAffinity } from "../model/ir";
import { API_VERSION } from "../model/kinds";
import { KubeObject, StatusUpdate } from "./types";
import { GATEWAY_GROUP, byCreationThenName, compact, durationMs, findNamed, generationOf, keyOf, live, namespaceOf } from "./objects";
import { Problem, conditionFrom } from "./conditions";

export interface RouteSettings {
  backendRequestTimeoutMs?: number;
  sessionAffinity?: SessionAffinity;
}

export interface Policies {
  healthChecks: Map<string, HealthCheck>;
  /** By HTTPRoute "ns/name". */
  routeSettings: Map<string, RouteSettings>;
  statuses: StatusUpdate[];
}

function targetKey(policy: KubeObject): string {
  return `${policy.spec?.targetRef?.namespace ?? namespaceOf(policy)}/${policy.spec?.targetRef?.name}`;
}

/**
 * Applies policies of one kind in creation order: the first valid one per target wins.
 * `apply` returns the setting, or the problems that keep it from applying.
 */
function applyPolicies<T>(
  kind: "HealthCheckPolicy" | "RoutePolicy",
  policies: readonly KubeObject[],
  targetExists: (key: string) => boolean,
  apply: (policy: KubeObject) => { value?: T; problems: Problem[]; note?: string },
): { applied: Map<string, T>; statuses: StatusUpdate[] } {
  const applied = new Map<string, T>();
  const winners = new Map<string, string>();
  const statuses: StatusUpdate[] = [];
  for (const policy of live(policies).sort(byCreationThenName)) {
    const key = targetKey(policy);
    const { value, problems, note } = targetExists(key)
      ? winners.has(key)
        ? { problems: [{ reason: "Conflicted", message: `${kind} ${winners.get(key)} already applies to ${key}` }] }
        : apply(policy)
      : { problems: [{ reason: "TargetNotFound", message: `${policy.spec?.targetRef?.kind ?? "target"} ${key} not found` }] };
    if (value !== undefined && problems.length === 0) {
      applied.set(key, value);
      winners.set(key, keyOf(policy));
    }
    const generation = generationOf(policy);
    statuses.push({
      apiVersion: API_VERSION,
      kind,
      namespace: namespaceOf(policy),
      name: policy.metadata.name,
      status: { conditions: [conditionFrom("Accepted", problems, "Accepted", note ?? `applies to ${key}`, generation)] },
    });
  }
  return { applied, statuses };
}

export function resolvePolicies(
  healthCheckPolicies: readonly KubeObject[],
  routePolicies: readonly KubeObject[],
  services: readonly KubeObject[],
  httpRoutes: readonly KubeObject[],
): Policies {
  const exists = (objects: readonly KubeObject[]) => (key: string) => {
    const [namespace, name] = key.split("/");
    return findNamed(live(objects), namespace, name) !== undefined;
  };
  const health = applyPolicies("HealthCheckPolicy", healthCheckPolicies, exists(services), (p) => healthCheckOf(p.spec?.default ?? {}));
  const routes = applyPolicies("RoutePolicy", routePolicies, exists(httpRoutes), (p) => routeSettingsOf(p));
  return { healthChecks: health.applied, routeSettings: routes.applied, statuses: [...health.statuses, ...routes.statuses] };
}

function healthCheckOf(spec: any): { value: HealthCheck; problems: Problem[] } {
  const problems: Problem[] = [];
  const ms = (field: string) => {
    if (spec[field] === undefined) return undefined;
    const value = durationMs(spec[field]);
    if (value === undefined) problems.push({ reason: "Invalid", message: `spec.default.${field}: '${spec[field]}' is not a duration such as 5s or 500ms` });
    return value;
  };
  const http = spec.http
    ? {
        ...(spec.http.host ? { host: spec.http.host } : {}),
        ...(spec.http.path ? { path: spec.http.path } : {}),
        ...(spec.http.match?.statusCodes ? { match: { statusCodes: spec.http.match.statusCodes.map((r: any) => ({ start: r.start, end: r.end })) } } : {}),
      }
    : undefined;
  const value: HealthCheck = compact({
    intervalMs: ms("interval"),
    timeoutMs: ms("timeout"),
    healthyThreshold: spec.healthyThreshold,
    unhealthyThreshold: spec.unhealthyThreshold,
    port: spec.port,
    http,
    useTLS: spec.useTLS,
  });
  return { value, problems };
}

function routeSettingsOf(policy: any): { value: RouteSettings; problems: Problem[]; note?: string } {
  const spec = policy.spec?.default ?? {};
  const problems: Problem[] = [];
  if (policy.spec?.targetRef?.group !== GATEWAY_GROUP || policy.spec?.targetRef?.kind !== "HTTPRoute") {
    problems.push({ reason: "Invalid", message: `spec.targetRef must name an HTTPRoute (group ${GATEWAY_GROUP})` });
  }
  let backendRequestTimeoutMs: number | undefined;
  if (spec.timeouts?.routeTimeout !== undefined) {
    backendRequestTimeoutMs = durationMs(spec.timeouts.routeTimeout);
    if (backendRequestTimeoutMs === undefined) problems.push({ reason: "Invalid", message: `spec.default.timeouts.routeTimeout: '${spec.timeouts.routeTimeout}' is not a duration such as 30s` });
  }
  const affinity = spec.sessionAffinity;
  if (affinity && affinity.affinityType !== "managed-cookie") {
    problems.push({ reason: "Invalid", message: `spec.default.sessionAffinity.affinityType '${affinity.affinityType}' is not supported yet; use managed-cookie` });
  }
  const note = affinity?.cookieDuration ? `applies; the managed cookie lasts for the browser session (cookieDuration '${affinity.cookieDuration}' is not applied)` : undefined;
  return {
    value: compact({ backendRequestTimeoutMs, sessionAffinity: affinity ? compact({ cookieName: affinity.cookieName }) : undefined }),
    problems,
    note,
  };
}
