// The whole translation, as one pure function: classes, bindings, listeners, routes, Ingresses,
// policies and limits, then every data plane's IR and every status, sorted.
import { Snapshot, StatusUpdate, TranslateOptions, TranslateResult, Warning } from "./types";
import { byCreationThenName, byKey, compareText, keyOf, live, namespaceOf } from "./objects";
import { gatewayClassStatus, ourGatewayClasses } from "./gatewayclass";
import { resolvePolicies } from "./policies";
import { Binding, Bindings, refuseSharedFrontends } from "./bindings";
import { DataplaneBuilder, ownerKey } from "./dataplane";
import { GatewayState, gatewayState, gatewayStatus, programListeners } from "./gateway/gateways";
import { translateHttpRoute } from "./httproute";
import { ingressStatus, ourIngresses, translateIngress } from "./ingress";
import { checkDataplaneLimits, checkDelegatedSubnets } from "./limits";
import { Problem } from "./conditions";
import { checkKubernetesNameLength } from "../model/rules";

/** Every data plane's IR and every status, from one snapshot. Deterministic; no clock. */
export function translate(snapshot: Snapshot, options: TranslateOptions): TranslateResult {
  const statuses: StatusUpdate[] = [];
  const warnings: Warning[] = [];
  const classes = ourGatewayClasses(snapshot.gatewayClasses, options.controllerName);
  statuses.push(...classes.map(gatewayClassStatus));
  const policies = resolvePolicies(snapshot.healthCheckPolicies, snapshot.routePolicies, snapshot.services, snapshot.httpRoutes);
  statuses.push(...policies.statuses);

  const bindings = new Bindings(snapshot);
  const builders = new Map<string, DataplaneBuilder>();
  const builderOf = (binding: Binding) => {
    const key = ownerKey(binding.owner);
    if (!builders.has(key)) builders.set(key, new DataplaneBuilder(binding.owner));
    return builders.get(key)!;
  };
  for (const tc of live(snapshot.trafficControllers)) {
    const owner = { kind: "TrafficController" as const, namespace: namespaceOf(tc), name: tc.metadata.name };
    builders.set(ownerKey(owner), new DataplaneBuilder(owner));
  }

  // Bind consumers, then refuse those sharing a Frontend (AGC011).
  const classNames = new Set(classes.map((c) => c.metadata.name));
  const gateways = live(snapshot.gateways).filter((g) => classNames.has(g.spec?.gatewayClassName)).sort(byKey);
  const ingresses = ourIngresses(snapshot.ingresses, snapshot.ingressClasses, options.ingressController ?? options.controllerName);
  const gatewayBindings = gateways.map((g) => bindings.bindGateway(g));
  const ingressBindings = ingresses.map((i): ReturnType<Bindings["bindIngress"]> => {
    const longName = checkKubernetesNameLength({ kind: "Ingress", name: keyOf(i) }, "metadata.name", i.metadata.name);
    return longName ? { ok: false, problem: { reason: "Invalid", message: longName.message } } : bindings.bindIngress(i);
  });
  const refused = refuseSharedFrontends([...gatewayBindings, ...ingressBindings].flatMap((b) => (b.ok ? [b.binding] : [])));
  const effective = (b: (typeof gatewayBindings)[number]): Binding | Problem => (!b.ok ? b.problem : refused.get(b.binding) ?? b.binding);

  const listenerContext = { secrets: snapshot.secrets, referenceGrants: snapshot.referenceGrants };
  const states = new Map<string, GatewayState>();
  gateways.forEach((g, i) => {
    const state = gatewayState(g, effective(gatewayBindings[i]), listenerContext);
    if (state.binding) programListeners(state, builderOf(state.binding));
    states.set(keyOf(g), state);
  });

  const routeContext = {
    controllerName: options.controllerName,
    gateways: states,
    namespaces: snapshot.namespaces,
    backends: { services: live(snapshot.services), endpointSlices: snapshot.endpointSlices, referenceGrants: snapshot.referenceGrants, healthChecks: policies.healthChecks },
    routeSettings: policies.routeSettings,
    builderFor: (state: GatewayState) => builderOf(state.binding!),
  };
  for (const route of live(snapshot.httpRoutes).sort(byCreationThenName)) {
    const status = translateHttpRoute(route, routeContext);
    if (status) statuses.push(status);
  }

  const ingressProblems = new Map<string, Problem[]>();
  ingresses.forEach((ingress, i) => {
    const binding = effective(ingressBindings[i]);
    if ("reason" in binding) {
      ingressProblems.set(keyOf(ingress), [binding]);
      statuses.push(ingressStatus(ingress, undefined, snapshot.addresses));
      return;
    }
    ingressProblems.set(keyOf(ingress), translateIngress(binding, builderOf(binding), { backends: routeContext.backends, secrets: snapshot.secrets }));
    statuses.push(ingressStatus(ingress, binding, snapshot.addresses));
  });

  // A Frontend nobody uses still answers on port 80 (404), so its Service has a port.
  for (const { owner, slot } of bindings.frontendSlots()) {
    const builder = builders.get(ownerKey(owner))!;
    if (!builder.serves(slot)) builder.listen(slot, 80);
  }

  applyLimits(builders, states, ingresses, ingressBindings.map(effective), ingressProblems);
  const subnetViolations = checkDelegatedSubnets(snapshot);
  for (const state of states.values()) {
    const owner = state.binding?.owner;
    const v = owner?.kind === "TrafficController" ? subnetViolations.get(`${owner.namespace}/${owner.name}`) : undefined;
    if (v) state.subnetProblems.push({ reason: "SubnetShared", message: v.message });
    statuses.push(gatewayStatus(state, snapshot.addresses));
  }
  for (const [key, problems] of ingressProblems) {
    const [namespace, name] = key.split("/");
    for (const p of problems) warnings.push({ regarding: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace, name }, reason: p.reason, message: p.message });
  }

  return {
    // A managed Gateway or Ingress with nothing to serve gets no data plane; a TrafficController always has one.
    dataplanes: [...builders.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([, b]) => b.build())
      .filter((d) => d.owner.kind === "TrafficController" || d.ir.frontends.length > 0),
    statuses: statuses.sort(byStatusKey),
    warnings: warnings.sort((a, b) => compareText(`${a.regarding.kind}/${a.regarding.namespace}/${a.regarding.name}`, `${b.regarding.kind}/${b.regarding.namespace}/${b.regarding.name}`)),
  };
}

