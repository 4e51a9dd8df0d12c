/**
 * Validation of an IR document. Every problem is reported with the path of the bad field,
 * e.g. `routes[2].backends[0].weight: must be an integer 0..1000000, got -1`.
 *
 * What validates also loads: names, values and expressions that HAProxy's configuration could
 * not carry literally are refused here (see the field docs in types.ts).
 */
import { isIP } from "net";
import { normalizePath } from "./path";
import { regexProblem } from "./regex";
import { CLUSTER_PROTOCOLS, GatewayIr, IR_API_VERSION, MAX_BACKEND_WEIGHT } from "./types";

export type ParseResult = { ok: true; ir: GatewayIr } | { ok: false; errors: string[] };

const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** RFC 9110 token characters without `'` (HAProxy's sample expressions cannot carry it). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&*+.^_`|~-]+$/;
const HEADER_NAME_WHAT = "a header name of letters, digits and !#$%&*+-.^_`|~";
/** RFC 3986 unreserved characters, and `[]` for names like `ids[]`. */
const QUERY_NAME = /^[A-Za-z0-9._~[\]-]+$/;
/** RFC 3986 path characters (pchar and `/`), starting with `/`. */
const PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
const PATH_WHAT = "a path starting with '/' of RFC 3986 path characters";
/** Printable text (tabs allowed, no line breaks or other control characters). */
const TEXT = /^[^\x00-\x08\x0a-\x1f\x7f]+$/;
const REVISION = /^[\x21-\x7e]{1,128}$/;
const SUM_OF_WEIGHTS_MAX = 2 ** 31 - 1;
const REDIRECT_CODES = [301, 302, 303, 307, 308];

type Obj = Record<string, unknown>;

/** Collects errors while walking a document. */
class Checker {
  readonly errors: string[] = [];

  fail(path: string, message: string): void {
    this.errors.push(`${path}: ${message}`);
  }

  object(v: unknown, path: string): Obj | undefined {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Obj;
    this.fail(path, `must be an object, got ${describe(v)}`);
    return undefined;
  }

  /** Unknown fields are refused: a typo must not silently fall back to a default. */
  knownFields(o: Obj, path: string, allowed: string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.fail(join(path, k), `unknown field (allowed: ${allowed.join(", ")})`);
    }
  }

  array(v: unknown, path: string, optional = true): unknown[] {
    if (v === undefined && optional) return [];
    if (Array.isArray(v)) return v;
    this.fail(path, `must be an array, got ${describe(v)}`);
    return [];
  }

  string(v: unknown, path: string, opts: { optional?: boolean; pattern?: RegExp; what?: string } = {}): string | undefined {
    if (v === undefined && opts.optional) return undefined;
    if (typeof v !== "string" || v.length === 0) {
      this.fail(path, `must be a non-empty string, got ${describe(v)}`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(v)) {
      this.fail(path, `must be ${opts.what ?? `a string matching ${opts.pattern}`}, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }

  int(v: unknown, path: string, min: number, max: number, optional = true): number | undefined {
    if (v === undefined && optional) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.fail(path, `must be an integer ${min}..${max}, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  boolean(v: unknown, path: string): void {
    if (v !== undefined && typeof v !== "boolean") this.fail(path, `must be true or false, got ${describe(v)}`);
  }

  oneOf<T extends string | number>(v: unknown, path: string, allowed: readonly T[], optional = true): T | undefined {
    if (v === undefined && optional) return undefined;
    if (!allowed.includes(v as T)) {
      this.fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describe(v)}`);
      return undefined;
    }
    return v as T;
  }

  unique(values: (string | number | undefined)[], path: (i: number) => string, what: string): void {
    const seen = new Map<string | number, number>();
    values.forEach((v, i) => {
      if (v === undefined) return;
      const first = seen.get(v);
      if (first !== undefined) this.fail(path(i), `duplicate ${what} ${JSON.stringify(v)} (also at index ${first})`);
      else seen.set(v, i);
    });
  }

  regex(v: unknown, path: string): void {
    const s = this.string(v, path);
    if (s === undefined) return;
    const problem = regexProblem(s);
    if (problem) this.fail(path, `must be a regular expression HAProxy (PCRE2) reads as meant: ${problem}, got ${JSON.stringify(s)}`);
  }

  /** A non-empty single-line text (header values, reasons). */
  text(v: unknown, path: string, maxLength = 4096): void {
    const s = this.string(v, path);
    if (s === undefined) return;
    if (!TEXT.test(s)) this.fail(path, `must not contain line breaks or control characters, got ${JSON.stringify(s)}`);
    else if (s.length > maxLength) this.fail(path, `must be at most ${maxLength} characters, got ${s.length}`);
  }

  /** A path to match or to send: RFC 3986 characters and already normalized. */
  normalizedPath(v: unknown, path: string): void {
    const s = this.string(v, path, { pattern: PATH, what: PATH_WHAT });
    if (s === undefined) return;
    const normal = normalizePath(s);
    if (normal === null) this.fail(path, `must be a path that normalizes (no '..' above the root, '%' followed by two hex digits), got ${JSON.stringify(s)}`);
    else if (normal !== s) this.fail(path, `must be normalized as requests are before matching: ${JSON.stringify(normal)}, got ${JSON.stringify(s)}`);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return String(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

const DAY_MS = 86_400_000;

function checkTimeouts(c: Checker, v: unknown, path: string): void {
  if (v === undefined) return;
  const o = c.object(v, path);
  if (!o) return;
  c.knownFields(o, path, ["requestMs", "httpIdleMs", "streamIdleMs", "connectMs"]);
  c.int(o.requestMs, join(path, "requestMs"), 0, DAY_MS);
  c.int(o.httpIdleMs, join(path, "httpIdleMs"), 1, DAY_MS);
  c.int(o.streamIdleMs, join(path, "streamIdleMs"), 1, DAY_MS);
  c.int(o.connectMs, join(path, "connectMs"), 1, 600_000);
}

function checkFrontend(c: Checker, v: unknown, path: string): void {
  const o = c.object(v, path);
  if (!o) return;
  c.knownFields(o, path, ["name", "port", "address", "tls", "hostnames"]);
  c.string(o.name, join(path, "name"), { pattern: NAME, what: "a name of lower case letters, digits, '-', '_' and '.'" });
  c.int(o.port, join(path, "port"), 1, 65535, false);
  if (o.address !== undefined && isIP(String(o.address)) === 0) {
    c.fail(join(path, "address"), `must be an IPv4 or IPv6 address, got ${describe(o.address)}`);
  }
  c.array(o.hostnames, join(path, "hostnames")).forEach((h, i) => checkHostname(c, h, `${join(path, "hostnames")}[${i}]`));
  if (o.tls !== undefined) checkFrontendTls(c, o.tls, join(path, "tls"));
}

const SECRET_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
/** A file path HAProxy's crt-list and the agent can use: absolute, no spaces or control characters. */
const FILE_PATH = /^\/[^\s\x00-\x1f\x7f#'"\\]*$/;

function checkFrontendTls(c: Checker, v: unknown, path: string): void {
  const t = c.object(v, path);
  if (!t) return;
  c.knownFields(t, path, ["certificates"]);
  const certs = c.array(t.certificates, join(path, "certificates"), false);
  if (Array.isArray(t.certificates) && certs.length === 0) c.fail(join(path, "certificates"), "must have at least one certificate");
  certs.forEach((cert, i) => {
    const cp = `${join(path, "certificates")}[${i}]`;
    const co = c.object(cert, cp);
    if (!co) return;
    c.knownFields(co, cp, ["secret", "certificateFile", "keyFile"]);
    if (co.secret !== undefined) {
      if (co.certificateFile !== undefined || co.keyFile !== undefined) c.fail(cp, "takes either secret or certificateFile and keyFile, not both");
      const sp = join(cp, "secret");
      const so = c.object(co.secret, sp);
      if (!so) return;
      c.knownFields(so, sp, ["namespace", "name"]);
      c.string(so.namespace, join(sp, "namespace"), { pattern: SECRET_NAME, what: "a Kubernetes namespace name" });
      c.string(so.name, join(sp, "name"), { pattern: SECRET_NAME, what: "a Kubernetes Secret name" });
      return;
    }
    for (const key of ["certificateFile", "keyFile"]) {
      c.string(co[key], join(cp, key), { pattern: FILE_PATH, what: "an absolute file path without spaces, quotes, '#' or '\\'" });
    }
  });
}

function checkHostname(c: Checker, v: unknown, path: string): void {
  c.string(v, path, { pattern: HOSTNAME, what: "a lower case host name, optionally starting with '*.'" });
}

function checkHeaderModifier(c: Checker, v: unknown, path: string): void {
  if (v === undefined) return;
  const o = c.object(v, path);
  if (!o) return;
  c.knownFields(o, path, ["set", "add", "remove"]);
  for (const key of ["set", "add"]) {
    c.array(o[key], join(path, key)).forEach((h, i) => {
      const hp = `${join(path, key)}[${i}]`;
      const ho = c.object(h, hp);
      if (!ho) return;
      c.knownFields(ho, hp, ["name", "value"]);
      c.string(ho.name, join(hp, "name"), { pattern: HEADER_NAME, what: HEADER_NAME_WHAT });
      c.text(ho.value, join(hp, "value"));
    });
  }
  c.array(o.remove, join(path, "remove")).forEach((h, i) =>
    c.string(h, `${join(path, "remove")}[${i}]`, { pattern: HEADER_NAME, what: HEADER_NAME_WHAT }),
  );
}

function checkPathReplacement(c: Checker, v: unknown, path: string, pathMatchType: string | undefined): void {
  if (v === undefined) return;
  const o = c.object(v, path);
  if (!o) return;
  c.knownFields(o, path, ["type", "value"]);
  const type = c.oneOf(o.type, join(path, "type"), ["ReplaceFullPath", "ReplacePrefixMatch"] as const, false);
  c.normalizedPath(o.value, join(path, "value"));
  if (type === "ReplacePrefixMatch" && pathMatchType !== "PathPrefix") {
    c.fail(join(path, "type"), "ReplacePrefixMatch needs a PathPrefix path match on the route");
  }
}

function checkMatchList(c: Checker, v: unknown, path: string, name: { pattern: RegExp; what: string }): void {
  c.array(v, path).forEach((m, i) => {
    const mp = `${path}[${i}]`;
    const mo = c.object(m, mp);
    if (!mo) return;
    c.knownFields(mo, mp, ["name", "type", "value"]);
    c.string(mo.name, join(mp, "name"), name);
    const type = c.oneOf(mo.type, join(mp, "type"), ["Exact", "RegularExpression"] as const);
    if (type === "RegularExpression") c.regex(mo.value, join(mp, "value"));
    else c.text(mo.value, join(mp, "value"));
  });
}

function checkRoute(c: Checker, v: unknown, path: string, clusters: Set<string>, frontends: Set<string>): void {
  const o = c.object(v, path);
  if (!o) return;
  c.knownFields(o, path, [
    "name", "frontends", "hostnames", "path", "headers", "queryParams", "method", "backends",
    "requestHeaders", "responseHeaders", "rewrite", "redirect", "requestTimeoutMs", "backendRequestTimeoutMs",
    "wildcardSingleLabel",
  ]);
  c.string(o.name, join(path, "name"), { pattern: NAME, what: "a name of lower case letters, digits, '-', '_' and '.'" });
  c.array(o.frontends, join(path, "frontends")).forEach((f, i) => {
    const fp = `${join(path, "frontends")}[${i}]`;
    if (typeof f !== "string" || !frontends.has(f)) c.fail(fp, `must name a frontend, got ${describe(f)}`);
  });
  c.array(o.hostnames, join(path, "hostnames")).forEach((h, i) => checkHostname(c, h, `${join(path, "hostnames")}[${i}]`));
  let pathType: string | undefined;
  if (o.path !== undefined) {
    const pp = join(path, "path");
    const p = c.object(o.path, pp);
    if (p) {
      c.knownFields(p, pp, ["type", "value"]);
      pathType = c.oneOf(p.type, join(pp, "type"), ["Exact", "PathPrefix", "RegularExpression"] as const, false);
      if (pathType === "RegularExpression") c.regex(p.value, join(pp, "value"));
      else if (pathType !== undefined) c.normalizedPath(p.value, join(pp, "value"));
    }
  } else {
    pathType = "PathPrefix";
  }
  c.boolean(o.wildcardSingleLabel, join(path, "wildcardSingleLabel"));
  checkMatchList(c, o.headers, join(path, "headers"), { pattern: HEADER_NAME, what: HEADER_NAME_WHAT });
  checkMatchList(c, o.queryParams, join(path, "queryParams"), { pattern: QUERY_NAME, what: "a query parameter name of letters, digits, '-', '.', '_', '~', '[' and ']'" });
  c.string(o.method, join(path, "method"), { optional: true, pattern: /^[A-Z]+$/, what: "an upper case HTTP method" });
  checkBackends(c, o.backends, join(path, "backends"), clusters);
  checkHeaderModifier(c, o.requestHeaders, join(path, "requestHeaders"));
  checkHeaderModifier(c, o.responseHeaders, join(path, "responseHeaders"));
  if (o.rewrite !== undefined) {
    const rp = join(path, "rewrite");
    const r = c.object(o.rewrite, rp);
    if (r) {
      c.knownFields(r, rp, ["hostname", "path"]);
      c.string(r.hostname, join(rp, "hostname"), { optional: true, pattern: HOSTNAME, what: "a host name" });
      checkPathReplacement(c, r.path, join(rp, "path"), pathType);
    }
  }
  if (o.redirect !== undefined) {
    const rp = join(path, "redirect");
    const r = c.object(o.redirect, rp);
    if (r) {
      c.knownFields(r, rp, ["scheme", "hostname", "port", "path", "statusCode"]);
      c.oneOf(r.scheme, join(rp, "scheme"), ["http", "https"] as const);
      c.string(r.hostname, join(rp, "hostname"), { optional: true, pattern: HOSTNAME, what: "a host name" });
      c.int(r.port, join(rp, "port"), 1, 65535);
      checkPathReplacement(c, r.path, join(rp, "path"), pathType);
      c.oneOf(r.statusCode, join(rp, "statusCode"), REDIRECT_CODES);
    }
    if (o.rewrite !== undefined) c.fail(join(path, "redirect"), "cannot be combined with rewrite");
  }
  const total = c.int(o.requestTimeoutMs, join(path, "requestTimeoutMs"), 0, DAY_MS);
  const backend = c.int(o.backendRequestTimeoutMs, join(path, "backendRequestTimeoutMs"), 0, DAY_MS);
  if (total && backend && backend > total) {
    c.fail(join(path, "backendRequestTimeoutMs"), `must not exceed requestTimeoutMs (${total}), got ${backend}`);
  }
}

function checkBackends(c: Checker, v: unknown, path: string, clusters: Set<string>): void {
  let sum = 0;
  c.array(v, path).forEach((b, i) => {
    const bp = `${path}[${i}]`;
    const bo = c.object(b, bp);
    if (!bo) return;
    c.knownFields(bo, bp, ["cluster", "invalid", "weight"]);
    if ((bo.cluster === undefined) === (bo.invalid === undefined)) {
      c.fail(bp, `needs exactly one of cluster and invalid, got ${bo.cluster === undefined ? "neither" : "both"}`);
    } else if (bo.cluster !== undefined) {
      const name = c.string(bo.cluster, join(bp, "cluster"));
      if (name !== undefined && !clusters.has(name)) c.fail(join(bp, "cluster"), `must name a cluster in clusters, got ${JSON.stringify(name)}`);
    } else {
      c.text(bo.invalid, join(bp, "invalid"), 256);
    }
    sum += c.int(bo.weight, join(bp, "weight"), 0, MAX_BACKEND_WEIGHT) ?? 1;
  });
  if (sum > SUM_OF_WEIGHTS_MAX) c.fail(path, `weights must add up to at most ${SUM_OF_WEIGHTS_MAX}, got ${sum}`);
}

function checkHealthCheck(c: Checker, v: unknown, path: string): void {
  if (v === undefined) return;
  const o = c.object(v, path);
  if (!o) return;
  c.knownFields(o, path, ["intervalMs", "timeoutMs", "healthyThreshold", "unhealthyThreshold", "port", "http", "useTLS"]);
  c.int(o.intervalMs, join(path, "intervalMs"), 100, DAY_MS);
  c.int(o.timeoutMs, join(path, "timeoutMs"), 100, DAY_MS);
  c.int(o.healthyThreshold, join(path, "healthyThreshold"), 1, 100);
  c.int(o.unhealthyThreshold, join(path, "unhealthyThreshold"), 1, 100);
  c.int(o.port, join(path, "port"), 1, 65535);
  c.boolean(o.useTLS, join(path, "useTLS"));
  if (o.http === undefined) return;
  const hp = join(path, "http");
  const h = c.object(o.http, hp);
  if (!h) return;
  c.knownFields(h, hp, ["host", "path", "match"]);
  c.string(h.host, join(hp, "host"), { optional: true, pattern: /^[A-Za-z0-9.:[\]-]+$/, what: "a host name" });
  c.string(h.path, join(hp, "path"), { optional: true, pattern: /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/, what: "a path (and query) starting with '/' of RFC 3986 characters" });
  if (h.match === undefined) return;
  const mp = join(hp, "match");
  const m = c.object(h.match, mp);
  if (!m) return;
  c.knownFields(m, mp, ["statusCodes"]);
  c.array(m.statusCodes, join(mp, "statusCodes")).forEach((r, i) => {
    const rp = `${join(mp, "statusCodes")}[${i}]`;
    const ro = c.object(r, rp);
    if (!ro) return;
    c.knownFields(ro, rp, ["start", "end"]);
    const start = c.int(ro.start, join(rp, "start"), 100, 599, false);
    const end = c.int(ro.end, join(rp, "end"), 100, 599, false);
    if (start !== undefined && end !== undefined && end < start) c.fail(rp, `end ${end} is before start ${start}`);
  });
}

function checkCluster(c: Checker, v: unknown, path: string): void {
  const o = c.object(v, path);
  if (!o) return;
  c.knownFields(o, path, ["name", "endpoints", "healthCheck", "sessionAffinity", "tls", "protocol"]);
  const protocol = c.oneOf(o.protocol, join(path, "protocol"), CLUSTER_PROTOCOLS);
  if (protocol === "h2c" && o.tls === true) c.fail(join(path, "protocol"), "h2c is HTTP/2 in cleartext: it cannot be combined with tls: true");
  c.string(o.name, join(path, "name"), { pattern: NAME, what: "a name of lower case letters, digits, '-', '_' and '.'" });
  const endpoints = c.array(o.endpoints, join(path, "endpoints"), false);
  const keys: (string | undefined)[] = [];
  endpoints.forEach((e, i) => {
    const ep = `${join(path, "endpoints")}[${i}]`;
    const eo = c.object(e, ep);
    if (!eo) return keys.push(undefined);
    c.knownFields(eo, ep, ["address", "port", "ready", "weight"]);
    const ok = typeof eo.address === "string" && isIP(eo.address) !== 0;
    if (!ok) c.fail(join(ep, "address"), `must be an IPv4 or IPv6 address, got ${describe(eo.address)}`);
    const port = c.int(eo.port, join(ep, "port"), 1, 65535, false);
    c.boolean(eo.ready, join(ep, "ready"));
    c.int(eo.weight, join(ep, "weight"), 1, 256);
    keys.push(ok && port !== undefined ? `${eo.address}:${port}` : undefined);
  });
  c.unique(keys, (i) => `${join(path, "endpoints")}[${i}]`, "endpoint");
  checkHealthCheck(c, o.healthCheck, join(path, "healthCheck"));
  c.boolean(o.tls, join(path, "tls"));
  if (o.sessionAffinity !== undefined) {
    const sp = join(path, "sessionAffinity");
    const s = c.object(o.sessionAffinity, sp);
    if (s) {
      c.knownFields(s, sp, ["cookieName"]);
      c.string(s.cookieName, join(sp, "cookieName"), { optional: true, pattern: /^[A-Za-z0-9_-]+$/, what: "a cookie name" });
    }
  }
}

/** Validates an IR document. On success the same object is returned, typed. */
export function parseIr(json: unknown): ParseResult {
  const c = new Checker();
  const o = c.object(json, "(document)");
  if (!o) return { ok: false, errors: c.errors };
  c.knownFields(o, "", ["apiVersion", "revision", "gateway", "timeouts", "frontends", "routes", "clusters"]);
  if (o.apiVersion !== IR_API_VERSION) c.fail("apiVersion", `must be ${JSON.stringify(IR_API_VERSION)}, got ${describe(o.apiVersion)}`);
  c.string(o.revision, "revision", { optional: true, pattern: REVISION, what: "1 to 128 printable ASCII characters without spaces" });
  c.string(o.gateway, "gateway", { pattern: NAME, what: "a name of lower case letters, digits, '-', '_' and '.'" });
  checkTimeouts(c, o.timeouts, "timeouts");

  const frontends = c.array(o.frontends, "frontends", false);
  if (Array.isArray(o.frontends) && frontends.length === 0) c.fail("frontends", "must have at least one frontend");
  frontends.forEach((f, i) => checkFrontend(c, f, `frontends[${i}]`));
  const feNames = frontends.map((f) => (f as Obj | null)?.name as string | undefined);
  c.unique(feNames, (i) => `frontends[${i}].name`, "name");
  c.unique(frontends.map((f) => (f as Obj | null)?.port as number | undefined), (i) => `frontends[${i}].port`, "port");

  const clusters = c.array(o.clusters, "clusters", false);
  clusters.forEach((cl, i) => checkCluster(c, cl, `clusters[${i}]`));
  const clNames = clusters.map((cl) => (cl as Obj | null)?.name as string | undefined);
  c.unique(clNames, (i) => `clusters[${i}].name`, "name");

  const routes = c.array(o.routes, "routes", false);
  const clusterSet = new Set(clNames.filter((n): n is string => typeof n === "string"));
  const feSet = new Set(feNames.filter((n): n is string => typeof n === "string"));
  routes.forEach((r, i) => checkRoute(c, r, `routes[${i}]`, clusterSet, feSet));
  c.unique(routes.map((r) => (r as Obj | null)?.name as string | undefined), (i) => `routes[${i}].name`, "name");

  return c.errors.length ? { ok: false, errors: c.errors } : { ok: true, ir: json as GatewayIr };
}
