// The control plane's decision, as a pure function: from every gateway, frontend, association
// and subnet in the cluster to the status each should have. The same rules as at preview run
// again here (another stack, or kubectl, may have changed the picture since).
import { createHash } from "crypto";
import { KindName } from "../model/kinds";
import { Inventory, Violation, allocateBlocks, checkInventory, sortViolations } from "../model/rules";
import { parsePrefix } from "../model/cidr";
import { addressKey } from "../translate";
import { ObjectsByKind, agcNameOf, inventoryFromObjects, objectKey } from "../model/objects";

type Obj = Record<string, any>;

export interface ReconcileOptions {
  /** The DNS zone frontends' host names are made in. */
  dnsZone: string;
  /** The addresses each Frontend's Service was given, keyed by translate's addressKey. */
  addresses?: Readonly<Record<string, string[]>>;
}

export const DEFAULT_DNS_ZONE = "alb.agc.local";

export interface DesiredStatus {
  kind: KindName;
  namespace: string;
  name: string;
  /** The status without condition timestamps (the writer keeps or sets those). */
  status: Obj;
}

const digest = (text: string, length: number) => createHash("sha256").update(text).digest("hex").slice(0, length);

/**
 * A frontend's host name: unique, and stable for the object's life (from its uid), like
 * Azure's `<random>.<zone>.alb.azure.com`; the middle label names its gateway.
 */
export function frontendFqdn(frontend: Obj, gateway: Obj | undefined, dnsZone: string): string {
  const own = digest(frontend.metadata.uid ?? objectKey("Frontend", frontend), 16);
  const zone = digest(gateway?.metadata.uid ?? frontend.spec?.trafficControllerRef?.name ?? "", 6);
  return `${own}.fz${zone}.${dnsZone}`;
}

export function configurationEndpoint(gateway: Obj, dnsZone: string): string {
  return `${digest(gateway.metadata.uid ?? objectKey("TrafficController", gateway), 16)}.config.${dnsZone}`;
}

function accepted(violations: Violation[], generation: number): Obj {
  const ok = violations.length === 0;
  return {
    provisioningState: ok ? "Succeeded" : "Failed",
    observedGeneration: generation,
    message: ok ? "" : violations.map((v) => v.message).join("; "),
    conditions: [
      {
        type: "Accepted",
        status: ok ? "True" : "False",
        reason: ok ? "Accepted" : violations[0]!.code,
        message: ok ? "the configuration is valid" : violations.map((v) => v.message).join("; "),
        observedGeneration: generation,
      },
    ],
  };
}

