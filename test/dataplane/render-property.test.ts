/**
 * Property: every IR document parseIr accepts renders to a configuration the real HAProxy
 * accepts (`haproxy -c`). Documents are random, with names, values, paths and regular
 * expressions drawn from characters HAProxy's configuration language treats specially.
 */
import * as fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { normalizePath, parseIr, regexProblem } from "../../model/ir";
import { render } from "../../dataplane/render";
import { checkRendered } from "./check-config";
import { makeCertificate } from "./harness";

/** Characters with a meaning somewhere in HAProxy's configuration, log-format or sample syntax. */
const TRICKY = [..."aZ09 \t'\"\\$%#{}()[],;:=&|!~^*+?.-_/@é`<>"];
const TOKEN = [..."aZ09!#$%&'*+.^_`|~-"]; // RFC 9110 token characters
const PCHAR = [..."aZ09._~!$&'()*+,;=:@-"];
const LABEL = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);

const tricky = (max = 12) => fc.string({ unit: fc.constantFrom(...TRICKY), minLength: 1, maxLength: max });
/**
 * Names: in a "wide" document any RFC 9110 token or tricky text (which parseIr must refuse
 * unless the configuration can carry it); otherwise names parseIr is known to accept, so
 * that most documents are valid and reach HAProxy.
 */
function names(wide: boolean) {
  const header = fc.string({ unit: fc.constantFrom(...(wide ? TOKEN : TOKEN.filter((c) => c !== "'"))), minLength: 1, maxLength: 8 });
  const query = fc.string({ unit: fc.constantFrom(..."aZ09._~[]-"), minLength: 1, maxLength: 8 });
  return wide ? { header: fc.oneof(header, tricky(6)), query: fc.oneof(query, tricky(6)) } : { header, query };
}
const hostname = fc.tuple(fc.boolean(), fc.array(LABEL, { minLength: 1, maxLength: 4 }))
  .map(([wild, labels]) => `${wild ? "*." : ""}${labels.join(".")}`);

/** A normalized path of RFC 3986 characters, percent-encodings included. */
const cleanPath = fc.array(fc.oneof(
  fc.string({ unit: fc.constantFrom(...PCHAR), minLength: 1, maxLength: 6 }),
  fc.constantFrom("%2F", "%20", "%25", "%C3%A9"),
), { maxLength: 4 }).map((segments) => normalizePath(`/${segments.join("/")}`) ?? "/");

/** Regular expressions from the accepted subset, with tricky literals escaped or not. */
const regexAtom: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(".", "\\d", "\\w", "\\s", "\\.", "\\$", "\\'", '"', "'", "#", "%", "/", "[a-z]", "[^/]", "[\\]x]", "\\{"),
  fc.string({ unit: fc.constantFrom(...PCHAR), minLength: 1, maxLength: 4 }),
);
const regex = fc.oneof(
  fc.tuple(fc.boolean(), fc.array(fc.tuple(regexAtom, fc.constantFrom("", "*", "+", "?", "{1,3}", "*?")), { minLength: 1, maxLength: 5 }), fc.boolean())
    .map(([start, parts, end]) => `${start ? "^" : ""}${parts.map(([a, q]) => a + q).join("")}${end ? "$" : ""}`),
  tricky(10),
).filter((r) => regexProblem(r) === null);

const matchValue = fc.oneof(
  fc.record({ type: fc.constant("Exact" as const), value: tricky() }),
  fc.record({ type: fc.constant("RegularExpression" as const), value: regex }),
);

function headerModifier(headerName: fc.Arbitrary<string>) {
  return fc.record({
    set: fc.array(fc.record({ name: headerName, value: tricky() }), { maxLength: 2 }),
    add: fc.array(fc.record({ name: headerName, value: tricky() }), { maxLength: 2 }),
    remove: fc.array(headerName, { maxLength: 2 }),
  }, { requiredKeys: [] });
}

