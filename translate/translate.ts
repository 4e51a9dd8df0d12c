// The whole translation, as one pure function, in steps: classes and policies; bindings of
// Gateways and Ingresses to data planes; listeners; routes; Ingresses; limits; then every data
// plane's IR and every status, sorted.
import { Violation, checkKubernetesNameLength, sortViolations } from "../model/rules";
import { KubeObject, Snapshot, StatusUpdate, TranslateOptions, TranslateResult, Warning } from "./types";
import { byCreationThenName, byKey, compareText, keyOf, live, namespaceOf } from "./objects";
import { gatewayClassStatus, ourGatewayClasses } from "./gatewayclass";
import { Policies, resolvePolicies } from "./policies";
import { Binding, BindingResult, Bindings, refuseSharedFrontends } from "./bindings";
import { DataplaneBuilder, ownerKey } from "./dataplane";
import { GatewayState, gatewayState, gatewayStatus, programListeners } from "./gateway/gateways";
import { RouteContext, translateHttpRoute } from "./httproute";
import { ingressStatus, ourIngresses, translateIngress } from "./ingress";
import { checkDataplaneLimits, checkDelegatedSubnets } from "./limits";
import { Problem } from "./conditions";
import { reportRefusedRoutes, withoutRefusedRoutes } from "./validate";
import { parseIr } from "../model/ir";

/** Every data plane's IR and every status, from one snapshot. Deterministic; no clock. */
export function translate(snapshot: Snapshot, options: TranslateOptions): TranslateResult {
  const t = new Translation(snapshot, options);
  t.translateGateways();
  t.translateRoutes();
  t.translateIngresses();
  t.openUnusedFrontends();
  t.checkLimits();
  return t.result();
}

interface IngressState {
  ingress: KubeObject;
  binding?: Binding;
  /** Reported as warnings (an Ingress has no conditions). */
  problems: Problem[];
}

class Translation {
  private readonly statuses: StatusUpdate[] = [];
  private readonly violations = new Map<string, Violation>();
  /** Each rule a step finds broken, once however many objects report it. */
  private readonly report = (v: Violation | undefined): void => {
    if (v) this.violations.set(v.message, v);
  };
  private readonly builders = new Map<string, DataplaneBuilder>();
  private readonly gateways = new Map<string, GatewayState>();
  private readonly ingresses: IngressState[] = [];
  private readonly policies: Policies;
  private readonly bindings: Bindings;
  private readonly gatewayBindings: Map<KubeObject, Binding | Problem>;
  private readonly routeContext: RouteContext;

  constructor(
    private readonly snapshot: Snapshot,
    private readonly options: TranslateOptions,
  ) {
    const classes = ourGatewayClasses(snapshot.gatewayClasses, options.controllerName);
    this.statuses.push(...classes.map((c) => gatewayClassStatus(c, snapshot.gatewayApiBundleVersion)));
    this.policies = resolvePolicies(snapshot.healthCheckPolicies, snapshot.routePolicies, snapshot.services, snapshot.httpRoutes);
    this.statuses.push(...this.policies.statuses);
    for (const tc of live(snapshot.trafficControllers)) this.builderOf({ kind: "TrafficController", namespace: namespaceOf(tc), name: tc.metadata.name });
    this.bindings = new Bindings(snapshot);
    const classNames = new Set(classes.map((c) => c.metadata.name));
    const gateways = live(snapshot.gateways).filter((g) => classNames.has(g.spec?.gatewayClassName)).sort(byKey);
    const ingresses = ourIngresses(snapshot.ingresses, snapshot.ingressClasses, options.ingressController ?? options.controllerName);
    this.gatewayBindings = this.bindConsumers(gateways, ingresses);
    this.routeContext = {
      controllerName: options.controllerName,
      gateways: this.gateways,
      namespaces: snapshot.namespaces,
      backends: {
        services: live(snapshot.services),
        endpointSlices: snapshot.endpointSlices,
        referenceGrants: snapshot.referenceGrants,
        healthChecks: this.policies.healthChecks,
        pods: snapshot.pods ?? [],
      },
      routeSettings: this.policies.routeSettings,
      builderFor: (state) => this.builderOf(state.binding!.owner),
      report: this.report,
    };
  }

  private builderOf(owner: Binding["owner"]): DataplaneBuilder {
    const key = ownerKey(owner);
    if (!this.builders.has(key)) this.builders.set(key, new DataplaneBuilder(owner));
    return this.builders.get(key)!;
  }

  /** Each consumer's data plane; those sharing a Frontend after its first user are refused (AGC011). */
  private bindConsumers(gateways: KubeObject[], ingresses: KubeObject[]): Map<KubeObject, Binding | Problem> {
    const results = new Map<KubeObject, BindingResult>();
    for (const g of gateways) results.set(g, this.bindings.bindGateway(g));
    for (const i of ingresses) {
      const longName = checkKubernetesNameLength({ kind: "Ingress", name: keyOf(i) }, "metadata.name", i.metadata.name);
      this.report(longName);
      results.set(i, longName ? { ok: false, problem: { reason: "Invalid", message: longName.message } } : this.bindings.bindIngress(i));
    }
    const refused = refuseSharedFrontends([...results.values()].flatMap((b) => (b.ok ? [b.binding] : [])), this.report);
    const effective = (b: BindingResult): Binding | Problem => (!b.ok ? b.problem : refused.get(b.binding) ?? b.binding);
    for (const i of ingresses) {
      const binding = effective(results.get(i)!);
      this.ingresses.push("reason" in binding ? { ingress: i, problems: [binding] } : { ingress: i, binding, problems: [] });
    }
    return new Map(gateways.map((g) => [g, effective(results.get(g)!)]));
  }

