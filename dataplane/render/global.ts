/** The `global`, access-log `ring` and `defaults` sections. */
import { DEFAULT_TIMEOUTS, GatewayIr } from "../../model/ir";
import { block, quote, seconds } from "./text";

/** Longest timer we hand HAProxy for "no timeout": its timers are 31-bit milliseconds. */
export const NO_TIMEOUT_MS = 2_000_000_000;

const ACCESS_LOG_FORMAT = [
  '{"type":"access"',
  '"time":"%tr"',
  '"requestId":"%ID"',
  '"client":"%ci"',
  '"frontend":"%f"',
  '"backend":"%b"',
  '"server":"%s"',
  '"method":"%HM"',
  '"uri":"%{+E}HU"',
  '"version":"%HV"',
  '"status":%ST',
  '"bytes":%B',
  '"durationMs":%Ta',
  '"termination":"%tsc"}',
].join(",");

/** The unix socket where the agent reads the access log (see access-log.ts). */
export function accessLogSocket(runtimeDir: string): string {
  return `${runtimeDir}/access.sock`;
}

/** Lines the ring holds while the agent catches up (at 25k requests/s, about 150 ms). */
const ACCESS_LOG_RING_BYTES = 1024 * 1024;

export function globalSection(ir: GatewayIr, dir: string, hardStopAfterMs?: number): string {
  return block("global", [
    `stats socket ${dir}/haproxy.sock mode 600 level admin expose-fd listeners`,
    "stats timeout 30s",
    "# Access log lines (JSON) and runtime events go to the ring below; startup alerts to stderr.",
    "log ring@access format raw local0",
    "# Old processes keep their WebSockets and requests after a reload until they finish.",
    "master-worker",
    ...(hardStopAfterMs === undefined ? [] : [`hard-stop-after ${seconds(hardStopAfterMs)}`]),
    "tune.ssl.default-dh-param 2048",
    "# normalize-uri (request path normalization) is still marked experimental in 2.6.",
    "expose-experimental-directives",
    `setenv AGC_GATEWAY ${ir.gateway}`,
  ]);
}

/**
 * A write per log line to a pipe costs HAProxy a syscall and its reader a wakeup per request;
 * the ring takes the line in memory and its forwarder sends many per write to the agent.
 */
export function accessLogRing(dir: string): string {
  return block("ring access", [
    "format raw",
    `size ${ACCESS_LOG_RING_BYTES}`,
    "timeout connect 1s",
    "timeout server 5m",
    `server agent unix@${accessLogSocket(dir)} log-proto octet-count`,
  ]);
}

export function defaultsSection(ir: GatewayIr): string {
  const t = { ...DEFAULT_TIMEOUTS, ...ir.timeouts };
  const request = t.requestMs === 0 ? NO_TIMEOUT_MS : t.requestMs;
  return block("defaults", [
    "mode http",
    "log global",
    "option dontlognull",
    "# After a reload, an old worker closes an idle keep-alive connection only after its next answer",
    "# (which says close): closing it idle races the client's next request, which then fails.",
    "option idle-close-on-response",
    `log-format ${quote(ACCESS_LOG_FORMAT)}`,
    "unique-id-format %[uuid()]",
    "option redispatch",
    "retries 2",
    `timeout connect ${seconds(t.connectMs)}          # upstream connect`,
    `timeout server ${seconds(request)}          # request: waiting for the backend's answer`,
    `timeout http-request ${seconds(t.httpIdleMs)}    # a new connection's first request`,
    `timeout http-keep-alive ${seconds(t.httpIdleMs)} # HTTP idle`,
    `timeout client ${seconds(t.streamIdleMs)}          # stream idle (client side)`,
    `timeout tunnel ${seconds(t.streamIdleMs)}          # stream idle (WebSocket)`,
    `timeout client-fin ${seconds(t.streamIdleMs)}`,
    `timeout queue ${seconds(t.connectMs)}`,
  ]);
}
