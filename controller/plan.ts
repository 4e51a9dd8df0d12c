// The pure steps between translate's output and what the controller writes: addresses for
// frontend Services, their status, Programmed held back until pods serve the revision, and
// which managed objects are no longer wanted.
import { Dataplane, StatusUpdate } from "../translate";
import { AddressPool, AddressRequest, Allocation } from "./addresses";
import { IR_REVISION_ANNOTATION } from "../model/ir";
import { MANAGED_BY_LABEL } from "../model/kinds";
import { DATAPLANE_LABEL, managedName } from "./dataplane-objects";
import { objectKey } from "./informer";

type Obj = Record<string, any>;

/** The Service in front of one of translate's FrontendServices: "ns/name". */
export const frontendServiceKey = (s: Dataplane["services"][number]) => objectKey(s.namespace, managedName(s.kind, s.name));

/** What each wanted Service asks for: the address its status shows today, if any. */
export function addressRequests(dataplanes: readonly Dataplane[], services: ReadonlyMap<string, Obj>): AddressRequest[] {
  return dataplanes.flatMap((dp) =>
    dp.services.map((s) => {
      const service = frontendServiceKey(s);
      const current: string | undefined = services.get(service)?.status?.loadBalancer?.ingress?.[0]?.ip;
      return current ? { service, current } : { service };
    }),
  );
}

/** The snapshot's addresses: each FrontendService's address under its address key. */
export function addressesByKey(dataplanes: readonly Dataplane[], allocation: Allocation): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of dataplanes.flatMap((dp) => dp.services)) {
    const address = allocation.assigned[frontendServiceKey(s)];
    if (address) out[s.addressKey] = [address];
  }
  return out;
}

/** A Service's status: its address, or a condition saying the pool is exhausted. */
export function serviceStatus(address: string | undefined, pool: AddressPool, poolUse: number): Obj {
  if (address) return { loadBalancer: { ingress: [{ ip: address, ipMode: "VIP" }] } };
  return {
    loadBalancer: {},
    conditions: [
      {
        type: "AddressAssigned",
        status: "False",
        reason: "PoolExhausted",
        message: `address pool ${pool.cidr} has no free address (${poolUse} of ${pool.count} in use); widen --address-pool or remove a frontend`,
      },
    ],
  };
}

/** How many of a data plane's pods are ready, and how many of those serve `revision`. */
export function dataplaneProgress(pods: readonly Obj[], dataplane: string, revision: string): { ready: number; current: number } {
  const ready = pods.filter(
    (p) => p.metadata?.labels?.[DATAPLANE_LABEL] === dataplane && !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True"),
  );
  return { ready: ready.length, current: ready.filter((p) => p.metadata.annotations?.[IR_REVISION_ANNOTATION] === revision).length };
}

/** Programmed=True conditions of a list turned into Programmed=False, Pending, with `message`. */
function pending(conditions: Obj[] | undefined, message: string): Obj[] | undefined {
  return conditions?.map((c) => (c.type === "Programmed" && c.status === "True" ? { ...c, status: "False", reason: "Pending", message } : c));
}

/**
 * A Gateway (and each of its listeners) is Programmed only once its data plane's ready pods all
 * serve the current revision (at least one of them); until then Programmed=False, reason
 * Pending, saying what it waits for.
 */
export function holdProgrammed(status: StatusUpdate, progress: { ready: number; current: number }, revision: string, deployment: string): StatusUpdate {
  const conditions: Obj[] = (status.status.conditions as Obj[] | undefined) ?? [];
  const programmed = conditions.find((c) => c.type === "Programmed");
  if (programmed?.status !== "True" || (progress.current > 0 && progress.current === progress.ready)) return status;
  const waiting =
    progress.ready === 0
      ? `waiting for a ready pod of Deployment ${status.namespace}/${deployment} serving revision ${revision}`
      : `waiting for the ready pods of Deployment ${status.namespace}/${deployment} to serve revision ${revision} (${progress.current} of ${progress.ready} do)`;
  const listeners = (status.status.listeners as Obj[] | undefined)?.map((l) => ({ ...l, conditions: pending(l.conditions, waiting) }));
  return { ...status, status: { ...status.status, conditions: pending(conditions, waiting), ...(listeners ? { listeners } : {}) } };
}

export const objectId = (o: Obj) => `${o.apiVersion}/${o.kind}/${objectKey(o.metadata.namespace, o.metadata.name)}`;

/** Objects this controller manages (by its managed-by value) that no desired object accounts for any more. */
export function staleObjects(existing: readonly Obj[], desired: readonly Obj[], managedBy: string): Obj[] {
  const wanted = new Set(desired.map(objectId));
  return existing.filter((o) => o.metadata?.labels?.[MANAGED_BY_LABEL] === managedBy && o.metadata.labels[DATAPLANE_LABEL] && !wanted.has(objectId(o)) && !o.metadata.deletionTimestamp);
}

/** A route's status: our parents as desired, other controllers' parents as they wrote them. */
export function withOtherControllersParents(controllerName: string) {
  return (desired: Obj, current: Obj | undefined): Obj => {
    const others = ((current?.parents as Obj[] | undefined) ?? []).filter((p) => p.controllerName !== controllerName);
    return others.length ? { ...desired, parents: [...((desired.parents as Obj[] | undefined) ?? []), ...others] } : desired;
  };
}

/** Routes whose status still names parents of ours although translation gave them no status: they lost our parents. */
export function routesLeftBehind(routes: readonly Obj[], statuses: readonly StatusUpdate[], controllerName: string): { namespace: string; name: string }[] {
  const reported = new Set(statuses.filter((s) => s.kind === "HTTPRoute").map((s) => objectKey(s.namespace, s.name)));
  return routes
    .filter((r) => !reported.has(objectKey(r.metadata.namespace, r.metadata.name)))
    .filter((r) => ((r.status?.parents as Obj[] | undefined) ?? []).some((p) => p.controllerName === controllerName))
    .map((r) => ({ namespace: r.metadata.namespace, name: r.metadata.name }));
}
