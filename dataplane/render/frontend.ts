/**
 * One `frontend` per IR frontend: normalizes the path, adds the forwarded headers, picks a
 * route (plain host/path routes by map lookups, conditional routes by ACLs), then applies the
 * chosen route's actions and hands the request to its cluster.
 */
import { DEFAULT_TIMEOUTS, Frontend, GatewayIr, Route } from "../../model/ir";
import { backendChoice, headerRules, pathReplacement, redirectRules, timeoutRules } from "./actions";
import { hostKey, hostsOf, isPlainRoute, normalPrefix, routeRank } from "./routes";
import { block, escapeRegex, literalFmt, pattern, quote } from "./text";

export interface FrontendFiles {
  exactMap: string;
  prefixMap: string;
  /** The crt-list of a TLS frontend. */
  crtList?: string;
}

/** X-Forwarded-For lines merged into one; a request with more is refused (400). */
const MAX_FORWARDED_FOR_LINES = 10;

/** The body of the 400 for a path with `..` above the root. */
const PATH_ABOVE_ROOT_BODY = "the request path climbs above the root with '..'";

function bindLine(fe: Frontend, crtList: string | undefined): string {
  const address = fe.address ?? "0.0.0.0";
  const bindAddr = address.includes(":") ? `[${address}]` : address;
  return crtList
    ? `bind ${bindAddr}:${fe.port} ssl crt-list ${crtList} alpn h2,http/1.1`
    : `bind ${bindAddr}:${fe.port}  # HTTP/1.1, and h2c when a connection starts with the HTTP/2 preface`;
}

/**
 * HAProxy's normalizers, in the order model/ir/path.ts documents (and tests against). An
 * invalid percent-encoding is refused by `strict` (400); a `..` left at the start climbs
 * above the root and is refused too.
 */
function pathNormalization(): string[] {
  return [
    "# Paths are normalized before routing and forwarded normalized (model/ir/path.ts).",
    "http-request normalize-uri fragment-strip",
    "http-request normalize-uri percent-decode-unreserved strict",
    "http-request normalize-uri percent-to-uppercase strict",
    "http-request normalize-uri path-merge-slashes",
    "http-request normalize-uri path-strip-dot",
    "http-request normalize-uri path-strip-dotdot",
    `http-request return status 400 content-type text/plain string ${quote(PATH_ABOVE_ROOT_BODY)} if { path -m beg /../ } or { path -m str /.. }`,
  ];
}

/**
 * X-Forwarded-For: every line the client sent, in order, joined with `,` (RFC 9110 makes
 * repeated lines one list), then the client's address: one line, `a,b,<client>`.
 */
function forwardedHeaders(): string[] {
  const count = "req.fhdr_cnt(x-forwarded-for)";
  const merge = Array.from({ length: MAX_FORWARDED_FOR_LINES }, (_, i) => {
    const n = i + 1;
    const fmt = n === 1 ? "%[req.fhdr(x-forwarded-for,1)]" : `%[var(txn.xff)],%[req.fhdr(x-forwarded-for,${n})]`;
    return `http-request set-var-fmt(txn.xff) ${quote(fmt)} if { ${count} ge ${n} }`;
  });
  return [
    "# Headers every backend receives.",
    `http-request return status 400 content-type text/plain string ${quote(`more than ${MAX_FORWARDED_FOR_LINES} X-Forwarded-For lines`)} if { ${count} gt ${MAX_FORWARDED_FOR_LINES} }`,
    ...merge,
    'http-request set-header X-Forwarded-For "%[var(txn.xff)],%[src]" if { var(txn.xff) -m found }',
    "http-request set-header X-Forwarded-For %[src] unless { var(txn.xff) -m found }",
    "http-request set-header X-Forwarded-Proto https if { ssl_fc }",
    "http-request set-header X-Forwarded-Proto http unless { ssl_fc }",
    "http-request set-header X-Request-Id %[unique-id]",
  ];
}

