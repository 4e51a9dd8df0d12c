/**
 * Request path normalization, as the data plane applies it before routing (HAProxy's
 * `normalize-uri` steps, in this order):
 * 1. percent-encoded unreserved characters (`A-Za-z0-9-._~`) are decoded (`%7E` -> `~`,
 *    `%2e` -> `.`); a `%` not followed by two hex digits is refused;
 * 2. the remaining percent-encodings are upper-cased (`%2f` -> `%2F`);
 * 3. runs of slashes are merged (`//` -> `/`);
 * 4. `.` segments are removed, `..` segments remove the segment before them;
 * 5. a `..` that would climb above the root is refused.
 * An encoded slash `%2F` (or backslash `%5C`) is not a separator: it stays encoded, is part of
 * its segment for matching, and reaches the backend as sent (upper-cased).
 */

const UNRESERVED = /^[A-Za-z0-9._~-]$/;

/** The normalized path, or null when the path cannot be normalized (the proxy answers 400). */
export function normalizePath(path: string): string | null {
  if (!path.startsWith("/")) return null;
  let decoded = "";
  for (let i = 0; i < path.length; i++) {
    if (path[i] !== "%") {
      decoded += path[i];
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
    const ch = String.fromCharCode(parseInt(hex, 16));
    decoded += UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
    i += 2;
  }
  const merged = decoded.replace(/\/{2,}/g, "/");
  const segments = merged.slice(1).split("/");
  const out: string[] = [];
  let aboveRoot = false;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === ".") {
      if (last) out.push("");
      return;
    }
    if (segment === "..") {
      if (out.length === 0 || (out.length === 1 && out[0] === "")) {
        aboveRoot = true;
        return;
      }
      out.pop();
      if (last) out.push("");
      return;
    }
    out.push(segment);
  });
  if (aboveRoot) return null;
  return `/${out.join("/")}`;
}
