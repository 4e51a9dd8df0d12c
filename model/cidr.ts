// IPv4 prefix arithmetic. Addresses are unsigned 32-bit integers held in JS numbers;
// sizes go up to 2^32, which numbers represent exactly.

export interface Ipv4Prefix {
    /** Network address as an unsigned 32-bit integer (host bits are zero). */
    readonly network: number;
    /** Prefix length, 0..32. */
    readonly length: number;
}

export type ParseResult = { ok: true; prefix: Ipv4Prefix } | { ok: false; error: string };

/** The block size every association reserves in its subnet. */
export const ASSOCIATION_BLOCK_LENGTH = 24;
export const ASSOCIATION_BLOCK_SIZE = 256;

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

export function parseAddress(text: string): { ok: true; address: number } | { ok: false; error: string } {
    const parts = text.split(".");
    if (parts.length !== 4) {
        return { ok: false, error: `the address must have 4 dot-separated octets, found ${parts.length}` };
    }
    let address = 0;
    for (const part of parts) {
        if (!OCTET.test(part) || Number(part) > 255) {
            return { ok: false, error: `octet '${part}' must be a decimal number 0..255 without leading zeros` };
        }
        address = address * 256 + Number(part);
    }
    return { ok: true, address };
}

export function formatAddress(address: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

export function formatPrefix(prefix: Ipv4Prefix): string {
    return `${formatAddress(prefix.network)}/${prefix.length}`;
}

export function prefixSize(prefix: Ipv4Prefix): number {
    return 2 ** (32 - prefix.length);
}

/** Parses `a.b.c.d/len`, refusing host bits so a typo never silently widens a range. */
export function parsePrefix(text: unknown): ParseResult {
    if (typeof text !== "string") {
        return { ok: false, error: `${describeValue(text)} is not a valid IPv4 prefix: expected a string such as 10.1.0.0/24` };
    }
    const invalid = (why: string): ParseResult => ({ ok: false, error: `${text} is not a valid IPv4 prefix: ${why}` });
    if (text.includes(":")) {
        return { ok: false, error: `${text}: IPv6 prefixes are not supported yet; use an IPv4 prefix such as 10.1.0.0/24` };
    }
    const slash = text.indexOf("/");
    if (slash < 0) {
        return invalid(`the prefix length is missing; expected <address>/<length>, e.g. ${text}/24`);
    }
    const addressText = text.slice(0, slash);
    const lengthText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]*)$/.test(lengthText) || Number(lengthText) > 32) {
        return invalid("the length must be 0..32");
    }
    const length = Number(lengthText);
    const address = parseAddress(addressText);
    if (!address.ok) {
        return invalid(address.error);
    }
    const network = networkOf(address.address, length);
    if (network !== address.address) {
        return invalid(`host bits are set; the network address is ${formatPrefix({ network, length })}`);
    }
    return { ok: true, prefix: { network, length } };
}

/** Parses or throws; for callers that already validated their input. */
export function mustParsePrefix(text: string): Ipv4Prefix {
    const parsed = parsePrefix(text);
    if (!parsed.ok) {
        throw new Error(parsed.error);
    }
    return parsed.prefix;
}

export function networkOf(address: number, length: number): number {
    const size = 2 ** (32 - length);
    return address - (address % size);
}

function lastAddress(prefix: Ipv4Prefix): number {
    return prefix.network + prefixSize(prefix) - 1;
}

/** True when every address of `inner` is in `outer`. */
export function contains(outer: Ipv4Prefix, inner: Ipv4Prefix): boolean {
    return outer.length <= inner.length && networkOf(inner.network, outer.length) === outer.network;
}

/** Aligned prefixes either nest or are disjoint, so overlap is containment either way. */
export function overlaps(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
    return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/** How many /newLength blocks `prefix` holds (0 when the prefix is smaller than one block). */
export function blockCount(prefix: Ipv4Prefix, newLength: number): number {
    return newLength < prefix.length ? 0 : 2 ** (newLength - prefix.length);
}

/** The index-th /newLength block of `prefix`. */
export function blockAt(prefix: Ipv4Prefix, newLength: number, index: number): Ipv4Prefix {
    return { network: prefix.network + index * 2 ** (32 - newLength), length: newLength };
}

/** Splits `prefix` into its /newLength blocks, in address order. */
export function split(prefix: Ipv4Prefix, newLength: number): Ipv4Prefix[] {
    if (!Number.isInteger(newLength) || newLength < 0 || newLength > 32) {
        throw new Error(`cannot split ${formatPrefix(prefix)} into /${newLength} blocks: the length must be 0..32`);
    }
    const count = blockCount(prefix, newLength);
    if (count > 65536) {
        // A /0 split into /24s is 16M objects: refuse rather than exhaust memory.
        throw new Error(`cannot split ${formatPrefix(prefix)} into ${count} /${newLength} blocks: at most 65536 at once`);
    }
    return Array.from({ length: count }, (_, i) => blockAt(prefix, newLength, i));
}

/** The 256-address blocks of a subnet: what associations are allocated from. */
export function associationBlocks(subnet: Ipv4Prefix): Ipv4Prefix[] {
    return split(subnet, ASSOCIATION_BLOCK_LENGTH);
}

/**
 * The lowest /length prefix inside one of `spaces` that overlaps none of `taken`,
 * or undefined. Used to suggest a valid value in messages.
 */
export function firstFreePrefix(spaces: Ipv4Prefix[], taken: Ipv4Prefix[], length: number): Ipv4Prefix | undefined {
    for (const space of [...spaces].sort((a, b) => a.network - b.network)) {
        const count = blockCount(space, length);
        let index = 0;
        while (index < count) {
            const candidate = blockAt(space, length, index);
            const blocker = taken.find((t) => overlaps(t, candidate));
            if (!blocker) {
                return candidate;
            }
            // Skip past the blocker instead of stepping one block at a time.
            const nextAddress = lastAddress(blocker) + 1;
            index = Math.max(index + 1, Math.ceil((nextAddress - space.network) / 2 ** (32 - length)));
        }
    }
    return undefined;
}

/** The shortest prefix length whose size is at least `addresses`. */
export function lengthForSize(addresses: number): number {
    let length = 32;
    while (length > 0 && 2 ** (32 - length) < addresses) {
        length--;
    }
    return length;
}

function describeValue(value: unknown): string {
    if (value === undefined) {
        return "undefined";
    }
    return JSON.stringify(value) ?? String(value);
}