  translateGateways(): void {
    const context = { secrets: this.snapshot.secrets, referenceGrants: this.snapshot.referenceGrants, report: this.report };
    for (const [gateway, binding] of this.gatewayBindings) {
      const state = gatewayState(gateway, binding, context);
      if (state.binding) programListeners(state, this.builderOf(state.binding.owner));
      this.gateways.set(keyOf(gateway), state);
    }
  }

  translateRoutes(): void {
    for (const route of live(this.snapshot.httpRoutes).sort(byCreationThenName)) {
      const status = translateHttpRoute(route, this.routeContext);
      if (status) this.statuses.push(status);
    }
  }

  translateIngresses(): void {
    const context = { backends: this.routeContext.backends, secrets: this.snapshot.secrets };
    for (const state of this.ingresses) {
      if (state.binding) state.problems.push(...translateIngress(state.binding, this.builderOf(state.binding.owner), context));
      this.statuses.push(ingressStatus(state.ingress, state.binding, this.snapshot.addresses));
    }
  }

  /** A Frontend nobody uses still answers on port 80 (404), so its Service has a port. */
  openUnusedFrontends(): void {
    for (const { owner, slot } of this.bindings.frontendSlots()) {
      const builder = this.builderOf(owner);
      if (!builder.serves(slot)) builder.listen(slot, 80);
    }
  }

  /** AGC013 per data plane (not programmed), AGC006 per TrafficController's subnet (a condition of its own). */
  checkLimits(): void {
    for (const builder of this.builders.values()) {
      const key = ownerKey(builder.owner);
      const gateways = [...this.gateways.values()].filter((s) => s.binding && ownerKey(s.binding.owner) === key);
      const ingresses = this.ingresses.filter((s) => s.binding && ownerKey(s.binding.owner) === key);
      const routeSources = new Set(gateways.flatMap((s) => s.listeners.flatMap((l) => [...l.attachedRoutes])));
      const violations = checkDataplaneLimits(builder, {
        listeners: gateways.reduce((n, s) => n + s.listeners.length, 0) + ingresses.length,
        routeSources: routeSources.size + ingresses.length,
      });
      violations.forEach(this.report);
      const problems = violations.map((v) => ({ reason: "NoResources", message: v.message }));
      for (const s of gateways) s.programProblems.push(...problems);
      for (const s of ingresses) s.problems.push(...problems);
    }
    const subnets = checkDelegatedSubnets(this.snapshot);
    subnets.violations.forEach(this.report);
    for (const state of this.gateways.values()) {
      const owner = state.binding?.owner;
      const found = owner?.kind === "TrafficController" ? subnets.byTrafficController.get(`${owner.namespace}/${owner.name}`) : undefined;
      if (found) state.subnetProblems.push({ reason: "SubnetShared", message: found.message });
    }
  }

  result(): TranslateResult {
    const statuses = [...this.statuses, ...[...this.gateways.values()].map((s) => gatewayStatus(s, this.snapshot.addresses))];
    const warnings: Warning[] = this.ingresses.flatMap(({ ingress, problems }) =>
      problems.map((p) => ({
        regarding: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: namespaceOf(ingress), name: ingress.metadata.name },
        reason: p.reason,
        message: p.message,
      })),
    );
    const refused: Warning[] = [];
    // A managed Gateway or Ingress with nothing to serve gets no data plane; a TrafficController always has one.
    const dataplanes = [...this.builders.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([, builder]) => ({ builder, dataplane: builder.build() }))
      .filter(({ dataplane }) => dataplane.owner.kind === "TrafficController" || dataplane.ir.frontends.length > 0)
      .map(({ builder, dataplane }) => {
        const checked = withoutRefusedRoutes(dataplane, builder.routeSources(), this.options.validateIr ?? parseIr);
        refused.push(...checked.warnings);
        return checked.dataplane;
      });
    reportRefusedRoutes(statuses, refused);
    warnings.push(...refused);
    return {
      dataplanes,
      statuses: statuses.sort(byStatusKey),
      warnings: warnings.sort((a, b) => compareText(regardingKey(a), regardingKey(b))),
      violations: sortViolations([...this.violations.values()]),
    };
  }
}

const regardingKey = (w: Warning) => `${w.regarding.kind}/${w.regarding.namespace}/${w.regarding.name}`;

const KIND_ORDER = ["GatewayClass", "Gateway", "HTTPRoute", "Ingress", "HealthCheckPolicy", "RoutePolicy"];

function byStatusKey(a: StatusUpdate, b: StatusUpdate): number {
  return KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compareText(a.namespace ?? "", b.namespace ?? "") || compareText(a.name, b.name);
}