const exactHost = hostname.filter((h) => !h.startsWith("*"));
const pathReplacement = fc.record({ type: fc.constantFrom("ReplaceFullPath" as const, "ReplacePrefixMatch" as const), value: cleanPath });

/** ReplacePrefixMatch needs a PathPrefix match: on other routes it becomes ReplaceFullPath. */
function prefixReplacementsNeedPrefix<T extends { rewrite?: { path?: object }; redirect?: { path?: object } } | undefined>(change: T, pathType: string | undefined): T {
  if (!change || pathType === undefined || pathType === "PathPrefix") return change;
  const full = (x?: { path?: object }) => (x?.path ? { ...x, path: { ...x.path, type: "ReplaceFullPath" } } : x);
  return { ...change, ...(change.rewrite ? { rewrite: full(change.rewrite) } : {}), ...(change.redirect ? { redirect: full(change.redirect) } : {}) };
}

/** A route timeout pair that parseIr accepts: the backend's no longer than the total. */
const routeTimeouts = fc.tuple(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 60_000 }))
  .map(([total, backend]) => ({ requestTimeoutMs: total, backendRequestTimeoutMs: total === 0 ? backend : Math.min(total, backend) }));

function routeArb(clusters: string[], wide: boolean) {
  const { header: headerName, query: queryName } = names(wide);
  const backend = fc.oneof(
    fc.record({ cluster: fc.constantFrom(...clusters), weight: fc.integer({ min: 0, max: 1_000_000 }) }, { requiredKeys: ["cluster"] }),
    fc.record({ invalid: tricky(40), weight: fc.integer({ min: 0, max: 1_000_000 }) }, { requiredKeys: ["invalid"] }),
  );
  return fc.record({
    hostnames: fc.array(hostname, { maxLength: 2 }),
    wildcardSingleLabel: fc.boolean(),
    path: fc.oneof(
      fc.record({ type: fc.constantFrom("Exact" as const, "PathPrefix" as const), value: cleanPath }),
      fc.record({ type: fc.constant("RegularExpression" as const), value: regex }),
    ),
    headers: fc.array(matchValue.chain((m) => headerName.map((name) => ({ name, ...m }))), { maxLength: 2 }),
    queryParams: fc.array(matchValue.chain((m) => queryName.map((name) => ({ name, ...m }))), { maxLength: 2 }),
    method: fc.constantFrom("GET", "POST", "PATCH"),
    backends: fc.array(backend, { maxLength: 3 }),
    requestHeaders: headerModifier(headerName),
    responseHeaders: headerModifier(headerName),
    // A rewrite or a redirect (never both); ReplacePrefixMatch only counts with a PathPrefix match.
    change: fc.oneof(
      fc.record({ rewrite: fc.record({ hostname: exactHost, path: pathReplacement }, { requiredKeys: [] }) }),
      fc.record({ redirect: fc.record({
        scheme: fc.constantFrom("http" as const, "https" as const), hostname: exactHost, port: fc.integer({ min: 1, max: 65535 }),
        path: pathReplacement, statusCode: fc.constantFrom(301, 302, 303, 307, 308),
      }, { requiredKeys: [] }) }),
    ),
    timeouts: routeTimeouts,
  }, { requiredKeys: [] }).map(({ timeouts, change, ...r }) => ({ ...r, ...prefixReplacementsNeedPrefix(change, r.path?.type), ...timeouts }));
}

