// Listener isolation: on a port shared by several listeners, a request belongs to the listener
// whose host name matches it most specifically, and only that listener's routes may answer it.
// The IR has one frontend per port and no host exclusions, so a route attached to a less
// specific listener (no host name, or a wider wildcard) is kept away from the host names the
// more specific listeners own: a host name of the route they own is left out, and the others
// carry a Host header match that refuses requests for the owned names.
import { HeaderMatch } from "../../model/ir";
import { hostnameWithin } from "../hostnames";
import { Listener, programmed } from "./listeners";

/**
 * Host names of the other served listeners on the same port of the same Gateway that are more
 * specific than (served) `listener`'s and lie within it: requests for them never reach `listener`.
 * Served listeners sharing a port have distinct host names (else they conflict), so `listener`'s
 * own is never among them.
 */
export function hostnamesOwnedElsewhere(listener: Listener, listeners: readonly Listener[]): string[] {
  return listeners
    .filter((other) => other !== listener && other.port === listener.port && programmed(other))
    .map((other) => other.hostname)
    .filter((h): h is string => h !== undefined && (listener.hostname === undefined || hostnameWithin(h, listener.hostname)))
    .sort();
}

/**
 * The host names a route serves through a listener once names owned by other listeners are
 * taken away (undefined: any host), and the owned names that still lie within them, which
 * requests must be refused for.
 */
export function isolateHostnames(hosts: string[] | undefined, owned: readonly string[]): { hosts: string[] | undefined; excluded: string[] } {
  if (hosts === undefined) return { hosts, excluded: [...owned] };
  const kept = hosts.filter((h) => !owned.some((o) => hostnameWithin(h, o)));
  const excluded = owned.filter((o) => kept.some((h) => hostnameWithin(o, h)));
  return { hosts: kept, excluded };
}

/**
 * A Host header match refusing the given host names (exact or `*.` wildcards of one or more
 * labels), whatever their case and with or without a port. Undefined when there are none.
 */
export function hostExclusionMatch(excluded: readonly string[]): HeaderMatch | undefined {
  if (excluded.length === 0) return undefined;
  const alternatives = excluded.map((h) => (h.startsWith("*.") ? `[^:]+${caseless(h.slice(1))}` : caseless(h)));
  return { name: "host", type: "RegularExpression", value: `^(?!(?:${alternatives.join("|")})(?::[0-9]+)?$)` };
}

/** A host name as a pattern matching it in any case (the engine has no flags we can rely on). */
function caseless(name: string): string {
  return [...name].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c === "." ? "\\." : c)).join("");
}
