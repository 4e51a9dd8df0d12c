/**
 * Which routes a frontend serves and in which order they win (Gateway API precedence), and
 * the map files that select plain host/path routes.
 */
import { Frontend, GatewayIr, Route } from "../../model/ir";
import { fileLines } from "./text";

/** The routes a frontend serves, with host names narrowed to the frontend's. */
export function routesFor(ir: GatewayIr, fe: Frontend): Route[] {
  const out: Route[] = [];
  for (const route of ir.routes) {
    if (route.frontends && !route.frontends.includes(fe.name)) continue;
    const own = route.hostnames ?? [];
    const hostnames = narrowHostnames(own, fe.hostnames ?? [], route.wildcardSingleLabel ?? false);
    if (hostnames === null) continue;
    // A route without host names takes the frontend's, whose wildcards match at any depth.
    out.push({ ...route, hostnames, wildcardSingleLabel: own.length > 0 && (route.wildcardSingleLabel ?? false) });
  }
  return out;
}

/**
 * Whether `pattern` covers `host` (itself a name or a wildcard). A wildcard covers one or more
 * extra labels, exactly one when `singleLabel`.
 */
export function hostMatches(pattern: string, host: string, singleLabel = false): boolean {
  if (pattern === host) return true;
  if (!pattern.startsWith("*.")) return false;
  const suffix = pattern.slice(1);
  if (!host.endsWith(suffix)) return false;
  const extra = host.slice(0, -suffix.length);
  if (host.startsWith("*.")) return !singleLabel; // `*.b.example.com` spans more than one label
  return extra.length > 0 && (!singleLabel || !extra.includes("."));
}

/**
 * Host names in both lists (empty = any). null: the route can never match on this frontend.
 * Frontend wildcards follow Gateway API (any depth); the route's follow `singleLabel`.
 */
export function narrowHostnames(route: string[], frontend: string[], singleLabel = false): string[] | null {
  if (frontend.length === 0) return route;
  if (route.length === 0) return frontend;
  const out = new Set<string>();
  for (const r of route) {
    for (const f of frontend) {
      if (hostMatches(f, r)) out.add(r);
      else if (hostMatches(r, f, singleLabel)) out.add(f);
    }
  }
  return out.size ? [...out].sort() : null;
}

/** Plain routes match on host and exact/prefix path only: they go into maps. */
export function isPlainRoute(r: Route): boolean {
  return (
    (r.path?.type ?? "PathPrefix") !== "RegularExpression" &&
    !r.headers?.length && !r.queryParams?.length && !r.method
  );
}

/** Gateway API ignores a trailing slash on a prefix (`/foo/` is `/foo`). */
export function normalPrefix(value: string): string {
  const trimmed = value.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed;
}

/**
 * Gateway API precedence as one number below 2^31, larger wins: exact host, then wildcard
 * host (the longer suffix first; a single-label wildcard before an any-depth one of the same
 * suffix), then any host; then an exact path, then the longest prefix. A conditional route
 * is compared with the best plain route through it; ties go to the conditional route.
 */
export function routeRank(host: string | undefined, path: Route["path"], singleLabel = false): number {
  const hostKind = host === undefined || host === "*" ? 0 : host.startsWith("*.") ? 1 : 2;
  const hostLen = hostKind === 1 ? Math.min(host!.length - 1, 999) * 2 + (singleLabel ? 1 : 0) : 0;
  const p = path ?? { type: "PathPrefix", value: "/" };
  // A regular expression ranks with the catch-all prefix `/` (and wins the tie, being conditional).
  const pathScore = p.type === "Exact" ? 99_999 : p.type === "PathPrefix" ? Math.min(normalPrefix(p.value).length, 99_998) : 1;
  return hostKind * 1_000_000_000 + hostLen * 100_000 + pathScore;
}

/**
 * The map key standing for a route host name: the name itself, `*` for any host,
 * `*.example.com` for a wildcard of any depth, `?.example.com` for a single-label one.
 */
export function hostKey(host: string | undefined, singleLabel: boolean): string {
  if (host === undefined) return "*";
  return host.startsWith("*.") && singleLabel ? `?${host.slice(1)}` : host;
}

export function hostsOf(r: Route): (string | undefined)[] {
  return r.hostnames?.length ? r.hostnames : [undefined];
}

/** Map keys are `<host key><path>`; values are `<route>:<rank>`. */
export function routeMaps(routes: Route[]): { exact: string; prefix: string } {
  const exact = new Map<string, string>();
  const prefix: { key: string; route: string }[] = [];
  const plain = routes.filter(isPlainRoute);
  // Exact path matches first so they win over a prefix producing the same key.
  const ordered = [
    ...plain.filter((r) => r.path?.type === "Exact"),
    ...plain.filter((r) => r.path?.type !== "Exact"),
  ];
  for (const r of ordered) {
    const single = r.wildcardSingleLabel ?? false;
    for (const h of hostsOf(r)) {
      const host = hostKey(h, single);
      const path = r.path ?? { type: "PathPrefix", value: "/" };
      const value = `${r.name}:${routeRank(h, path, single)}`;
      if (path.type === "Exact") {
        if (!exact.has(host + path.value)) exact.set(host + path.value, value);
        continue;
      }
      const p = normalPrefix(path.value);
      if (p === "/") {
        prefix.push({ key: `${host}/`, route: value });
      } else {
        if (!exact.has(host + p)) exact.set(host + p, value);
        prefix.push({ key: `${host}${p}/`, route: value });
      }
    }
  }
  // map_beg takes the first match in file order: longest prefix first.
  const seen = new Set<string>();
  const prefixLines = prefix
    .map((p, i) => ({ ...p, i }))
    .sort((a, b) => b.key.length - a.key.length || a.i - b.i)
    .filter((p) => (seen.has(p.key) ? false : (seen.add(p.key), true)))
    .map((p) => `${p.key} ${p.route}`);
  const exactLines = [...exact].map(([k, v]) => `${k} ${v}`);
  return { exact: fileLines(exactLines), prefix: fileLines(prefixLines) };
}