const clusterArb = fc.record({
  endpoints: fc.uniqueArray(fc.record({
    address: fc.constantFrom("10.0.0.1", "10.0.0.2", "fd00::1"), port: fc.integer({ min: 1, max: 65535 }),
    ready: fc.boolean(), weight: fc.integer({ min: 1, max: 256 }),
  }, { requiredKeys: ["address", "port"] }), { maxLength: 10, selector: (e) => `${e.address}:${e.port}` }),
  protocol: fc.constantFrom("http1" as const, "h2c" as const, "websocket" as const),
  tls: fc.boolean(),
  healthCheck: fc.record({
    intervalMs: fc.integer({ min: 100, max: 60_000 }),
    timeoutMs: fc.integer({ min: 100, max: 60_000 }),
    healthyThreshold: fc.integer({ min: 1, max: 100 }),
    unhealthyThreshold: fc.integer({ min: 1, max: 100 }),
    port: fc.integer({ min: 1, max: 65535 }),
    useTLS: fc.boolean(),
    http: fc.record({
      host: fc.constantFrom("localhost", "a.b", "[::1]:80"),
      path: fc.tuple(cleanPath, fc.constantFrom("", "?full=1", "?a=%20&b='x'")).map(([p, q]) => p + q),
      match: fc.record({ statusCodes: fc.array(fc.integer({ min: 100, max: 599 }).chain((start) =>
        fc.integer({ min: start, max: 599 }).map((end) => ({ start, end }))), { minLength: 1, maxLength: 3 }) }),
    }, { requiredKeys: [] }),
  }, { requiredKeys: [] }),
  sessionAffinity: fc.record({ cookieName: fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/) }, { requiredKeys: [] }),
}, { requiredKeys: ["endpoints"] }).map((c) => (c.protocol === "h2c" ? { ...c, tls: false } : c)); // h2c is cleartext

const wideDocument = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
const documentArb = fc.tuple(fc.array(clusterArb, { minLength: 1, maxLength: 3 }), wideDocument).chain(([clusters, wide]) => {
  const clusterNames = clusters.map((_, i) => `c${i}`);
  return fc.record({
    frontends: fc.array(fc.record({ hostnames: fc.array(hostname, { maxLength: 2 }), tls: fc.boolean() }, { requiredKeys: [] }), { minLength: 1, maxLength: 2 }),
    routes: fc.array(routeArb(clusterNames, wide), { maxLength: 5 }),
    revision: fc.stringMatching(/^[!-~]{1,16}$/),
    timeouts: fc.record({
      requestMs: fc.integer({ min: 0, max: 86_400_000 }), httpIdleMs: fc.integer({ min: 1, max: 86_400_000 }),
      streamIdleMs: fc.integer({ min: 1, max: 86_400_000 }), connectMs: fc.integer({ min: 1, max: 600_000 }),
    }, { requiredKeys: [] }),
  }).map(({ frontends, routes, revision, timeouts }) => ({
    apiVersion: "ir.agc.dev/v1",
    revision,
    timeouts,
    gateway: "prop",
    frontends: frontends.map((f, i) => ({
      name: `f${i}`, port: 20_000 + i, address: i === 0 ? "127.0.0.1" : "::1",
      ...(f.hostnames?.length ? { hostnames: f.hostnames } : {}),
      ...(f.tls ? { tls: { certificates: [{ certificateFile: "/nonexistent/tls.crt", keyFile: "/nonexistent/tls.key" }, { secret: { namespace: "ns", name: "s" } }] } } : {}),
    })),
    routes: routes.map((r, i) => ({ name: `r${i}`, ...r })),
    clusters: clusters.map((c, i) => ({ name: clusterNames[i], ...c })),
  }));
});

describe("render property", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-prop-"));
  const cert = makeCertificate(dir);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("every document parseIr accepts gives a configuration haproxy -c accepts (40 runs)", async () => {
    let accepted = 0;
    let run = 0;
    await fc.assert(fc.asyncProperty(documentArb, async (doc) => {
      const parsed = parseIr(doc);
      if (!parsed.ok) return; // refused documents never reach HAProxy
      accepted++;
      const runDir = path.join(dir, String(run++));
      const problem = await checkRendered(render(parsed.ir, { runtimeDir: runDir }), runDir, cert);
      if (problem !== null) throw new Error(`haproxy -c refused the rendering of\n${JSON.stringify(doc, null, 1)}\n${problem}`);
    }), { numRuns: 40 });
    // Most random documents must be valid, or the property proves little.
    expect(accepted).toBeGreaterThanOrEqual(20);
  }, 120_000);
});
