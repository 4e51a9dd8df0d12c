// The inventory the rules run over, built from custom resources as stored in the cluster.
// The controller reconciles it; the SDK counts what other stacks already created.
import { AGC_NAME_ANNOTATION, DEFAULT_FRONTEND_TYPE, DEFAULT_VIRTUAL_NETWORK_NAME, KindName, formatId } from "./kinds";
import { Inventory } from "./rules";

type Obj = Record<string, any>;

/** The stored objects of the four kinds, as listed from the API server. */
export interface ObjectsByKind {
  TrafficController: Obj[];
  Frontend: Obj[];
  Association: Obj[];
  SubnetDelegation: Obj[];
}

/** The AGC name of an object: the annotation the provider writes, else the object name. */
export function agcNameOf(obj: Obj): string {
  return obj.metadata?.annotations?.[AGC_NAME_ANNOTATION] ?? obj.metadata.name;
}

/** An object's inventory key: the same scheme as resource ids. */
export const objectKey = (kind: KindName, obj: Obj) => formatId(kind, obj.metadata.namespace, obj.metadata.name);

const byCreation = (a: Obj, b: Obj) =>
  String(a.metadata.creationTimestamp ?? "").localeCompare(String(b.metadata.creationTimestamp ?? "")) ||
  String(a.metadata.name).localeCompare(String(b.metadata.name));

/** Objects in creation order, so that limits report the newcomers. */
export function inventoryFromObjects(objects: ObjectsByKind): Inventory {
  const live = (list: Obj[]) => list.filter((o) => !o.metadata.deletionTimestamp).sort(byCreation);
  const ref = (kind: KindName, o: Obj, r: Obj | undefined) => (r?.name ? formatId(kind, o.metadata.namespace, r.name) : undefined);
  return {
    gateways: live(objects.TrafficController).map((o) => ({ key: objectKey("TrafficController", o), name: agcNameOf(o), location: o.spec?.location })),
    frontends: live(objects.Frontend).map((o) => ({
      key: objectKey("Frontend", o),
      name: agcNameOf(o),
      gatewayKey: ref("TrafficController", o, o.spec?.trafficControllerRef),
      type: o.spec?.type ?? DEFAULT_FRONTEND_TYPE,
    })),
    associations: live(objects.Association).map((o) => ({
      key: objectKey("Association", o),
      name: agcNameOf(o),
      gatewayKey: ref("TrafficController", o, o.spec?.trafficControllerRef),
      subnetKey: ref("SubnetDelegation", o, o.spec?.subnetRef),
      associationType: o.spec?.associationType,
      allocatedPrefix: o.status?.allocatedPrefix || undefined,
    })),
    subnets: live(objects.SubnetDelegation).map((o) => ({
      key: objectKey("SubnetDelegation", o),
      name: agcNameOf(o),
      location: o.spec?.location,
      virtualNetworkName: o.spec?.virtualNetworkName ?? DEFAULT_VIRTUAL_NETWORK_NAME,
      virtualNetworkAddressSpace: o.spec?.virtualNetworkAddressSpace,
      addressPrefix: o.spec?.addressPrefix,
      delegation: o.spec?.delegation,
    })),
  };
}
