/** The backend-health view: per cluster and endpoint, from HAProxy's `show stat`. */
import { GatewayIr } from "../model/ir";
import { backendName, serverName, SlotLayout } from "./slots";

export interface EndpointHealth {
  address: string;
  port: number;
  /** HAProxy's status: UP, DOWN, MAINT, `UP 1/3` while changing, ... */
  status: string;
  /** Takes traffic now. */
  healthy: boolean;
  /** Last check, e.g. `L7OK`, `L4CON`, `L7STS`. */
  lastCheck: string;
  weight: number;
  server: string;
}

export interface ClusterHealth {
  healthyEndpoints: number;
  endpoints: EndpointHealth[];
}

export function healthView(ir: GatewayIr, layout: SlotLayout, stats: Record<string, string>[]): Record<string, ClusterHealth> {
  const rows = new Map(stats.map((r) => [`${r.pxname}/${r.svname}`, r]));
  const view: Record<string, ClusterHealth> = {};
  for (const cluster of ir.clusters) {
    const endpoints: EndpointHealth[] = [];
    (layout[cluster.name] ?? []).forEach((key, i) => {
      if (key === null) return;
      const e = cluster.endpoints.find((x) => `${x.address}:${x.port}` === key || `[${x.address}]:${x.port}` === key);
      if (!e) return;
      const row = rows.get(`${backendName(cluster.name)}/${serverName(i)}`);
      const status = row?.status ?? "UNKNOWN";
      endpoints.push({
        address: e.address,
        port: e.port,
        status,
        healthy: status.startsWith("UP") || status === "no check",
        lastCheck: row?.check_status ?? "",
        weight: Number(row?.weight ?? e.weight ?? 1),
        server: serverName(i),
      });
    });
    view[cluster.name] = { healthyEndpoints: endpoints.filter((e) => e.healthy).length, endpoints };
  }
  return view;
}
