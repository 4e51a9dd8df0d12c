// Collects one data plane's IR as consumers, listeners, routes and clusters are translated.
import { Cluster, Frontend, GatewayIr, IR_API_VERSION, Route, TlsCertificate, secretRefKey } from "../model/ir";
import { Dataplane, DataplaneOwner, FrontendService, addressKey } from "./types";
import { compareText, irName } from "./objects";
import { FrontendSlot, containerPort } from "./bindings";

/** Orders routes as Gateway API breaks ties: oldest source, then namespace/name, then rule and match. */
export interface RouteOrder {
  creationTimestamp: string;
  /** The object the route comes from: its kind, and "ns/name" (which also orders). */
  sourceKind: "HTTPRoute" | "Ingress";
  source: string;
  rule: number;
  match: number;
  group: number;
}

function compareOrder(a: RouteOrder, b: RouteOrder): number {
  return (
    compareText(a.creationTimestamp, b.creationTimestamp) ||
    compareText(a.source, b.source) ||
    a.rule - b.rule ||
    a.match - b.match ||
    a.group - b.group
  );
}

export function ownerKey(owner: DataplaneOwner): string {
  return `${owner.kind}/${owner.namespace}/${owner.name}`;
}

export class DataplaneBuilder {
  private readonly frontends = new Map<string, Frontend>();
  private readonly frontendServices = new Map<string, FrontendService>();
  private readonly routes: { order: RouteOrder; route: Route }[] = [];
  private readonly clusters = new Map<string, Cluster>();
  private readonly backendServices = new Set<string>();

  constructor(readonly owner: DataplaneOwner) {}

  /** The IR frontend for a slot's port (created on first use); TLS certificates accumulate, first is default. */
  listen(slot: FrontendSlot, port: number, certificates?: readonly TlsCertificate[]): string {
    const name = irName(slot.name, port);
    const existing = this.frontends.get(name);
    const frontend: Frontend = existing ?? { name, port: containerPort(slot, port) };
    if (certificates?.length) {
      const all = [...(frontend.tls?.certificates ?? [])];
      for (const c of certificates) if (!all.some((x) => JSON.stringify(x) === JSON.stringify(c))) all.push(c);
      frontend.tls = { certificates: all };
    }
    this.frontends.set(name, frontend);
    const key = addressKey(slot.kind, slot.namespace, slot.name);
    const service = this.frontendServices.get(key) ?? { addressKey: key, kind: slot.kind, namespace: slot.namespace, name: slot.name, ports: [] };
    if (!service.ports.some((p) => p.port === port)) service.ports.push({ port, targetPort: frontend.port, irFrontend: name });
    this.frontendServices.set(key, service);
    return name;
  }

  /** Whether a slot's Service has any port yet. */
  serves(slot: FrontendSlot): boolean {
    return this.frontendServices.has(addressKey(slot.kind, slot.namespace, slot.name));
  }

  addRoute(order: RouteOrder, route: Route): void {
    this.routes.push({ order, route });
  }

  addCluster(cluster: Cluster, service: string): void {
    this.clusters.set(cluster.name, cluster);
    this.backendServices.add(service);
  }

  /** Distinct Services ("ns/name") behind the clusters. */
  get serviceCount(): number {
    return this.backendServices.size;
  }

  /** The object each route (by name) comes from. */
  routeSources(): Map<string, { kind: RouteOrder["sourceKind"]; key: string }> {
    return new Map(this.routes.map((r) => [r.route.name, { kind: r.order.sourceKind, key: r.order.source }]));
  }

  get routeCount(): number {
    return this.routes.length;
  }

  get clusterList(): Cluster[] {
    return [...this.clusters.values()];
  }

  /** The Secrets ("ns/name") its frontends' certificates name. */
  secretRefs(): Set<string> {
    const secrets = new Set<string>();
    for (const f of this.frontends.values()) for (const c of f.tls?.certificates ?? []) if ("secret" in c) secrets.add(secretRefKey(c.secret));
    return secrets;
  }

  build(): Dataplane {
    const ir: GatewayIr = {
      apiVersion: IR_API_VERSION,
      gateway: irName(this.owner.namespace, this.owner.name),
      frontends: [...this.frontends.values()].sort((a, b) => a.port - b.port),
      routes: [...this.routes].sort((a, b) => compareOrder(a.order, b.order)).map((r) => r.route),
      clusters: [...this.clusters.values()].sort((a, b) => compareText(a.name, b.name)),
    };
    const services = [...this.frontendServices.values()]
      .map((s) => ({ ...s, ports: [...s.ports].sort((a, b) => a.port - b.port) }))
      .sort((a, b) => compareText(a.addressKey, b.addressKey));
    return { owner: this.owner, ir, services, secrets: [...this.secretRefs()].sort() };
  }
}
