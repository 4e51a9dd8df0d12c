// The controller's loop: informers on everything translation reads, on our CRs and on the
// objects it manages; changes batched into one pass; each pass runs reconcile() (our CRs) and
// translate() (Gateway API, Ingress), hands out frontend addresses, applies each data plane's
// objects, and writes the statuses that changed. Only the leader writes.
import { setMaxListeners } from "events";
import { KindName, KIND_NAMES } from "../model/kinds";
import { KubeClient, backoffMs, isNotFound, resourcePath } from "../kube/client";
import { CONTROLLER_NAME, Dataplane, KubeObject, Snapshot, StatusUpdate, TranslateOptions, TranslateResult, Warning, emptySnapshot, translate } from "../translate";
import { Bindings } from "../translate/bindings";
import { ObjectsByKind } from "../model/objects";
import { ReconcileOptions, reconcile } from "./reconcile";
import { Change, Informer, ResourceType, objectKey } from "./informer";
import { StatusTarget, StatusWriter, WRITE_CONCURRENCY, canonical, mapLimited, needsReconcile } from "./status";
import { BatchTimings, Batcher, DEFAULT_BATCH } from "./batch";
import { AddressPool, DEFAULT_ADDRESS_POOL, allocateAddresses, parseAddressPool } from "./addresses";
import {
  APPLIED_HASH_ANNOTATION, DEFAULT_DATAPLANE_IMAGE, DEFAULT_DATAPLANE_REPLICAS, DataplaneSettings, FIELD_MANAGER, OwnerRef,
  dataplaneName, dataplaneObjects, irRevision, managedByValue, needsApply,
} from "./dataplane-objects";
import {
  addressRequests, addressesByKey, dataplaneProgress, frontendServiceKey, holdProgrammed, objectId, routesLeftBehind, serviceStatus, staleObjects, withOtherControllersParents,
} from "./plan";
import {
  CONTROL_PLANE_LISTS, EVENTS, GATEWAY_CLASS_CRD, PODS_FOR_PROBES, SNAPSHOT_RESOURCES, SnapshotList, dataplanePods, gatewayApiBundleVersion, managedResources,
} from "./resources";

type Obj = Record<string, any>;

/** How often a stand-by looks whether it leads now. */
const STANDBY_CHECK_MS = 1_000;

export interface ControllerOptions extends ReconcileOptions {
  /** How long changes are gathered before one pass (Contour batches 100 ms too). */
  batchMs?: number;
  /** The ceiling on how long a stream of changes may postpone a pass. Default 1 s. */
  maxBatchMs?: number;
  log?: (msg: string) => void;
  /** Whether this replica may write (leader election); writes are skipped otherwise. */
  isLeader?: () => boolean;
  /** The data plane image; default DEFAULT_DATAPLANE_IMAGE. */
  dataplaneImage?: string;
  /** Data plane replicas; default 2. */
  dataplaneReplicas?: number;
  /** Frontend Service addresses are handed out from this IPv4 range. Default 10.245.0.0/24. */
  addressPool?: string;
  /** The GatewayClass controllerName answered for. Default alb.agc.dev/alb-controller. */
  controllerName?: string;
  /**
   * Watch and manage only objects in these namespaces (cluster-scoped ones aside); default:
   * every namespace. Rules across the cluster (gateway count, virtual networks) then see only
   * these namespaces too.
   */
  namespaces?: string[];
}

/** The lists of the snapshot with the objects of each kind, for translate and reconcile. */
function snapshotFrom(informers: Record<SnapshotList, Informer>, gatewayClassCrd: Informer, pods: Informer): Snapshot {
  const snapshot: Snapshot = { ...emptySnapshot(), gatewayApiBundleVersion: gatewayApiBundleVersion(gatewayClassCrd.list()), pods: pods.list() as KubeObject[] };
  for (const list of Object.keys(informers) as SnapshotList[]) (snapshot as any)[list] = informers[list].list();
  return snapshot;
}