/** The condition matching a route host name on the request's host (`txn.host`). */
function hostCondition(host: string, singleLabel: boolean): string {
  if (!host.startsWith("*.")) return `var(txn.host) -m str ${pattern(host)}`;
  if (singleLabel) return `var(txn.host) -m reg ${pattern(`^[^.]+${escapeRegex(host.slice(1))}$`)}`;
  return `var(txn.host) -m end ${pattern(host.slice(1))}`;
}

/**
 * Map lookups for plain routes, most specific host first: the exact host, each wildcard
 * (longer suffix first, single-label before any-depth), any host. Each lookup tries the
 * exact path, then the longest prefix; the first found wins.
 */
function plainRouteLookups(routes: Route[], files: FrontendFiles): string[] {
  const plain = routes.filter(isPlainRoute);
  const wildcards = new Map<string, string>();
  let exactHost = false;
  let anyHost = false;
  for (const r of plain) {
    for (const h of hostsOf(r)) {
      if (h === undefined) anyHost = true;
      else if (!h.startsWith("*.")) exactHost = true;
      else wildcards.set(hostKey(h, r.wildcardSingleLabel ?? false), `{ ${hostCondition(h, r.wildcardSingleLabel ?? false)} }`);
    }
  }
  const lookups: { fmt: string; cond: string }[] = [];
  if (exactHost) lookups.push({ fmt: "%[var(txn.host)]%[path]", cond: "" });
  const bySpecificity = [...wildcards].sort(([a], [b]) =>
    b.length - a.length || Number(b.startsWith("?")) - Number(a.startsWith("?")) || (a < b ? -1 : 1));
  for (const [key, cond] of bySpecificity) lookups.push({ fmt: `${key}%[path]`, cond: ` ${cond}` });
  if (anyHost) lookups.push({ fmt: "*%[path]", cond: "" });
  if (!lookups.length) return [];
  const none = "!{ var(txn.plain) -m found }";
  const out = ["# Plain host/path routes by map: exact host, wildcard hosts, any host; exact path, then longest prefix."];
  for (const { fmt, cond } of lookups) {
    out.push(`http-request set-var-fmt(txn.key) ${quote(fmt)} if ${none}${cond}`);
    out.push(`http-request set-var(txn.plain) var(txn.key),map_str(${files.exactMap}) if ${none}${cond}`);
    out.push(`http-request set-var(txn.plain) var(txn.key),map_beg(${files.prefixMap}) if ${none}${cond}`);
  }
  return out;
}

function routeIs(name: string): string {
  return `{ var(txn.route) -m str ${name} }`;
}

/**
 * A conditional route as ACLs and one rule per host name (each with its own rank): it wins
 * unless the best plain route for the request ranks higher.
 */
function conditionalRouteRules(r: Route, id: number): { acls: string[]; rules: { rank: number; condition: string }[] } {
  const acls: string[] = [];
  const common: string[] = [];
  const acl = (name: string, criterion: string) => {
    acls.push(`acl ${name} ${criterion}`);
    return name;
  };
  const path = r.path ?? { type: "PathPrefix", value: "/" };
  if (path.type === "Exact") common.push(acl(`r${id}_path`, `path -m str ${pattern(path.value)}`));
  else if (path.type === "RegularExpression") common.push(acl(`r${id}_path`, `path -m reg ${pattern(path.value)}`));
  else if (normalPrefix(path.value) !== "/") {
    const p = normalPrefix(path.value);
    // Two lines, one ACL: HAProxy ORs them.
    acl(`r${id}_path`, `path -m str ${pattern(p)}`);
    common.push(acl(`r${id}_path`, `path -m beg ${pattern(`${p}/`)}`));
  }
  (r.headers ?? []).forEach((h, i) => {
    const how = h.type === "RegularExpression" ? "reg" : "str";
    common.push(acl(`r${id}_hdr${i}`, `${quote(`req.fhdr(${h.name})`)} -m ${how} ${pattern(h.value)}`));
  });
  (r.queryParams ?? []).forEach((q, i) => {
    const how = q.type === "RegularExpression" ? "reg" : "str";
    common.push(acl(`r${id}_query${i}`, `${quote(`url_param(${q.name})`)} -m ${how} ${pattern(q.value)}`));
  });
  if (r.method) common.push(acl(`r${id}_method`, `method ${r.method}`));
  const single = r.wildcardSingleLabel ?? false;
  const rules = hostsOf(r).map((h, j) => {
    const hostAcl = h === undefined ? [] : [acl(`r${id}_host${j}`, hostCondition(h, single))];
    return { rank: routeRank(h, path, single), condition: [...hostAcl, ...common].join(" ") };
  });
  return { acls, rules };
}

