// Host names as Gateway API compares them: a wildcard `*.example.com` stands for one or more
// labels in front of `example.com`, never for `example.com` itself.

/** Whether `host` (exact or wildcard) lies within `pattern` (exact or wildcard). */
export function hostnameWithin(host: string, pattern: string): boolean {
  if (host === pattern) return true;
  if (!pattern.startsWith("*.")) return false;
  const suffix = pattern.slice(1); // ".example.com"
  const hostBody = host.startsWith("*.") ? host.slice(2) : host;
  // `*.a.example.com` lies within `*.example.com`; `a.example.com` too; `example.com` not.
  return hostBody.endsWith(suffix) && hostBody.length > suffix.length;
}

/**
 * The host names a route serves through a listener: the intersection of the listener's host
 * name (undefined: any) and the route's (empty: any). `undefined` means any host; an empty
 * array means the two do not intersect (the route does not attach to that listener).
 */
export function intersectHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[]): string[] | undefined {
  const route = routeHostnames.map((h) => h.toLowerCase());
  if (!listenerHostname) return route.length ? unique(route) : undefined;
  const listener = listenerHostname.toLowerCase();
  if (route.length === 0) return [listener];
  const result: string[] = [];
  for (const h of route) {
    if (hostnameWithin(h, listener)) result.push(h);
    else if (hostnameWithin(listener, h)) result.push(listener);
  }
  return unique(result);
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
