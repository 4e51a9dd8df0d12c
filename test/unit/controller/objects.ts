// Custom resources as the API server stores them, for the controller's pure functions.
import { ObjectsByKind } from "../../../model/objects";
import { API_VERSION, KindName } from "../../../model/kinds";

type Obj = Record<string, any>;

export const NS = "agc-system";
let serial = 0;

/** An object of `kind` with server-set metadata; `at` orders creation (seconds after a fixed instant). */
export function object(kind: KindName, name: string, spec: Obj, at: number, metadata: Obj = {}): Obj {
  serial++;
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: {
      name,
      namespace: NS,
      uid: `00000000-0000-4000-8000-${String(serial).padStart(12, "0")}`,
      generation: 1,
      creationTimestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, at)).toISOString().replace(/\.\d+Z$/, "Z"),
      ...metadata,
    },
    spec,
  };
}

export const gateway = (name: string, at: number, metadata: Obj = {}) => object("TrafficController", name, { location: "westeurope" }, at, metadata);
export const frontend = (name: string, gw: string, at: number, metadata: Obj = {}) =>
  object("Frontend", name, { trafficControllerRef: { name: gw }, type: "public" }, at, metadata);
export const association = (name: string, gw: string, subnet: string, at: number, metadata: Obj = {}) =>
  object("Association", name, { trafficControllerRef: { name: gw }, associationType: "subnets", subnetRef: { name: subnet } }, at, metadata);
export const subnet = (name: string, addressPrefix: string, at: number, metadata: Obj = {}) =>
  object(
    "SubnetDelegation",
    name,
    {
      location: "westeurope",
      virtualNetworkName: "default",
      virtualNetworkAddressSpace: ["10.1.0.0/16"],
      addressPrefix,
      delegation: "Microsoft.ServiceNetworking/trafficControllers",
    },
    at,
    metadata,
  );

export function byKind(objects: Obj[]): ObjectsByKind {
  const out: ObjectsByKind = { TrafficController: [], Frontend: [], Association: [], SubnetDelegation: [] };
  for (const o of objects) {
    if (!(o.kind in out)) throw new Error(`unexpected kind ${o.kind}`);
    out[o.kind as keyof ObjectsByKind].push(o);
  }
  return out;
}
