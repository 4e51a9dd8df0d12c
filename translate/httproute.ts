// HTTPRoute: attachment to listeners (parentRefs, allowedRoutes, host names), the IR routes of
// each rule and match, and the route's status per parent.
import { HeaderMatch, Route } from "../model/ir";
import { checkKubernetesNameLength } from "../model/rules";
import { KubeObject, ReportViolation, StatusUpdate } from "./types";
import { GATEWAY_API_VERSION, GATEWAY_GROUP, compact, durationMs, generationOf, irName, keyOf, namespaceOf } from "./objects";
import { Problem, StatusCondition, condition, conditionFrom, messagesOf } from "./conditions";
import { intersectHostnames } from "./hostnames";
import { BackendContext, RuleBackend, placeBackends, resolveServiceRef } from "./backends";
import { RouteSettings } from "./policies";
import { RouteMatch, compileMatch } from "./matches";
import { RuleAction, applyFilter } from "./filters";
import { DataplaneBuilder } from "./dataplane";
import { GatewayState, gatewayAccepted } from "./gateway/gateways";
import { Listener, allowsNamespace, attachable } from "./gateway/listeners";
import { hostExclusionMatch, hostnamesOwnedElsewhere, isolateHostnames } from "./gateway/isolation";

export interface RouteContext {
  controllerName: string;
  gateways: ReadonlyMap<string, GatewayState>;
  namespaces: readonly KubeObject[];
  backends: BackendContext;
  routeSettings: ReadonlyMap<string, RouteSettings>;
  builderFor: (state: GatewayState) => DataplaneBuilder;
  report: ReportViolation;
}

/** A rule ready to place: its matches, and what every match of it does. */
interface CompiledRule {
  index: number;
  matches: RouteMatch[];
  backends: RuleBackend[];
  action: RuleAction;
  redirects: boolean;
}

interface CompiledRoute {
  rules: CompiledRule[];
  /** Backend references that did not resolve (ResolvedRefs=False). */
  unresolved: Problem[];
  /** Rules left out or answered 500 for what we do not support (PartiallyInvalid). */
  partial: Problem[];
}

export function translateHttpRoute(route: KubeObject, context: RouteContext): StatusUpdate | undefined {
  const compiled = compileRoute(route, context);
  const attached = new Map<Listener, string[] | undefined>();
  const parents: unknown[] = [];
  const nameViolation = checkKubernetesNameLength({ kind: "HTTPRoute", name: keyOf(route) }, "metadata.name", route.metadata.name);
  // Every rule dropped: the route is not accepted at all (and PartiallyInvalid is not set).
  const refused: Problem | undefined = nameViolation
    ? { reason: "UnsupportedValue", message: nameViolation.message }
    : compiled.rules.length === 0 && compiled.partial.length > 0
      ? { reason: "UnsupportedValue", message: `no rule can be served: ${messagesOf(compiled.partial)}` }
      : undefined;
  for (const ref of (route.spec?.parentRefs as any[]) ?? []) {
    const state = parentGateway(ref, route, context);
    if (!state) continue; // not a Gateway of ours: another controller reports on it
    const result: Problem | Map<Listener, string[] | undefined> = refused ?? attach(route, ref, state, context);
    if (result instanceof Map) for (const [l, hosts] of result) attached.set(l, hosts);
    parents.push(parentStatus(ref, result, compiled, context.controllerName, generationOf(route)));
  }
  if (parents.length === 0) return undefined;
  context.report(nameViolation);
  for (const l of attached.keys()) l.attachedRoutes.add(`HTTPRoute/${keyOf(route)}`);
  placeRoute(route, compiled, attached, context);
  return { apiVersion: GATEWAY_API_VERSION, kind: "HTTPRoute", namespace: namespaceOf(route), name: route.metadata.name, status: { parents } };
}

function parentGateway(ref: any, route: KubeObject, context: RouteContext): GatewayState | undefined {
  if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? "Gateway") !== "Gateway") return undefined;
  return context.gateways.get(`${ref.namespace ?? namespaceOf(route)}/${ref.name}`);
}

