// Builds an inventory from our custom resources as the cluster holds them (the controller's
// view, and the "existing" side of mergeInventories). Keys are ids: formatId(kind, ns, name).
import {
    AGC_NAME_ANNOTATION,
    AgcObject,
    DEFAULT_FRONTEND_TYPE,
    DEFAULT_NAMESPACE,
    DEFAULT_VIRTUAL_NETWORK_NAME,
    TRAFFIC_CONTROLLER_DELEGATION,
    formatId,
} from "../kinds";
import { Inventory } from "./inventory";

export interface ClusterObjects {
    trafficControllers: AgcObject<"TrafficController">[];
    frontends: AgcObject<"Frontend">[];
    associations: AgcObject<"Association">[];
    subnetDelegations: AgcObject<"SubnetDelegation">[];
}

type AnyObject = AgcObject<"TrafficController" | "Frontend" | "Association" | "SubnetDelegation">;

const namespaceOf = (o: AnyObject) => o.metadata.namespace ?? DEFAULT_NAMESPACE;
/** The name users gave: the annotation when the object name had to differ from it. */
const agcNameOf = (o: AnyObject) => o.metadata.annotations?.[AGC_NAME_ANNOTATION] ?? o.metadata.name;

/** Creation order (then name), so limits report the newest objects. */
function inCreationOrder<T extends AnyObject>(objects: readonly T[]): T[] {
    const created = (o: AnyObject) => String(o.metadata["creationTimestamp"] ?? "");
    return [...objects].sort((a, b) => created(a).localeCompare(created(b)) || formatId(a.kind, namespaceOf(a), a.metadata.name).localeCompare(formatId(b.kind, namespaceOf(b), b.metadata.name)));
}

/**
 * How subnets name their network in an inventory: networks are per namespace, like the
 * objects that describe them. The SDK uses the same so merged inventories agree.
 */
export function virtualNetworkKey(namespace: string, virtualNetworkName: string = DEFAULT_VIRTUAL_NETWORK_NAME): string {
    return `${namespace}/${virtualNetworkName}`;
}

export function inventoryFromObjects(objects: ClusterObjects): Inventory {
    return {
        gateways: inCreationOrder(objects.trafficControllers).map((o) => ({
            key: formatId("TrafficController", namespaceOf(o), o.metadata.name),
            name: agcNameOf(o),
            location: o.spec.location,
        })),
        frontends: inCreationOrder(objects.frontends).map((o) => ({
            key: formatId("Frontend", namespaceOf(o), o.metadata.name),
            name: agcNameOf(o),
            gatewayKey: formatId("TrafficController", namespaceOf(o), o.spec.trafficControllerRef.name),
            type: o.spec.type ?? DEFAULT_FRONTEND_TYPE,
        })),
        associations: inCreationOrder(objects.associations).map((o) => ({
            key: formatId("Association", namespaceOf(o), o.metadata.name),
            name: agcNameOf(o),
            gatewayKey: formatId("TrafficController", namespaceOf(o), o.spec.trafficControllerRef.name),
            subnetKey: formatId("SubnetDelegation", namespaceOf(o), o.spec.subnetRef.name),
            associationType: o.spec.associationType,
            allocatedPrefix: o.status?.allocatedPrefix,
        })),
        subnets: inCreationOrder(objects.subnetDelegations).map((o) => ({
            key: formatId("SubnetDelegation", namespaceOf(o), o.metadata.name),
            name: agcNameOf(o),
            location: o.spec.location,
            virtualNetworkName: virtualNetworkKey(namespaceOf(o), o.spec.virtualNetworkName),
            virtualNetworkAddressSpace: o.spec.virtualNetworkAddressSpace,
            addressPrefix: o.spec.addressPrefix,
            delegation: o.spec.delegation ?? TRAFFIC_CONTROLLER_DELEGATION,
        })),
    };
}
