/**
 * What a chosen route does to its request: header changes, rewrites, redirects, its timeout,
 * and which cluster (or which 500) answers, by weight.
 */
import { HeaderModifier, Route, WeightedBackend } from "../../model/ir";
import { backendName } from "../slots";
import { NO_TIMEOUT_MS } from "./global";
import { normalPrefix } from "./routes";
import { escapeRegex, literalFmt, quote } from "./text";

export function headerRules(kind: "http-request" | "http-response", m: HeaderModifier | undefined, cond: string): string[] {
  if (!m) return [];
  return [
    ...(m.remove ?? []).map((h) => `${kind} del-header ${quote(h)} if ${cond}`),
    ...(m.set ?? []).map((h) => `${kind} set-header ${quote(h.name)} ${quote(literalFmt(h.value))} if ${cond}`),
    ...(m.add ?? []).map((h) => `${kind} add-header ${quote(h.name)} ${quote(literalFmt(h.value))} if ${cond}`),
  ];
}

/** A `replace-path` rule applying ReplaceFullPath / ReplacePrefixMatch. */
export function pathReplacement(r: Route, repl: { type: string; value: string }, cond: string): string {
  if (repl.type === "ReplaceFullPath") return `http-request set-path ${quote(literalFmt(repl.value))} if ${cond}`;
  const prefix = escapeRegex(normalPrefix(r.path?.value ?? "/"));
  const value = normalPrefix(repl.value);
  // `/foo/bar` with prefix `/foo` -> `<value>/bar`; a value of `/` must not give `//bar`.
  if (value === "/") return `http-request replace-path ${quote(`^${prefix === "/" ? "" : prefix}/?(.*)$`)} ${quote("/\\1")} if ${cond}`;
  if (prefix === "/") return `http-request replace-path ${quote("^/?(.*)$")} ${quote(`${literalFmt(value)}/\\1`)} if ${cond}`;
  return `http-request replace-path ${quote(`^${prefix}(/.*)?$`)} ${quote(`${literalFmt(value)}\\1`)} if ${cond}`;
}

export function redirectRules(r: Route, cond: string): string[] {
  const rd = r.redirect;
  if (!rd) return [];
  const out: string[] = [];
  if (rd.path) out.push(pathReplacement(r, rd.path, cond));
  const scheme = rd.scheme ?? "%[ssl_fc,iif(https,http)]";
  let host: string;
  if (rd.hostname === undefined && rd.port === undefined && rd.scheme === undefined) host = "%[req.hdr(host)]";
  else host = (rd.hostname ?? "%[var(txn.host)]") + (rd.port !== undefined ? `:${rd.port}` : "");
  const location = `${scheme}://${host}%[path]`;
  const code = rd.statusCode ?? 302;
  out.push(`http-request redirect location ${quote(`${location}?%[query]`)} code ${code} if ${cond} { query -m len gt 0 }`);
  out.push(`http-request redirect location ${quote(location)} code ${code} if ${cond}`);
  return out;
}

/**
 * The server-side timer for a route, in ms, or undefined when the route keeps the gateway's.
 * HAProxy 2.6 has no total per-request timer: the smaller of the total request timeout
 * (default: the gateway's) and the backend request timeout bounds the backend's answer.
 */
export function serverTimeoutMs(r: Route, gatewayRequestMs: number): number | undefined {
  if (r.requestTimeoutMs === undefined && r.backendRequestTimeoutMs === undefined) return undefined;
  const limits = [r.requestTimeoutMs ?? gatewayRequestMs, r.backendRequestTimeoutMs ?? 0].filter((ms) => ms > 0);
  return limits.length ? Math.min(...limits) : NO_TIMEOUT_MS;
}

export function timeoutRules(r: Route, gatewayRequestMs: number, cond: string): string[] {
  const ms = serverTimeoutMs(r, gatewayRequestMs);
  return ms === undefined ? [] : [`http-request set-var(txn.server_timeout) int(${ms}) if ${cond}`];
}

/** The body of the 500 answering an invalid backend's share. */
function invalidBackendBody(reason: string): string {
  return `backend unavailable: ${reason}`;
}

function shareRule(b: WeightedBackend, cond: string): string {
  if (b.cluster !== undefined) return `http-request set-var(txn.cluster) str(${backendName(b.cluster)}) if ${cond}`;
  return `http-request return status 500 content-type text/plain string ${quote(invalidBackendBody(b.invalid ?? ""))} if ${cond}`;
}

/**
 * Picks a share by weight: one random draw in [0, total), each share owning a range as wide as
 * its weight. Weights go up to 1,000,000 (HAProxy's server weights stop at 256, so the choice
 * is made here, between backends, not by server weights).
 */
export function backendChoice(r: Route, cond: string): string[] {
  const shares = (r.backends ?? []).map((b) => ({ ...b, weight: b.weight ?? 1 })).filter((b) => b.weight > 0);
  if (shares.length === 0) return [];
  if (shares.length === 1) return [shareRule(shares[0], cond)];
  const total = shares.reduce((s, b) => s + b.weight, 0);
  const out = [`http-request set-var(txn.pick) rand(${total}) if ${cond}`];
  let from = 0;
  for (const b of shares) {
    out.push(shareRule(b, `${cond} { var(txn.pick) -m int ${from}:${from + b.weight - 1} }`));
    from += b.weight;
  }
  return out;
}
