// The rules over what the gateway carries, run over the translated picture: AGC013 (limits
// per data plane) and AGC006 (a delegated subnet holds nothing but its gateways' frontends).
import { TRAFFIC_CONTROLLER_DELEGATION } from "../model/kinds";
import { contains, parsePrefix } from "../model/cidr";
import { Violation, checkDelegatedSubnetExclusive, checkGatewayUsage } from "../model/rules";
import { KubeObject, Snapshot } from "./types";
import { keyOf, live, namespaceOf } from "./objects";
import { DataplaneBuilder } from "./dataplane";

export interface DataplaneUsage {
  listeners: number;
  routeSources: number;
}

/** AGC013 for one data plane, from what was placed in it, named after the data plane's owner. */
export function checkDataplaneLimits(builder: DataplaneBuilder, usage: DataplaneUsage): Violation[] {
  const clusters = builder.clusterList;
  const { kind, namespace, name } = builder.owner;
  return checkGatewayUsage(
    `${namespace}/${name}`,
    {
      listeners: usage.listeners,
      routes: usage.routeSources,
      rules: builder.routeCount,
      services: builder.serviceCount,
      endpoints: clusters.reduce((n, c) => n + c.endpoints.length, 0),
      certificateReferences: builder.secretRefs().size,
    },
    kind,
  );
}

/** AGC006 found in a snapshot: every violation, and the one of each TrafficController ("ns/name") associated with such a subnet. */
export interface DelegatedSubnetViolations {
  violations: Violation[];
  byTrafficController: Map<string, Violation>;
}

/**
 * AGC006: LoadBalancer Services holding an address inside a delegated subnet, other than the
 * addresses assigned to our frontends. A subnet no gateway is associated with yet breaks the
 * rule too: its violation has no TrafficController.
 */
export function checkDelegatedSubnets(snapshot: Snapshot): DelegatedSubnetViolations {
  const ours = new Set(Object.values(snapshot.addresses).flat());
  const violations: Violation[] = [];
  const byTrafficController = new Map<string, Violation>();
  for (const subnet of live(snapshot.subnetDelegations ?? [])) {
    const prefix = parsePrefix(subnet.spec?.addressPrefix);
    if (!prefix.ok) continue;
    const occupants = live(snapshot.services)
      .filter((s) => serviceAddresses(s).some((a) => !ours.has(a) && inPrefix(a, prefix.prefix)))
      .map((s) => `Service ${keyOf(s)}`)
      .sort();
    const found = checkDelegatedSubnetExclusive({
      name: subnet.metadata.name,
      delegation: subnet.spec?.delegation ?? TRAFFIC_CONTROLLER_DELEGATION,
      otherOccupants: occupants,
    });
    if (!found) continue;
    violations.push(found);
    for (const a of live(snapshot.associations ?? [])) {
      if (namespaceOf(a) === namespaceOf(subnet) && a.spec?.subnetRef?.name === subnet.metadata.name && a.spec?.trafficControllerRef?.name) {
        byTrafficController.set(`${namespaceOf(a)}/${a.spec.trafficControllerRef.name}`, found);
      }
    }
  }
  return { violations, byTrafficController };
}

function serviceAddresses(service: KubeObject): string[] {
  if (service.spec?.type !== "LoadBalancer") return [];
  return [
    ...((service.status?.loadBalancer?.ingress as any[]) ?? []).map((i) => i.ip).filter(Boolean),
    ...((service.spec?.externalIPs as string[]) ?? []),
  ];
}

function inPrefix(address: string, prefix: { network: number; length: number }): boolean {
  const parsed = parsePrefix(`${address}/32`);
  return parsed.ok && contains(prefix, parsed.prefix);
}