/** The listeners a parentRef attaches the route to, with the host names served through each; or why none. */
function attach(route: KubeObject, ref: any, state: GatewayState, context: RouteContext): Problem | Map<Listener, string[] | undefined> {
  const gatewayName = keyOf(state.gateway);
  if (!state.binding || !gatewayAccepted(state)) return { reason: "NoMatchingParent", message: `Gateway ${gatewayName} is not accepted` };
  const named = state.listeners.filter((l) => (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port));
  if (named.length === 0) {
    const wanted = [ref.sectionName !== undefined ? `named '${ref.sectionName}'` : "", ref.port !== undefined ? `on port ${ref.port}` : ""].filter(Boolean).join(" ");
    return { reason: "NoMatchingParent", message: `Gateway ${gatewayName} has no listener ${wanted}` };
  }
  const allowed = named.filter(
    (l) => attachable(l) && l.supportedKinds.some((k) => k.kind === "HTTPRoute") && allowsNamespace(l, namespaceOf(route), context.namespaces),
  );
  if (allowed.length === 0) {
    return { reason: "NotAllowedByListeners", message: `no listener of Gateway ${gatewayName} allows HTTPRoutes from namespace ${namespaceOf(route)}` };
  }
  const result = new Map<Listener, string[] | undefined>();
  for (const l of allowed) {
    const hosts = intersectHostnames(l.hostname, route.spec?.hostnames ?? []);
    if (hosts === undefined || hosts.length > 0) result.set(l, hosts);
  }
  if (result.size === 0) {
    return { reason: "NoMatchingListenerHostname", message: `no host name of the route matches a listener of Gateway ${gatewayName}` };
  }
  return result;
}

function parentStatus(ref: any, result: Problem | Map<Listener, unknown>, compiled: CompiledRoute, controllerName: string, generation: number): unknown {
  const accepted =
    result instanceof Map
      ? condition("Accepted", true, "Accepted", `attached to listener(s) ${[...result.keys()].map((l) => l.name).join(", ")}`, generation)
      : condition("Accepted", false, result.reason, result.message, generation);
  const conditions: StatusCondition[] = [accepted, conditionFrom("ResolvedRefs", compiled.unresolved, "ResolvedRefs", "every backend reference resolved", generation)];
  if (compiled.partial.length && result instanceof Map) {
    conditions.push(droppedRules(messagesOf(compiled.partial), generation));
  }
  // The parentRef as written, with the defaults the API server fills in (group and kind).
  return { parentRef: { group: GATEWAY_GROUP, kind: "Gateway", ...ref }, controllerName, conditions };
}

/** PartiallyInvalid in the specification's wording: the message starts with "Dropped Rule". */
export function droppedRules(message: string, generation: number): StatusCondition {
  return condition("PartiallyInvalid", true, "UnsupportedValue", `Dropped Rules: ${message}`, generation);
}

// ---- rules ------------------------------------------------------------------------------------

function compileRoute(route: KubeObject, context: RouteContext): CompiledRoute {
  const out: CompiledRoute = { rules: [], unresolved: [], partial: [] };
  const settings = context.routeSettings.get(keyOf(route)) ?? {};
  ((route.spec?.rules as any[]) ?? []).forEach((rule, index) => {
    const compiled = compileRule(route, rule, index, settings, context, out);
    if (compiled) out.rules.push(compiled);
  });
  return out;
}

function compileRule(route: KubeObject, rule: any, index: number, settings: RouteSettings, context: RouteContext, out: CompiledRoute): CompiledRule | undefined {
  const where = `spec.rules[${index}]`;
  const matches = (((rule.matches as any[])?.length ? rule.matches : [{}]) as any[]).map((m, i) => compileMatch(m, `${where}.matches[${i}]`));
  const action: CompiledRule["action"] = {};
  const unsupported: string[] = [];
  const invalid: string[] = matches.flatMap((m) => (m.problem ? [m.problem] : []));
  ((rule.filters as any[]) ?? []).forEach((f, i) => applyFilter(f, `${where}.filters[${i}]`, action, unsupported, invalid));
  if (invalid.length) {
    out.partial.push({ reason: "UnsupportedValue", message: `${invalid[0]}; the rule is left out` });
    return undefined;
  }
  const request = durationMs(rule.timeouts?.request);
  const backendRequest = durationMs(rule.timeouts?.backendRequest) ?? settings.backendRequestTimeoutMs;
  if (request !== undefined) action.requestTimeoutMs = request;
  if (backendRequest !== undefined) action.backendRequestTimeoutMs = backendRequest;
  const prefixRewrite = [action.rewrite?.path, action.redirect?.path].some((p) => p?.type === "ReplacePrefixMatch");
  if (prefixRewrite && matches.some((m) => m.match.path?.type !== "PathPrefix")) {
    out.partial.push({ reason: "UnsupportedValue", message: `${where}: ReplacePrefixMatch needs PathPrefix matches only; the rule is left out` });
    return undefined;
  }
  let backends = ((rule.backendRefs as any[]) ?? []).map((ref, i) => compileBackend(route, ref, `${where}.backendRefs[${i}]`, settings, context, out));
  if (unsupported.length) {
    const message = `${where}: ${unsupported.join(", ")} not supported; the rule answers 500`;
    out.partial.push({ reason: "UnsupportedValue", message });
    backends = [{ invalid: message, weight: 1 }];
    delete action.redirect;
  }
  return { index, matches: matches.map((m) => m.match), backends, action, redirects: action.redirect !== undefined };
}

