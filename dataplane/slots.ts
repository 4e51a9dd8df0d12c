/**
 * Server slots: each cluster's HAProxy backend has a fixed number of pre-created servers
 * (`s1`..`sN`). Endpoints are placed into slots so that endpoint changes are runtime API
 * commands, never reloads. A slot keeps its endpoint for as long as the endpoint exists, so
 * established connections and affinity cookies are not reshuffled.
 */
import { Cluster, Endpoint, GatewayIr } from "../model/ir";

/** Per cluster: slot index (0-based, server `s<index+1>`) to endpoint key `address:port`, or null when free. */
export type SlotLayout = Record<string, (string | null)[]>;

export const MIN_SLOTS = 8;

export function endpointKey(e: Pick<Endpoint, "address" | "port">): string {
  return e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** Room for growth: half as many again as needed, in steps of 8, at least {@link MIN_SLOTS}. */
export function slotCountFor(endpoints: number): number {
  return Math.max(MIN_SLOTS, Math.ceil((endpoints * 1.5) / 8) * 8);
}

function planCluster(cluster: Cluster, previous: (string | null)[] | undefined): (string | null)[] {
  const wanted = cluster.endpoints.map(endpointKey);
  const wantedSet = new Set(wanted);
  const size = previous && previous.length >= wanted.length ? previous.length : slotCountFor(wanted.length);
  const slots: (string | null)[] = new Array(size).fill(null);
  const placed = new Set<string>();
  // Endpoints that stay keep their slot (only when the slot count is unchanged).
  if (previous && previous.length === size) {
    previous.forEach((key, i) => {
      if (key !== null && wantedSet.has(key)) {
        slots[i] = key;
        placed.add(key);
      }
    });
  }
  let free = 0;
  for (const key of wanted) {
    if (placed.has(key)) continue;
    while (slots[free] !== null) free++;
    slots[free] = key;
    placed.add(key);
  }
  return slots;
}

/** Places every cluster's endpoints into slots, keeping the previous placement where it can. */
export function planSlots(ir: GatewayIr, previous: SlotLayout = {}): SlotLayout {
  const layout: SlotLayout = {};
  for (const cluster of ir.clusters) layout[cluster.name] = planCluster(cluster, previous[cluster.name]);
  return layout;
}

/** What a slot should be: which endpoint, with which weight, taking traffic or not. */
export interface SlotState {
  address: string;
  port: number;
  weight: number;
  ready: boolean;
}

/** Placeholder address of a free slot: never contacted, since free slots are in maintenance. */
export const FREE_SLOT: SlotState = { address: "127.0.0.1", port: 1, weight: 1, ready: false };

export function slotStates(cluster: Cluster, slots: (string | null)[]): SlotState[] {
  const byKey = new Map(cluster.endpoints.map((e) => [endpointKey(e), e]));
  return slots.map((key) => {
    const e = key === null ? undefined : byKey.get(key);
    if (!e) return FREE_SLOT;
    return { address: e.address, port: e.port, weight: e.weight ?? 1, ready: e.ready ?? true };
  });
}

export function backendName(cluster: string): string {
  return `cl_${cluster}`;
}

export function serverName(slotIndex: number): string {
  return `s${slotIndex + 1}`;
}

/**
 * Runtime API commands that move a running HAProxy from one slot layout to the next.
 * Returns null when the change cannot be applied at runtime (a cluster appeared, went away
 * or changed its slot count): that needs a reload.
 */
export function runtimeCommands(
  prev: { ir: GatewayIr; layout: SlotLayout },
  next: { ir: GatewayIr; layout: SlotLayout },
): string[] | null {
  const commands: string[] = [];
  const prevClusters = new Map(prev.ir.clusters.map((c) => [c.name, c]));
  if (prev.ir.clusters.length !== next.ir.clusters.length) return null;
  for (const cluster of next.ir.clusters) {
    const before = prevClusters.get(cluster.name);
    const prevSlots = prev.layout[cluster.name];
    const nextSlots = next.layout[cluster.name];
    if (!before || !prevSlots || !nextSlots || prevSlots.length !== nextSlots.length) return null;
    const was = slotStates(before, prevSlots);
    const now = slotStates(cluster, nextSlots);
    now.forEach((want, i) => commands.push(...slotCommands(`${backendName(cluster.name)}/${serverName(i)}`, was[i], want)));
  }
  return commands;
}

/** Commands for one slot: out of service first, then address and weight, then back in service. */
export function slotCommands(server: string, was: SlotState, want: SlotState): string[] {
  const moved = was.address !== want.address || was.port !== want.port;
  const out: string[] = [];
  if (was.ready && (!want.ready || moved)) out.push(`set server ${server} state maint`);
  if (moved) out.push(`set server ${server} addr ${want.address} port ${want.port}`);
  if (was.weight !== want.weight || moved) out.push(`set server ${server} weight ${want.weight}`);
  if (want.ready && (!was.ready || moved)) out.push(`set server ${server} state ready`);
  return out;
}
