// HTTPRoute matches: path, headers, query parameters and method, as IR route fields.
import { Route } from "../model/ir";
import { compact } from "./objects";

export type RouteMatch = Pick<Route, "path" | "headers" | "queryParams" | "method">;

/** A rule match as IR route fields, or the reason it cannot be served (a bad regular expression). */
export function compileMatch(match: any): { match: RouteMatch; problem?: string } {
  const path = { type: match.path?.type ?? "PathPrefix", value: match.path?.value ?? "/" };
  // Of entries with an equivalent name only the first counts (header names ignore case).
  const headers = firstByName((match.headers as any[]) ?? [], (n) => n.toLowerCase()).map(valueMatch);
  const queryParams = firstByName((match.queryParams as any[]) ?? [], (n) => n).map(valueMatch);
  const patterns = [
    ...(path.type === "RegularExpression" ? [{ what: "path", value: path.value }] : []),
    ...headers.filter((h) => h.type).map((h) => ({ what: `header ${h.name}`, value: h.value })),
    ...queryParams.filter((q) => q.type).map((q) => ({ what: `query parameter ${q.name}`, value: q.value })),
  ];
  const invalid = patterns.find((p) => !validPattern(p.value));
  return {
    match: compact({
      path,
      headers: headers.length ? headers : undefined,
      queryParams: queryParams.length ? queryParams : undefined,
      method: match.method,
    }),
    problem: invalid ? `the regular expression '${invalid.value}' of the ${invalid.what} match is not valid` : undefined,
  };
}

function firstByName(entries: any[], key: (name: string) => string): any[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(key(String(e.name))) && seen.add(key(String(e.name))));
}

function valueMatch(m: any): { name: string; value: string; type?: "RegularExpression" } {
  return { name: m.name, value: m.value, ...(m.type === "RegularExpression" ? { type: "RegularExpression" as const } : {}) };
}

function validPattern(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