function compileBackend(route: KubeObject, ref: any, where: string, settings: RouteSettings, context: RouteContext, out: CompiledRoute): RuleBackend {
  const weight = ref.weight ?? 1;
  if ((ref.filters as any[])?.length) {
    const message = `${where}.filters: filters on a backend are not supported`;
    out.partial.push({ reason: "UnsupportedValue", message });
    return { invalid: message, weight };
  }
  const resolved = resolveServiceRef(
    context.backends,
    { group: GATEWAY_GROUP, kind: "HTTPRoute", namespace: namespaceOf(route) },
    { group: ref.group, kind: ref.kind, namespace: ref.namespace, name: ref.name, port: ref.port },
    settings.sessionAffinity,
  );
  if (resolved.ok) return { cluster: resolved.cluster, service: resolved.service, weight };
  out.unresolved.push({ reason: resolved.reason, message: `${where}: ${resolved.message}` });
  return { invalid: resolved.message, weight };
}

// ---- placing into data planes -----------------------------------------------------------------

/** The IR frontends of a route's listeners in one data plane that serve the same host names. */
interface HostGroup {
  hostnames: string[] | undefined;
  hostExclusion?: HeaderMatch;
  frontends: Set<string>;
}

/** One IR route per rule, match and set of host names, in each data plane the route reaches. */
function placeRoute(route: KubeObject, compiled: CompiledRoute, attached: Map<Listener, string[] | undefined>, context: RouteContext): void {
  const groups = new Map<DataplaneBuilder, Map<string, HostGroup>>();
  for (const [listener, attachedHosts] of attached) {
    const state = context.gateways.get(keyOf(listener.gateway))!;
    const frontend = state.irFrontends.get(listener);
    if (!frontend) continue; // attached, but the listener is not programmed
    const { hosts: hostnames, excluded } = isolateHostnames(attachedHosts, hostnamesOwnedElsewhere(listener, state.listeners));
    if (hostnames?.length === 0) continue; // every host name it shares with the listener belongs to another listener
    const builder = context.builderFor(state);
    const byHosts = groups.get(builder) ?? new Map<string, HostGroup>();
    groups.set(builder, byHosts);
    const key = `${hostnames ? [...hostnames].sort().join(",") : "*"}|${excluded.join(",")}`;
    const group = byHosts.get(key) ?? { hostnames, hostExclusion: hostExclusionMatch(excluded), frontends: new Set<string>() };
    group.frontends.add(frontend);
    byHosts.set(key, group);
  }
  for (const [builder, byHosts] of groups) {
    // Several groups in one data plane: the group's index tells their routes' names apart.
    [...byHosts.values()].forEach((group, g) => placeGroup(route, compiled, builder, group, g, byHosts.size > 1));
  }
}

function placeGroup(route: KubeObject, compiled: CompiledRoute, builder: DataplaneBuilder, group: HostGroup, g: number, numbered: boolean): void {
  for (const rule of compiled.rules) {
    const backends = rule.redirects ? undefined : placeBackends(rule.backends, builder);
    rule.matches.forEach((match, m) => {
      const name = irName("httproute", namespaceOf(route), route.metadata.name, rule.index, m, ...(numbered ? [g] : []));
      builder.addRoute(
        { creationTimestamp: route.metadata.creationTimestamp ?? "", sourceKind: "HTTPRoute", source: keyOf(route), rule: rule.index, match: m, group: g },
        compact({
          name,
          frontends: [...group.frontends].sort(),
          hostnames: group.hostnames,
          ...match,
          ...(group.hostExclusion ? { headers: [...(match.headers ?? []), group.hostExclusion] } : {}),
          backends,
          ...rule.action,
        }) as Route,
      );
    });
  }
}