/** AGC013 per data plane: every Gateway on an over-limit data plane is not programmed; Ingresses get a warning. */
function applyLimits(
  builders: Map<string, DataplaneBuilder>,
  states: Map<string, GatewayState>,
  ingresses: readonly { metadata: { name: string; namespace?: string } }[],
  ingressBindings: readonly (Binding | Problem)[],
  ingressProblems: Map<string, Problem[]>,
): void {
  for (const builder of builders.values()) {
    const onIt = [...states.values()].filter((s) => s.binding && ownerKey(s.binding.owner) === ownerKey(builder.owner));
    const ingressesOnIt = ingresses.filter((_, i) => { const b = ingressBindings[i]; return !("reason" in b) && ownerKey(b.owner) === ownerKey(builder.owner); });
    const routeSources = new Set(onIt.flatMap((s) => s.listeners.flatMap((l) => [...l.attachedRoutes])));
    const violations = checkDataplaneLimits(builder, {
      listeners: onIt.reduce((n, s) => n + s.listeners.length, 0) + ingressesOnIt.length,
      routeSources: routeSources.size + ingressesOnIt.length,
    });
    if (!violations.length) continue;
    // The rule names a TrafficController; a managed data plane belongs to a Gateway or Ingress.
    const owner = `${builder.owner.kind} '${builder.owner.namespace}/${builder.owner.name}'`;
    const problems = violations.map((v) => ({ reason: "NoResources", message: `${owner}: property ${v.property}: ${v.detail} [${v.code}]` }));
    for (const s of onIt) s.programProblems.push(...problems);
    for (const ing of ingressesOnIt) ingressProblems.get(keyOf(ing as any))?.push(...problems);
  }
}

const KIND_ORDER = ["GatewayClass", "Gateway", "HTTPRoute", "Ingress", "HealthCheckPolicy", "RoutePolicy"];

function byStatusKey(a: StatusUpdate, b: StatusUpdate): number {
  return KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compareText(a.namespace ?? "", b.namespace ?? "") || compareText(a.name, b.name);
}
