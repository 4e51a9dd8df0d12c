/** The backend-health view: per cluster and endpoint, from HAProxy's `show stat`. */
import { Cluster, DEFAULT_HEALTH_CHECK, GatewayIr } from "../model/ir";
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
  /** The status code the last HTTP check got, when it got one. */
  lastCheckCode?: number;
  /** What a failing check most likely means, when that is known. */
  hint?: string;
  weight: number;
  server: string;
}

export interface ClusterHealth {
  healthyEndpoints: number;
  endpoints: EndpointHealth[];
}

/** The probe path a cluster's checks use. */
const probePath = (cluster: Cluster) => cluster.healthCheck?.http?.path ?? DEFAULT_HEALTH_CHECK.path;

/**
 * Why a check fails, where the answer says it: a plain GET / answered 400 is what a
 * WebSocket-only server does, and the reason AGC's users meet 502s on their first try.
 */
function checkHint(cluster: Cluster, lastCheck: string, code: number | undefined): string | undefined {
  if (lastCheck !== "L7STS" || code !== 400 || probePath(cluster) !== "/") return undefined;
  return "the probe's plain GET / was answered 400, as a WebSocket-only server answers it: give the Service a HealthCheckPolicy (or its pods an HTTP readiness probe) on a path that answers 200, e.g. /health";
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
      const lastCheck = row?.check_status ?? "";
      const code = row?.check_code ? Number(row.check_code) : undefined;
      const hint = checkHint(cluster, lastCheck, code);
      endpoints.push({
        address: e.address,
        port: e.port,
        status,
        healthy: status.startsWith("UP") || status === "no check",
        lastCheck,
        ...(code !== undefined ? { lastCheckCode: code } : {}),
        ...(hint ? { hint } : {}),
        weight: Number(row?.weight ?? e.weight ?? 1),
        server: serverName(i),
      });
    });
    view[cluster.name] = { healthyEndpoints: endpoints.filter((e) => e.healthy).length, endpoints };
  }
  return view;
}