/** Our four control-plane kinds, as reconcile() reads them. */
function controlPlaneObjects(snapshot: Snapshot): ObjectsByKind {
  return Object.fromEntries(KIND_NAMES.map((k: KindName) => [k, snapshot[CONTROL_PLANE_LISTS[k]] ?? []])) as unknown as ObjectsByKind;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
// The label selector plays no part in finding an object's type.
const KNOWN_TYPES: ResourceType[] = [...Object.values(SNAPSHOT_RESOURCES), ...managedResources("any")];
/** The resource type of an object we create or watch. */
const resourceOf = (o: Obj): ResourceType => KNOWN_TYPES.find((t) => t.apiVersion === o.apiVersion && t.kind === o.kind)!;

export class Controller {
  private readonly abort = new AbortController();
  private readonly snapshotInformers: Record<SnapshotList, Informer>;
  private readonly managedInformers: Informer[];
  private readonly pods: Informer;
  private readonly gatewayClassCrd: Informer;
  private readonly allPods: Informer;
  private readonly writer: StatusWriter;
  private readonly batcher: Batcher;
  private readonly pool: AddressPool;
  private readonly settings: DataplaneSettings;
  private synced = false;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private lastOutput?: string;
  /** The addresses the last pass handed out, by translate's address key. */
  private addresses: Record<string, string[]> = {};
  /** Warnings already recorded as Events by this process. */
  private readonly recorded = new Set<string>();
  /** How many passes have run (for tests and diagnostics). */
  reconciles = 0;
  /** Resolves once the initial lists are in and the first pass has been written. */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly client: KubeClient,
    private readonly options: ControllerOptions,
  ) {
    this.ready = new Promise((r) => (this.markReady = r));
    // Every informer's watch listens on the one signal.
    setMaxListeners(100, this.abort.signal);
    this.pool = parseAddressPool(options.addressPool ?? DEFAULT_ADDRESS_POOL);
    this.settings = {
      image: options.dataplaneImage ?? DEFAULT_DATAPLANE_IMAGE,
      replicas: options.dataplaneReplicas ?? DEFAULT_DATAPLANE_REPLICAS,
      managedBy: managedByValue(this.controllerName),
    };
    const informerOptions = { log: (m: string) => this.log(m), signal: this.abort.signal, namespaces: options.namespaces };
    const informer = (type: ResourceType, relevant: (c: Change) => boolean) =>
      new Informer(client, type, (c) => this.synced && relevant(c) && this.batcher.trigger(), informerOptions);
    this.snapshotInformers = Object.fromEntries(
      (Object.keys(SNAPSHOT_RESOURCES) as SnapshotList[]).map((list) => [list, informer(SNAPSHOT_RESOURCES[list], (c) => this.changeMatters(SNAPSHOT_RESOURCES[list], c))]),
    ) as Record<SnapshotList, Informer>;
    // Managed objects matter when they go away or someone else's apply replaced ours.
    const appliedHash = (o?: Obj) => o?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
    this.managedInformers = managedResources(this.settings.managedBy).map((t) => informer(t, (c) => c.type !== "MODIFIED" || appliedHash(c.previous) !== appliedHash(c.object)));
    const progress = (o?: Obj) => canonical([o?.metadata?.annotations, o?.status?.conditions, o?.metadata?.deletionTimestamp]);
    this.gatewayClassCrd = informer(GATEWAY_CLASS_CRD, () => true);
    // Kept without status: a pod's readiness flipping does not change its probes.
    this.allPods = informer(PODS_FOR_PROBES, (c) => this.changeMatters(PODS_FOR_PROBES, c));
    this.pods = informer(dataplanePods(this.settings.managedBy), (c) => c.type !== "MODIFIED" || progress(c.previous) !== progress(c.object));
    this.writer = new StatusWriter(client, { isLeader: options.isLeader, log: (m) => this.log(m), informerFor: (t) => this.informerFor(t) });
    this.batcher = new Batcher(() => this.pass(), (e) => this.log(`pass failed: ${(e as Error).message}`), {
      holdOffMs: options.batchMs ?? DEFAULT_BATCH.holdOffMs,
      maxDelayMs: options.maxBatchMs ?? DEFAULT_BATCH.maxDelayMs,
    } satisfies BatchTimings);
  }

  private get controllerName(): string {
    return this.options.controllerName ?? CONTROLLER_NAME;
  }

  private log(msg: string): void {
    (this.options.log ?? ((m: string) => console.error(`controller: ${m}`)))(msg);
  }

  private get informers(): Informer[] {
    return [...Object.values(this.snapshotInformers), ...this.managedInformers, this.pods, this.gatewayClassCrd, this.allPods];
  }

  private informerFor(type: ResourceType): Informer | undefined {
    return this.informers.find((i) => i.type.apiVersion === type.apiVersion && i.type.kind === type.kind && !i.type.labelSelector)
      ?? this.informers.find((i) => i.type.apiVersion === type.apiVersion && i.type.kind === type.kind);
  }

  /** Not the echo of our own status write, nor a change of bookkeeping alone. */
  private changeMatters(type: ResourceType, c: Change): boolean {
    if (c.type === "DELETED") this.writer.forget(type, objectKey(c.object?.metadata?.namespace, c.object?.metadata?.name));
    if (c.type !== "MODIFIED") return true;
    return needsReconcile(c.previous, c.object!, this.writer.ownVersion(type, objectKey(c.object!.metadata.namespace, c.object!.metadata.name)));
  }

  /** Lists everything, runs the first pass, then keeps watching. */
  async start(): Promise<void> {
    for (const i of this.informers) i.start();
    await Promise.all(this.informers.map((i) => i.synced));
    this.synced = true;
    this.batcher.trigger(true);
  }

  stop(): void {
    this.abort.abort();
    this.batcher.stop();
    clearTimeout(this.retryTimer);
  }

  private mayWrite(): boolean {
    return !this.options.isLeader || this.options.isLeader();
  }

  /** Before each write: a replica that lost the lease mid-pass writes nothing more. */
  private mustLead(): void {
    if (!this.mayWrite()) throw new Error("not the leader (the lease was not renewed in time)");
  }

  /**
   * translate() with the addresses handed out for the Services it wants; again when those change.
   * It starts from the last pass's addresses, so while they stay one round settles. Addresses
   * only reach statuses, not which Services are wanted, so a second round always does; the
   * third is a bound, not an expectation.
   */
  private translated(): { result: TranslateResult; snapshot: Snapshot; assigned: Record<string, string>; unassigned: string[] } {
    const services = new Map(this.snapshotInformers.services.list().map((s) => [objectKey(s.metadata.namespace, s.metadata.name), s]));
    // translate applies the data plane's own check (parseIr) by default: a route it would refuse is left out, with a warning.
    const translateOptions: TranslateOptions = { controllerName: this.controllerName };
    let snapshot: Snapshot = { ...snapshotFrom(this.snapshotInformers, this.gatewayClassCrd, this.allPods), addresses: this.addresses };
    for (let round = 0; ; round++) {
      const result = translate(snapshot, translateOptions);
      const allocation = allocateAddresses(this.pool, addressRequests(result.dataplanes, services));
      const addresses = addressesByKey(result.dataplanes, allocation);
      this.addresses = addresses;
      if (canonical(addresses) === canonical(snapshot.addresses) || round === 2) return { result, snapshot, ...allocation };
      snapshot = { ...snapshot, addresses };
    }
  }

  private async pass(): Promise<void> {
    this.reconciles++;
    const { result, snapshot, assigned, unassigned } = this.translated();
    const dataplanes = result.dataplanes.map((dp) => ({ dp, revision: irRevision(dp.ir) }));
    const output = canonical([result, assigned, unassigned, dataplanes.map((d) => d.revision)]);
    if (output !== this.lastOutput) {
      this.log(`translated: ${dataplanes.length} data plane(s), ${result.statuses.length} status(es), ${unassigned.length} Service(s) without an address`);
      if (unassigned.length) this.log(`address pool ${this.pool.cidr} exhausted: no address for ${unassigned.join(", ")}`);
    }

    let failed = 0;
    if (this.mayWrite()) {
      // A data plane with nothing to serve (a TrafficController without Frontends) stays idle: no objects.
      const desired = dataplanes.filter(({ dp }) => dp.ir.frontends.length > 0).flatMap(({ dp, revision }) => this.objectsOf(dp, revision));
      failed += await this.applyAll(desired);
      failed += await this.removeStale(desired);
      const statuses = this.statusTargets(result, snapshot, dataplanes, assigned);
      failed += await this.writer.writeAll(statuses, now());
      failed += await this.record([...result.warnings, ...unassigned.map((service) => this.exhausted(service))]);
    }
    this.lastOutput = output;
    // What failed every attempt is not dropped: a later pass tries it again.
    this.failures = failed ? this.failures + 1 : 0;
    if (failed) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.batcher.trigger(true), backoffMs(this.failures));
    } else if (!this.mayWrite()) {
      this.awaitLeadership();
    }
    this.markReady();
  }

  /** A stand-by wrote nothing: once it leads, one pass makes every write it left out. */
  private awaitLeadership(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => (this.mayWrite() ? this.batcher.trigger(true) : this.awaitLeadership()), STANDBY_CHECK_MS);
  }

  /** The owner reference of an object in the snapshot, if it is there (with its uid). */
  private ownerRef(list: SnapshotList, namespace: string, name: string): OwnerRef | undefined {
    const o = this.snapshotInformers[list].get(objectKey(namespace, name));
    const t = SNAPSHOT_RESOURCES[list];
    return o?.metadata?.uid ? { apiVersion: t.apiVersion, kind: t.kind, name, uid: o.metadata.uid } : undefined;
  }

  private objectsOf(dp: Dataplane, revision: string): Obj[] {
    const listOf = { TrafficController: "trafficControllers", Gateway: "gateways", Ingress: "ingresses", Frontend: "frontends" } as const;
    const owner = this.ownerRef(listOf[dp.owner.kind], dp.owner.namespace, dp.owner.name);
    if (!owner) return []; // not in the cache yet: the next pass has it
    const services: Record<string, OwnerRef> = {};
    for (const s of dp.services) {
      const ref = this.ownerRef(listOf[s.kind], s.namespace, s.name);
      if (ref) services[s.addressKey] = ref;
    }
    return dataplaneObjects(dp, revision, this.settings, { dataplane: owner, services });
  }

  /** The cluster's copy of a managed object, from the watch. */
  private cached(o: Obj): Obj | undefined {
    return this.informerFor(resourceOf(o))?.get(objectKey(o.metadata.namespace, o.metadata.name));
  }

  /** Server-side apply of what is missing or was applied from other content; answers the failures. */
  private async applyAll(desired: Obj[]): Promise<number> {
    let failed = 0;
    await mapLimited(desired.filter((d) => needsApply(d, this.cached(d))), WRITE_CONCURRENCY, async (o) => {
      try {
        this.mustLead();
        await this.client.apply(resourcePath(o.apiVersion, resourceOf(o).plural, o.metadata.namespace, o.metadata.name), o, FIELD_MANAGER, { force: true });
      } catch (e) {
        failed++;
        this.log(`${o.kind} ${o.metadata.namespace}/${o.metadata.name} not applied: ${(e as Error).message}`);
      }
    });
    return failed;
  }

  /**
   * Deletes managed objects no data plane wants any more (a Gateway moved to another class,
   * say). Only when every kind that can own a data plane is served: a missing CRD must not
   * look like "no Gateways".
   */
  private async removeStale(desired: Obj[]): Promise<number> {
    const owners: SnapshotList[] = ["trafficControllers", "frontends", "gateways", "gatewayClasses", "ingresses", "ingressClasses"];
    if (!owners.every((l) => this.snapshotInformers[l].served)) return 0;
    const existing = [...this.managedInformers.flatMap((i) => i.list()), ...this.snapshotInformers.services.list()];
    let failed = 0;
    for (const o of staleObjects(existing, desired, this.settings.managedBy)) {
      try {
        this.mustLead();
        await this.client.remove(resourcePath(o.apiVersion, resourceOf(o).plural, o.metadata.namespace, o.metadata.name));
        this.log(`removed ${objectId(o)}: no data plane wants it any more`);
      } catch (e) {
        failed++;
        this.log(`${objectId(o)} not removed: ${(e as Error).message}`);
      }
    }
    return failed;
  }

  /** Every status to write: our CRs, translate's (Programmed held for the pods), the Services' addresses. */
  private statusTargets(
    result: TranslateResult,
    snapshot: Snapshot,
    dataplanes: { dp: Dataplane; revision: string }[],
    assigned: Record<string, string>,
  ): StatusTarget[] {
    const crStatuses = reconcile(controlPlaneObjects(snapshot), { ...this.options, addresses: snapshot.addresses }).map((d) => ({
      resource: SNAPSHOT_RESOURCES[CONTROL_PLANE_LISTS[d.kind]],
      namespace: d.namespace,
      name: d.name,
      status: d.status,
    }));
    const byOwner = new Map(dataplanes.map((d) => [dataplaneName(d.dp), d.revision]));
    const bindings = new Bindings(snapshot);
    const pods = this.pods.list();
    const held = (s: StatusUpdate): StatusUpdate => {
      const gateway = s.kind === "Gateway" ? this.snapshotInformers.gateways.get(objectKey(s.namespace, s.name)) : undefined;
      const binding = gateway && bindings.bindGateway(gateway as any);
      if (!binding?.ok) return s;
      const name = dataplaneName(binding.binding);
      const revision = byOwner.get(name);
      return revision ? holdProgrammed(s, dataplaneProgress(pods, name, revision), revision, name) : s;
    };
    const listOfKind = Object.fromEntries((Object.keys(SNAPSHOT_RESOURCES) as SnapshotList[]).map((l) => [SNAPSHOT_RESOURCES[l].kind, l]));
    const keepOthers = withOtherControllersParents(this.controllerName);
    const translated = result.statuses.map((s) => ({
      resource: SNAPSHOT_RESOURCES[listOfKind[s.kind] as SnapshotList],
      namespace: s.namespace,
      name: s.name,
      status: held(s).status,
      ...(s.kind === "HTTPRoute" ? { mergeWith: keepOthers } : {}),
    }));
    // A route no parent of ours takes any more: our entries go, other controllers' stay.
    const leftBehind = routesLeftBehind(snapshot.httpRoutes, result.statuses, this.controllerName).map((r) => ({
      resource: SNAPSHOT_RESOURCES.httpRoutes,
      ...r,
      status: { parents: [] },
      mergeWith: keepOthers,
    }));
    const services = dataplanes.flatMap(({ dp }) => dp.services).map((s) => {
      const [namespace, name] = frontendServiceKey(s).split("/");
      return { resource: SNAPSHOT_RESOURCES.services, namespace, name, status: serviceStatus(assigned[frontendServiceKey(s)], this.pool, Object.keys(assigned).length) };
    });
    return [...crStatuses, ...translated, ...leftBehind, ...services];
  }

  /** A Service the pool has no address for, as a warning on it. */
  private exhausted(service: string): Warning {
    const [namespace, name] = service.split("/");
    return {
      regarding: { apiVersion: "v1", kind: "Service", namespace, name },
      reason: "PoolExhausted",
      message: `address pool ${this.pool.cidr} has no free address for this Service; widen --address-pool or remove a frontend`,
    };
  }

  /** Each warning as a Warning Event on its object, once per process. */
  private async record(warnings: Warning[]): Promise<number> {
    let failed = 0;
    for (const w of warnings) {
      const id = canonical(w);
      if (this.recorded.has(id)) continue;
      const { regarding } = w;
      const list = (Object.keys(SNAPSHOT_RESOURCES) as SnapshotList[]).find((l) => SNAPSHOT_RESOURCES[l].kind === regarding.kind);
      const uid = list ? this.snapshotInformers[list].get(objectKey(regarding.namespace, regarding.name))?.metadata?.uid : undefined;
      const at = new Date().toISOString();
      try {
        this.mustLead();
        await this.client.create(resourcePath(EVENTS.apiVersion, EVENTS.plural, regarding.namespace ?? "default"), {
          apiVersion: "v1",
          kind: "Event",
          metadata: { generateName: `${regarding.name}.`, namespace: regarding.namespace ?? "default" },
          involvedObject: { ...regarding, uid },
          type: "Warning",
          reason: w.reason,
          message: w.message,
          source: { component: "alb-controller" },
          reportingComponent: "alb.agc.dev/alb-controller",
          firstTimestamp: at,
          lastTimestamp: at,
          count: 1,
        });
        this.recorded.add(id);
      } catch (e) {
        if (isNotFound(e)) continue; // its namespace is gone
        failed++;
        this.log(`event for ${regarding.kind} ${regarding.namespace}/${regarding.name} not recorded: ${(e as Error).message}`);
      }
    }
    return failed;
  }
}
