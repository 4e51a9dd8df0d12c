// Which 256-address block of its subnet each association reserves.
import { ASSOCIATION_BLOCK_LENGTH, Ipv4Prefix, blockAt, blockCount, contains, formatPrefix, mustParsePrefix, parsePrefix } from "../cidr";

export interface BlockAllocation {
    /** association key -> its block, e.g. "10.1.1.0/24". */
    allocations: Record<string, string>;
    /** Keys that found no free block (the subnet is too small), in the order given. */
    unallocated: string[];
}

/**
 * Allocates one /24 block per association. An association keeps the block it already has
 * (when still inside the subnet and not claimed by an earlier key), so adding or removing
 * others never moves it; new ones take the lowest free blocks, in the order of the keys.
 */
export function allocateBlocks(
    subnetPrefix: string,
    associationKeys: readonly string[],
    alreadyAllocated: Readonly<Record<string, string>> = {},
): BlockAllocation {
    const subnet = mustParsePrefix(subnetPrefix);
    const capacity = blockCount(subnet, ASSOCIATION_BLOCK_LENGTH);
    const taken = new Set<number>();
    const allocations: Record<string, string> = {};
    const keys = [...new Set(associationKeys)];

    for (const key of keys) {
        const index = Object.prototype.hasOwnProperty.call(alreadyAllocated, key) ? previousIndex(subnet, alreadyAllocated[key]) : undefined;
        if (index !== undefined && !taken.has(index)) {
            taken.add(index);
            allocations[key] = formatPrefix(blockAt(subnet, ASSOCIATION_BLOCK_LENGTH, index));
        }
    }

    const unallocated: string[] = [];
    let next = 0;
    for (const key of keys) {
        if (allocations[key] !== undefined) continue;
        while (taken.has(next)) next++;
        if (next >= capacity) {
            unallocated.push(key);
            continue;
        }
        taken.add(next);
        allocations[key] = formatPrefix(blockAt(subnet, ASSOCIATION_BLOCK_LENGTH, next));
    }
    return { allocations: orderedLike(keys, allocations), unallocated };
}

/** The block index of a previous allocation, if it is still a block of this subnet. */
function previousIndex(subnet: Ipv4Prefix, previous: string | undefined): number | undefined {
    const parsed = parsePrefix(previous);
    if (!parsed.ok || parsed.prefix.length !== ASSOCIATION_BLOCK_LENGTH || !contains(subnet, parsed.prefix)) {
        return undefined;
    }
    return (parsed.prefix.network - subnet.network) / 2 ** (32 - ASSOCIATION_BLOCK_LENGTH);
}

function orderedLike(keys: readonly string[], allocations: Record<string, string>): Record<string, string> {
    const ordered: Record<string, string> = {};
    for (const key of keys) {
        if (allocations[key] !== undefined) ordered[key] = allocations[key]!;
    }
    return ordered;
}
