// How each resource kind's Pulumi inputs become a custom resource, and its status becomes
// outputs. Pure: the handlers do the I/O.
import {
  AGC_NAME_ANNOTATION,
  API_VERSION,
  DEFAULT_ASSOCIATION_TYPE,
  DEFAULT_FRONTEND_TYPE,
  DEFAULT_VIRTUAL_NETWORK_NAME,
  KINDS,
  KindName,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  OWNER_ANNOTATION,
  TRAFFIC_CONTROLLER_DELEGATION,
  formatId,
  objectNameFor,
  parseId,
} from "./kinds";
import { agcNameOf } from "./objects";
import {
  Violation,
  checkAssociation,
  checkFrontend,
  checkSubnetDelegation,
  checkTrafficController,
  namespaceOrDefault,
} from "./rules";

export type Inputs = Record<string, any>;

/** As with @pulumi/kubernetes: "true" lets server-side apply take fields another manager owns. */
export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";

/** Whether the user asked to take over fields other field managers own. */
export function patchForce(inputs: Inputs): boolean {
  return inputs.annotations?.[PATCH_FORCE_ANNOTATION] === "true";
}

export interface KindBinding {
  kind: KindName;
  /** Per-resource rules, run in `check`. */
  check(inputs: Inputs, declaredName?: string): Violation[];
  /** The custom resource's spec for these inputs. */
  spec(inputs: Inputs): Record<string, unknown>;
  /** Inputs whose change needs a new object: a child's parent, an association's subnet. */
  replaceOnChange: string[];
  /** Inputs compared by diff (kubeconfig and timeouts are not part of the object). */
  objectInputs: string[];
  /** Outputs read from the object's status. */
  statusOutputs(status: Record<string, any> | undefined): Record<string, unknown>;
  /** What spec() fills in for inputs left out: writing one out explicitly changes nothing. */
  defaults: Inputs;
}

/** The inputs as they end up in the object, defaults filled in, for diff. */
export function withDefaults(binding: KindBinding, inputs: Inputs): Inputs {
  const given = Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined));
  return { ...binding.defaults, ...given, namespace: namespaceOf(inputs) };
}

/** The name of the object in Kubernetes terms: AGC names allow what object names do not. */
export function objectName(inputs: Inputs): string {
  return objectNameFor(String(inputs.name));
}

export function namespaceOf(inputs: Inputs): string {
  return namespaceOrDefault(inputs.namespace);
}

export function idOf(kind: KindName, inputs: Inputs): string {
  return formatId(kind, namespaceOf(inputs), objectName(inputs));
}

/** The name part of a reference id; check() has made sure it parses. */
function refName(id: unknown, kind: KindName): { name: string } {
  const parsed = parseId(id, kind);
  if (!parsed.ok) throw new Error(parsed.error);
  return { name: parsed.name };
}

const common = ["name", "namespace", "tags", "annotations"];

const statusState = (status: Record<string, any> | undefined) => ({
  provisioningState: status?.provisioningState ?? "Accepted",
});

