/**
 * Regular expressions in an IR document are compiled by HAProxy with PCRE2. JavaScript cannot
 * run PCRE2, so the check accepts only a subset both engines read alike (documented on
 * `RegexSyntax` in types.ts), then lets JavaScript compile it to catch the structural errors
 * both engines share (unbalanced parentheses, a quantifier with nothing to repeat, `[z-a]`).
 */

const CLASS_ESCAPES = "dDwWsSnrtf";
/** Escapes that stand for a set: PCRE2 refuses them as the end of a range (`[\d-z]`). */
const SET_ESCAPES = /^\\[dDwWsS]$/;
const ESCAPES = `${CLASS_ESCAPES}bB`;
const PUNCTUATION = /^[!-/:-@[-`{-~]$/;

/** Why the expression is refused, or null when HAProxy (PCRE2) will compile it as meant. */
export function regexProblem(source: string): string | null {
  if (/[^\x20-\x7e]/.test(source)) return "only printable ASCII characters are supported";
  let i = 0;
  let inClass = false;
  let classStart = 0;
  let lastWasAtom = false;
  while (i < source.length) {
    const c = source[i];
    if (c === "\\") {
      const next = source[i + 1];
      if (next === undefined) return "a trailing '\\' escapes nothing";
      const allowed = inClass ? CLASS_ESCAPES.includes(next) || next === "b" : ESCAPES.includes(next);
      if (!allowed && !PUNCTUATION.test(next)) {
        return `the escape '\\${next}' is not supported (use \\d \\D \\w \\W \\s \\S \\b \\B \\n \\r \\t \\f, or '\\' before punctuation)`;
      }
      i += 2;
      lastWasAtom = true;
      continue;
    }
    if (inClass) {
      if (c === "[") return "'[' inside a character class must be escaped (POSIX classes are not supported)";
      if (c === "-" && i > classStart && source[i + 1] !== "]" &&
        (SET_ESCAPES.test(source.slice(i - 2, i)) || SET_ESCAPES.test(source.slice(i + 1, i + 3)))) {
        return "a range in a character class cannot start or end with \\d, \\w or \\s (escape the '-')";
      }
      if (c === "]" && i > classStart) {
        inClass = false;
        lastWasAtom = true;
      }
      i++;
      continue;
    }
    if (c === "[") {
      inClass = true;
      i++;
      if (source[i] === "^") i++;
      if (source[i] === "]") return "an empty character class ('[]' or '[^]') is not supported";
      classStart = i;
      continue;
    }
    if (c === "(" && source[i + 1] === "?") {
      const kind = source[i + 2];
      if (kind !== ":" && kind !== "=" && kind !== "!") {
        return "only (?:...), (?=...) and (?!...) groups are supported (no named groups, lookbehinds or inline flags)";
      }
      i += 3;
      lastWasAtom = false;
      continue;
    }
    if (c === "{") {
      const m = /^\{\d+(,\d*)?\}/.exec(source.slice(i));
      if (!m) return "a literal '{' must be escaped as '\\{'";
      if (!lastWasAtom) return "a quantifier needs something to repeat";
      const [min, max] = m[0].slice(1, -1).split(",").map((n) => (n === "" ? undefined : Number(n)));
      if (min! > 65535 || (max !== undefined && max > 65535)) return "repeat counts must be at most 65535";
      if (max !== undefined && max < min!) return `the repeat count {${min},${max}} is out of order`;
      i += m[0].length;
      lastWasAtom = false;
      continue;
    }
    lastWasAtom = !"(|^*+?".includes(c);
    i++;
  }
  if (inClass) return "a character class is not closed";
  try {
    new RegExp(source);
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: \/.*\/: /, "");
  }
  return null;
}
