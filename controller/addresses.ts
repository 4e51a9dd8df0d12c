// Frontend Service addresses, handed out from a pool as MetalLB does: a Service keeps the
// address it has (read back from its status, so it survives restarts), no address goes to two
// Services, and the rest get the lowest free ones.
import { formatAddress, parseAddress, parsePrefix, prefixSize } from "../model/cidr";

export const DEFAULT_ADDRESS_POOL = "10.245.0.0/24";

export interface AddressPool {
  cidr: string;
  /** Usable addresses, lowest first. */
  first: number;
  count: number;
}

/** Parses a pool; throws naming the value and what would be valid. */
export function parseAddressPool(cidr: string): AddressPool {
  const parsed = parsePrefix(cidr);
  if (!parsed.ok) throw new Error(`--address-pool: ${parsed.error}`);
  const { network, length } = parsed.prefix;
  const size = prefixSize(parsed.prefix);
  // Below /31 the network and broadcast addresses are not handed out.
  const edges = length <= 30 ? 1 : 0;
  return { cidr, first: network + edges, count: size - 2 * edges };
}

/** A Service wanting an address; `current` is what its status says today. */
export interface AddressRequest {
  /** namespace/name of the Service. */
  service: string;
  current?: string;
}

export interface Allocation {
  /** Service -> address. */
  assigned: Record<string, string>;
  /** Services left without one: the pool is exhausted. */
  unassigned: string[];
}

/**
 * Every Service's address. Services are served in name order, so the outcome does not depend on
 * the order they are listed in; an address two Services claim stays with the first by name.
 */
export function allocateAddresses(pool: AddressPool, requests: readonly AddressRequest[]): Allocation {
  const ordered = [...requests].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  const inPool = (text: string | undefined) => {
    const parsed = text ? parseAddress(text) : undefined;
    return parsed?.ok && parsed.address >= pool.first && parsed.address < pool.first + pool.count ? parsed.address : undefined;
  };
  const taken = new Set<number>();
  const assigned: Record<string, string> = {};
  const waiting: string[] = [];
  for (const r of ordered) {
    const kept = inPool(r.current);
    if (kept !== undefined && !taken.has(kept)) {
      taken.add(kept);
      assigned[r.service] = formatAddress(kept);
    } else waiting.push(r.service);
  }
  let next = pool.first;
  const unassigned: string[] = [];
  for (const service of waiting) {
    while (next < pool.first + pool.count && taken.has(next)) next++;
    if (next >= pool.first + pool.count) {
      unassigned.push(service);
      continue;
    }
    taken.add(next);
    assigned[service] = formatAddress(next);
  }
  return { assigned, unassigned };
}