function routeSelection(routes: Route[], files: FrontendFiles): string[] {
  const l = ["# Route selection. The host without its port, lower case.", "http-request set-var(txn.host) req.hdr(host),field(1,:),lower"];
  l.push(...plainRouteLookups(routes, files));
  const conditional = routes
    .map((r, id) => ({ r, id }))
    .filter(({ r }) => !isPlainRoute(r))
    .flatMap(({ r, id }) => {
      const { acls, rules } = conditionalRouteRules(r, id);
      return rules.map((rule, j) => ({ r, id, acls: j === 0 ? acls : [], ...rule }));
    });
  if (conditional.length) {
    // The plain route's rank is only compared with conditional routes: without them, two rules per request saved.
    l.push(
      "http-request set-var(txn.plain_rank) var(txn.plain),field(2,:) if { var(txn.plain) -m found }",
      "http-request set-var(txn.plain_rank) int(-1) unless { var(txn.plain) -m found }",
    );
    l.push("# Routes with header, query, method or regex matches: they win over a plain route of lower or equal rank.");
    for (const c of conditional) l.push(...c.acls);
    // Gateway API order among them: rank, then method, more headers, more query parameters, then IR order.
    const order = [...conditional].sort((a, b) =>
      b.rank - a.rank ||
      Number(Boolean(b.r.method)) - Number(Boolean(a.r.method)) ||
      (b.r.headers?.length ?? 0) - (a.r.headers?.length ?? 0) ||
      (b.r.queryParams?.length ?? 0) - (a.r.queryParams?.length ?? 0) ||
      a.id - b.id);
    for (const c of order) {
      const condition = c.condition ? ` ${c.condition}` : "";
      l.push(`http-request set-var(txn.route) str(${c.r.name}) if !{ var(txn.route) -m found }${condition} { var(txn.plain_rank) -m int le ${c.rank} }`);
    }
  }
  l.push("http-request set-var(txn.route) var(txn.plain),field(1,:) if !{ var(txn.route) -m found } { var(txn.plain) -m found }");
  l.push('http-request return status 404 content-type text/plain string "no route for this host and path" unless { var(txn.route) -m found }');
  return l;
}

function routeActions(r: Route, gatewayRequestMs: number): string[] {
  const cond = routeIs(r.name);
  return [
    "",
    `# route ${r.name}`,
    ...headerRules("http-request", r.requestHeaders, cond),
    ...(r.rewrite?.hostname ? [`http-request set-header Host ${quote(literalFmt(r.rewrite.hostname))} if ${cond}`] : []),
    ...(r.rewrite?.path ? [pathReplacement(r, r.rewrite.path, cond)] : []),
    ...redirectRules(r, cond),
    ...timeoutRules(r, gatewayRequestMs, cond),
    ...backendChoice(r, cond),
    ...headerRules("http-response", r.responseHeaders, cond),
  ];
}

export function frontendSection(ir: GatewayIr, fe: Frontend, routes: Route[], files: FrontendFiles): string {
  const gatewayRequestMs = ir.timeouts?.requestMs ?? DEFAULT_TIMEOUTS.requestMs;
  const l = [
    bindLine(fe, files.crtList),
    "",
    ...pathNormalization(),
    "",
    ...forwardedHeaders(),
    "",
    ...routeSelection(routes, files),
    ...routes.flatMap((r) => routeActions(r, gatewayRequestMs)),
    "",
    'http-request return status 500 content-type text/plain string "route has no backend" unless { var(txn.cluster) -m found }',
    "use_backend %[var(txn.cluster)]",
  ];
  return block(`frontend fe_${fe.name}`, l);
}