/** Every object's desired status. */
export function reconcile(objects: ObjectsByKind, options: ReconcileOptions): DesiredStatus[] {
  const inventory = inventoryFromObjects(objects);
  const checks = { strictReferences: true, singleResourceRules: true };
  // Violations name resources by AGC name only, which repeats across namespaces. References
  // stay inside a namespace, so the rules run per namespace; only the rules that span the
  // cluster (gateway count, virtual networks) run over everything.
  const clusterWide = checkInventory(inventory, checks).filter((v) => CLUSTER_WIDE_RULES.has(v.code));
  const perNamespace = new Map<string, Violation[]>();
  const namespaceViolations = (ns: string) => {
    if (!perNamespace.has(ns)) perNamespace.set(ns, checkInventory(inNamespace(inventory, ns), checks).filter((v) => !CLUSTER_WIDE_RULES.has(v.code)));
    return perNamespace.get(ns)!;
  };
  const violationsOf = (kind: KindName, obj: Obj) =>
    sortViolations([...namespaceViolations(obj.metadata.namespace), ...clusterWide]).filter((v) => v.resource.kind === kind && v.resource.name === agcNameOf(obj));
  const live = (kind: KindName) => objects[kind].filter((o) => !o.metadata.deletionTimestamp);
  const gatewayOf = (o: Obj) => live("TrafficController").find((g) => g.metadata.namespace === o.metadata.namespace && g.metadata.name === o.spec?.trafficControllerRef?.name);

  // An association refused for another reason (a second one on its gateway, say) holds no block.
  const mayHoldBlock = (a: Obj) => violationsOf("Association", a).every((v) => v.code === "AGC005");
  const allocated = allocateAssociations(objects, inventory.associations.map((a) => a.key), mayHoldBlock);
  const out: DesiredStatus[] = [];
  const push = (kind: KindName, o: Obj, extra: Obj, more: Violation[] = []) =>
    out.push({
      kind,
      namespace: o.metadata.namespace,
      name: o.metadata.name,
      status: { ...accepted([...violationsOf(kind, o), ...more], o.metadata.generation ?? 1), ...extra },
    });

  for (const g of live("TrafficController")) {
    const children = (kind: KindName) =>
      live(kind).filter((c) => c.metadata.namespace === g.metadata.namespace && c.spec?.trafficControllerRef?.name === g.metadata.name).map(agcNameOf).sort();
    push("TrafficController", g, {
      configurationEndpoints: [configurationEndpoint(g, options.dnsZone)],
      frontends: children("Frontend"),
      associations: children("Association"),
    });
  }
  for (const f of live("Frontend")) {
    const addresses = options.addresses?.[addressKey("Frontend", f.metadata.namespace, f.metadata.name)];
    push("Frontend", f, { fqdn: frontendFqdn(f, gatewayOf(f), options.dnsZone), ...(addresses?.length ? { addresses } : {}) });
  }
  for (const a of live("Association")) {
    const block = allocated.get(objectKey("Association", a));
    // No block, no field: the CRD allows only a prefix there.
    push("Association", a, block ? { allocatedPrefix: block } : {});
  }
  for (const s of live("SubnetDelegation")) push("SubnetDelegation", s, {});
  return out;
}

const CLUSTER_WIDE_RULES = new Set<string>(["AGC002", "AGC009", "AGC023"]);

/** The entries of one namespace (keys are `<namespace>/<plural>/<name>`). */
function inNamespace(inventory: Inventory, namespace: string): Inventory {
  const mine = <T extends { key: string }>(entries: T[]) => entries.filter((e) => e.key.startsWith(`${namespace}/`));
  return {
    gateways: mine(inventory.gateways),
    frontends: mine(inventory.frontends),
    associations: mine(inventory.associations),
    subnets: mine(inventory.subnets),
  };
}

/** Each association's block in its subnet; associations keep the block they were given. */
function allocateAssociations(objects: ObjectsByKind, orderedKeys: string[], mayHoldBlock: (a: Obj) => boolean): Map<string, string> {
  const result = new Map<string, string>();
  const bySubnet = new Map<string, Obj[]>();
  const order = new Map(orderedKeys.map((k, i) => [k, i]));
  for (const a of objects.Association) {
    if (a.metadata.deletionTimestamp || !a.spec?.subnetRef?.name || !mayHoldBlock(a)) continue;
    const subnetKey = `${a.metadata.namespace}/${a.spec.subnetRef.name}`;
    bySubnet.set(subnetKey, [...(bySubnet.get(subnetKey) ?? []), a]);
  }
  for (const [subnetKey, associations] of bySubnet) {
    const subnet = objects.SubnetDelegation.find((s) => `${s.metadata.namespace}/${s.metadata.name}` === subnetKey);
    if (!subnet || !parsePrefix(subnet.spec?.addressPrefix).ok) continue;
    const keys = associations.map((a) => objectKey("Association", a)).sort((x, y) => (order.get(x) ?? 0) - (order.get(y) ?? 0));
    const previous = Object.fromEntries(associations.filter((a) => a.status?.allocatedPrefix).map((a) => [objectKey("Association", a), a.status.allocatedPrefix]));
    const { allocations } = allocateBlocks(subnet.spec.addressPrefix, keys, previous);
    for (const [k, block] of Object.entries(allocations)) result.set(k, block);
  }
  return result;
}

