/** How values are written into HAProxy's configuration language. */

/** Quotes one configuration word so HAProxy reads it back literally. */
export function quote(word: string): string {
  if (/^[A-Za-z0-9_.\/:@^*+=-]+$/.test(word)) return word;
  // Single quotes take everything literally; double quotes need \, " and $ escaped.
  if (!word.includes("'")) return `'${word}'`;
  return `"${word.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** A literal inside a log-format string (header values, locations): `%` is special there. */
export function literalFmt(text: string): string {
  return text.replace(/%/g, "%%");
}

/** A match pattern: `--` ends the flags, so a value starting with `-` is not read as one. */
export function pattern(value: string): string {
  return `-- ${quote(value)}`;
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function block(title: string, lines: string[]): string {
  const body = lines.map((l) => (l === "" ? "" : `    ${l}`)).join("\n");
  return `${title}\n${body}\n`;
}

/** File content of one entry per line (empty when none). */
export function fileLines(l: string[]): string {
  return l.length ? `${l.join("\n")}\n` : "";
}

/** PCRE2 syntax for a literal string. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
