/** One `backend` per cluster: pre-created server slots, health check, protocol, timeouts. */
import { Cluster, DEFAULT_HEALTH_CHECK, GatewayIr } from "../../model/ir";
import { backendName, serverName, slotStates } from "../slots";
import { block, quote, seconds } from "./text";

/** A request with no healthy endpoint gets this body, with a 503. */
function noHealthyEndpointBody(cluster: string): string {
  return `no healthy endpoint for backend ${cluster}`;
}

/** HAProxy wants one regular expression for several status ranges; this one is exact. */
export function statusRegex(ranges: { start: number; end: number }[]): string {
  const codes = new Set<number>();
  for (const r of ranges) for (let c = r.start; c <= r.end; c++) codes.add(c);
  const parts: string[] = [];
  for (let hundred = 1; hundred <= 5; hundred++) {
    const all = Array.from({ length: 100 }, (_, i) => hundred * 100 + i);
    if (all.every((c) => codes.has(c))) {
      parts.push(`${hundred}[0-9][0-9]`);
      continue;
    }
    for (let ten = 0; ten <= 9; ten++) {
      const decade = Array.from({ length: 10 }, (_, i) => hundred * 100 + ten * 10 + i);
      if (decade.every((c) => codes.has(c))) parts.push(`${hundred}${ten}[0-9]`);
      else parts.push(...decade.filter((c) => codes.has(c)).map(String));
    }
  }
  return `^(${parts.join("|")})$`;
}

export function clusterSection(ir: GatewayIr, cluster: Cluster, slots: (string | null)[], includeEndpoints: boolean): string {
  const hc = cluster.healthCheck ?? {};
  const d = DEFAULT_HEALTH_CHECK;
  const host = hc.http?.host ?? d.host;
  const path = hc.http?.path ?? d.path;
  const statuses = hc.http?.match?.statusCodes?.length ? hc.http.match.statusCodes : d.statusCodes;
  const checkParams = [
    "check",
    `inter ${seconds(hc.intervalMs ?? d.intervalMs)}`,
    `rise ${hc.healthyThreshold ?? d.healthyThreshold}`,
    `fall ${hc.unhealthyThreshold ?? d.unhealthyThreshold}`,
    ...(hc.port ? [`port ${hc.port}`] : []),
    ...(hc.useTLS ? ["check-ssl"] : []),
    ...(cluster.tls ? ["ssl verify none"] : hc.useTLS ? ["verify none"] : []),
    // HTTP/2 cleartext with prior knowledge; health checks use the server's protocol too.
    ...(cluster.protocol === "h2c" ? ["proto h2"] : []),
  ];
  const l = [
    ...protocolNote(cluster),
    "balance roundrobin",
    "option httpchk",
    `http-check send meth GET uri ${quote(path)} ver HTTP/1.1 hdr Host ${quote(host)}`,
    `http-check expect rstatus ${quote(statusRegex(statuses))}`,
    `timeout check ${seconds(hc.timeoutMs ?? d.timeoutMs)}`,
    `default-server ${checkParams.join(" ")}`,
  ];
  if (cluster.sessionAffinity) {
    l.push(
      `cookie ${cluster.sessionAffinity.cookieName ?? "AGCAffinity"} insert indirect nocache dynamic`,
      `dynamic-cookie-key ${quote(`${ir.gateway}/${cluster.name}`)}`,
    );
  }
  l.push(
    "# The route's request timeout, when it has its own.",
    "http-request set-timeout server var(txn.server_timeout) if { var(txn.server_timeout) -m found }",
    // Not in a process that is soft-stopping after a reload: its backends count no usable
    // server there, yet the requests it still holds are served by them.
    `http-request return status 503 content-type text/plain string ${quote(noHealthyEndpointBody(cluster.name))} if { nbsrv lt 1 } !{ stopping }`,
    `# ${slots.length} server slots; the agent fills them through the runtime API.`,
  );
  const filled = includeEndpoints ? slots : slots.map(() => null);
  const states = slotStates(cluster, filled);
  // Filled slots are written out; the free tail is one server-template line.
  let lastFilled = -1;
  filled.forEach((key, i) => { if (key !== null) lastFilled = i; });
  for (let i = 0; i <= lastFilled; i++) {
    const s = states[i];
    const addr = s.address.includes(":") ? `[${s.address}]` : s.address;
    l.push(`server ${serverName(i)} ${addr}:${s.port} weight ${s.weight}${s.ready ? "" : " disabled"}`);
  }
  if (lastFilled + 1 < states.length) l.push(`server-template s ${lastFilled + 2}-${states.length} 127.0.0.1:1 disabled`);
  return block(`backend ${backendName(cluster.name)}`, l);
}

function protocolNote(cluster: Cluster): string[] {
  if (cluster.protocol === "websocket") return ["# WebSocket: upgrades are relayed; after one, the stream idle timeout (timeout tunnel) applies."];
  if (cluster.protocol === "h2c") return ["# h2c: HTTP/2 cleartext to the endpoints (proto h2 below)."];
  return [];
}
