// HTTPRoute matches: path, headers, query parameters and method, as IR route fields.
import { Route, normalizePath, regexProblem } from "../model/ir";
import { compact } from "./objects";

export type RouteMatch = Pick<Route, "path" | "headers" | "queryParams" | "method">;

/**
 * A rule match as IR route fields, or the reason it cannot be served: a path that does not
 * normalize, or a regular expression the data plane (HAProxy, PCRE2) would not read as meant.
 * `where` names the match in messages (e.g. `spec.rules[0].matches[1]`).
 */
export function compileMatch(match: any, where: string): { match: RouteMatch; problem?: string } {
  const type = match.path?.type ?? "PathPrefix";
  const written = match.path?.value ?? "/";
  // The data plane matches normalized request paths, so a literal path is compared normalized too.
  const value = type === "RegularExpression" ? written : normalizePath(String(written));
  // Of entries with an equivalent name only the first counts (header names ignore case).
  const headers = firstByName((match.headers as any[]) ?? [], (n) => n.toLowerCase()).map(valueMatch);
  const queryParams = firstByName((match.queryParams as any[]) ?? [], (n) => n).map(valueMatch);
  const patterns = [
    ...(type === "RegularExpression" ? [{ what: `${where}.path.value`, value: written }] : []),
    ...headers.filter((h) => h.type).map((h) => ({ what: `${where}.headers (${h.name})`, value: h.value })),
    ...queryParams.filter((q) => q.type).map((q) => ({ what: `${where}.queryParams (${q.name})`, value: q.value })),
  ];
  const problem = value === null ? unnormalizablePath(`${where}.path.value`, written) : firstRegexProblem(patterns);
  return {
    match: compact({
      path: { type, value: value ?? written },
      headers: headers.length ? headers : undefined,
      queryParams: queryParams.length ? queryParams : undefined,
      method: match.method,
    }),
    problem,
  };
}

/** Why a path (match or replacement) is refused: the data plane routes and sends normalized paths. */
export function unnormalizablePath(where: string, written: string): string {
  return `${where}: '${written}' cannot be normalized (a path starts with '/', has no '..' above the root, and has '%' only before two hex digits)`;
}

/** Why the first regular expression the data plane would not read as meant is refused. */
function firstRegexProblem(patterns: readonly { what: string; value: unknown }[]): string | undefined {
  for (const { what, value } of patterns) {
    const problem = regexProblem(String(value));
    if (problem !== null) return `${what}: the regular expression '${value}' is not supported: ${problem}`;
  }
  return undefined;
}

function firstByName(entries: any[], key: (name: string) => string): any[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const k = key(String(e.name));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function valueMatch(m: any): { name: string; value: string; type?: "RegularExpression" } {
  return { name: m.name, value: m.value, ...(m.type === "RegularExpression" ? { type: "RegularExpression" as const } : {}) };
}