export const BINDINGS: Record<KindName, KindBinding> = {
  TrafficController: {
    kind: "TrafficController",
    check: checkTrafficController,
    spec: (i) => ({ location: i.location, ...(i.tags ? { tags: i.tags } : {}) }),
    // A gateway's region is fixed at creation, as in Azure.
    replaceOnChange: ["name", "namespace", "location"],
    objectInputs: [...common, "location"],
    statusOutputs: (s) => ({ ...statusState(s), configurationEndpoints: s?.configurationEndpoints ?? [] }),
    defaults: {},
  },
  Frontend: {
    kind: "Frontend",
    check: checkFrontend,
    spec: (i) => ({
      trafficControllerRef: refName(i.trafficControllerId, "TrafficController"),
      type: i.type ?? DEFAULT_FRONTEND_TYPE,
      ...(i.tags ? { tags: i.tags } : {}),
    }),
    replaceOnChange: ["name", "namespace", "trafficControllerId"],
    objectInputs: [...common, "trafficControllerId", "type"],
    statusOutputs: (s) => ({ ...statusState(s), fqdn: s?.fqdn ?? "" }),
    defaults: { type: DEFAULT_FRONTEND_TYPE },
  },
  Association: {
    kind: "Association",
    check: checkAssociation,
    spec: (i) => ({
      trafficControllerRef: refName(i.trafficControllerId, "TrafficController"),
      associationType: i.associationType ?? DEFAULT_ASSOCIATION_TYPE,
      subnetRef: refName(i.subnetId, "SubnetDelegation"),
      ...(i.tags ? { tags: i.tags } : {}),
    }),
    // Azure cannot move an association to another subnet: it is a new association.
    replaceOnChange: ["name", "namespace", "trafficControllerId", "subnetId", "associationType"],
    objectInputs: [...common, "trafficControllerId", "subnetId", "associationType"],
    statusOutputs: (s) => ({ ...statusState(s), allocatedPrefix: s?.allocatedPrefix ?? "" }),
    defaults: { associationType: DEFAULT_ASSOCIATION_TYPE },
  },
  SubnetDelegation: {
    kind: "SubnetDelegation",
    check: checkSubnetDelegation,
    spec: (i) => ({
      location: i.location,
      virtualNetworkName: i.virtualNetworkName ?? DEFAULT_VIRTUAL_NETWORK_NAME,
      virtualNetworkAddressSpace: i.virtualNetworkAddressSpace,
      addressPrefix: i.addressPrefix,
      delegation: i.delegation ?? TRAFFIC_CONTROLLER_DELEGATION,
    }),
    replaceOnChange: ["name", "namespace", "location", "virtualNetworkName"],
    objectInputs: ["name", "namespace", "location", "virtualNetworkName", "virtualNetworkAddressSpace", "addressPrefix", "delegation"],
    statusOutputs: (s) => statusState(s),
    defaults: { virtualNetworkName: DEFAULT_VIRTUAL_NETWORK_NAME, delegation: TRAFFIC_CONTROLLER_DELEGATION },
  },
};

/** The whole custom resource for server-side apply. */
export function desiredObject(binding: KindBinding, inputs: Inputs): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    kind: binding.kind,
    metadata: {
      name: objectName(inputs),
      namespace: namespaceOf(inputs),
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      // The AGC name as the user wrote it; the object name may be a cleaned form of it.
      annotations: {
        ...(inputs.annotations && typeof inputs.annotations === "object" ? inputs.annotations : {}),
        [AGC_NAME_ANNOTATION]: String(inputs.name),
        // The stack that manages it, so that stack's own objects are not counted twice at preview.
        ...(typeof inputs.owner === "string" ? { [OWNER_ANNOTATION]: inputs.owner } : {}),
      },
    },
    spec: binding.spec(inputs),
  };
}

export function pluralOf(kind: KindName): string {
  return KINDS[kind].plural;
}

/** The inputs that would produce an existing object: what an import records. */
export function inputsFromObject(binding: KindBinding, obj: Record<string, any>): Inputs {
  const spec = obj.spec ?? {};
  const ns = obj.metadata.namespace;
  const ref = (kind: KindName, r: { name?: string } | undefined) => (r?.name ? formatId(kind, ns, r.name) : undefined);
  const common = { name: agcNameOf(obj), namespace: ns, ...(spec.tags ? { tags: spec.tags } : {}) };
  switch (binding.kind) {
    case "TrafficController":
      return { ...common, location: spec.location };
    case "Frontend":
      return { ...common, trafficControllerId: ref("TrafficController", spec.trafficControllerRef), type: spec.type };
    case "Association":
      return { ...common, trafficControllerId: ref("TrafficController", spec.trafficControllerRef), subnetId: ref("SubnetDelegation", spec.subnetRef), associationType: spec.associationType };
    case "SubnetDelegation":
      return {
        name: common.name, namespace: ns, location: spec.location, virtualNetworkName: spec.virtualNetworkName,
        virtualNetworkAddressSpace: spec.virtualNetworkAddressSpace, addressPrefix: spec.addressPrefix, delegation: spec.delegation,
      };
  }
}
