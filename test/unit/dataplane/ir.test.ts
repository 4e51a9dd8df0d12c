import * as fs from "fs";
import * as path from "path";
import { normalizePath, parseIr, regexProblem } from "../../../model/ir";

const full = () => JSON.parse(fs.readFileSync(path.join(__dirname, "golden", "full.ir.json"), "utf8"));

function errorsOf(mutate: (doc: any) => void): string[] {
  const doc = full();
  mutate(doc);
  const r = parseIr(doc);
  return r.ok ? [] : r.errors;
}

describe("parseIr", () => {
  it("accepts the documented example", () => {
    expect(parseIr(full())).toEqual({ ok: true, ir: full() });
  });

  it.each([
    ["a negative weight", (d: any) => { d.routes[1].backends[0].weight = -1; },
      "routes[1].backends[0].weight: must be an integer 0..1000000, got -1"],
    ["a weight above 1,000,000", (d: any) => { d.routes[1].backends[1].weight = 1_000_001; },
      "routes[1].backends[1].weight: must be an integer 0..1000000, got 1000001"],
    ["a backend with both cluster and invalid", (d: any) => { d.routes[1].backends[0].invalid = "gone"; },
      "routes[1].backends[0]: needs exactly one of cluster and invalid, got both"],
    ["a backend with neither cluster nor invalid", (d: any) => { d.routes[1].backends[0] = { weight: 3 }; },
      "routes[1].backends[0]: needs exactly one of cluster and invalid, got neither"],
    ["an invalid reason with a line break", (d: any) => { d.routes[1].backends[0] = { invalid: "a\nb" }; },
      'routes[1].backends[0].invalid: must not contain line breaks or control characters, got "a\\nb"'],
    ["a backend timeout longer than the request timeout", (d: any) => { d.routes[3].requestTimeoutMs = 1000; d.routes[3].backendRequestTimeoutMs = 2000; },
      "routes[3].backendRequestTimeoutMs: must not exceed requestTimeoutMs (1000), got 2000"],
    ["a path that is not normalized", (d: any) => { d.routes[0].path.value = "/v2//x/../y"; },
      'routes[0].path.value: must be normalized as requests are before matching: "/v2/y", got "/v2//x/../y"'],
    ["an encoded unreserved character in a path", (d: any) => { d.routes[3].path.value = "/%7Eevents"; },
      'routes[3].path.value: must be normalized as requests are before matching: "/~events", got "/%7Eevents"'],
    ["a path above the root", (d: any) => { d.routes[3].path.value = "/../events"; },
      'routes[3].path.value: must be a path that normalizes (no \'..\' above the root, \'%\' followed by two hex digits), got "/../events"'],
    ["a path with a space", (d: any) => { d.routes[3].path.value = "/a b"; },
      "routes[3].path.value: must be a path starting with '/' of RFC 3986 path characters, got \"/a b\""],
    ["a lookbehind PCRE2 would refuse", (d: any) => { d.routes[4].path.value = "(?<=a+)b"; },
      'routes[4].path.value: must be a regular expression HAProxy (PCRE2) reads as meant: only (?:...), (?=...) and (?!...) groups are supported (no named groups, lookbehinds or inline flags), got "(?<=a+)b"'],
    ["a \\u escape PCRE2 does not know", (d: any) => { d.routes[4].queryParams[0].value = "\\u0041"; },
      "routes[4].queryParams[0].value: must be a regular expression HAProxy (PCRE2) reads as meant: the escape '\\u' is not supported (use \\d \\D \\w \\W \\s \\S \\b \\B \\n \\r \\t \\f, or '\\' before punctuation), got \"\\\\u0041\""],
    ["a header name with a quote", (d: any) => { d.routes[0].headers[0].name = "x-it's"; },
      'routes[0].headers[0].name: must be a header name of letters, digits and !#$%&*+-.^_`|~, got "x-it\'s"'],
    ["a query name with a comma", (d: any) => { d.routes[4].queryParams[0].name = "a,b"; },
      'routes[4].queryParams[0].name: must be a query parameter name of letters, digits, \'-\', \'.\', \'_\', \'~\', \'[\' and \']\', got "a,b"'],
    ["an empty header value", (d: any) => { d.routes[1].requestHeaders.set[0].value = ""; },
      'routes[1].requestHeaders.set[0].value: must be a non-empty string, got ""'],
    ["a revision with a space", (d: any) => { d.revision = "a b"; },
      'revision: must be 1 to 128 printable ASCII characters without spaces, got "a b"'],
    ["an unknown cluster protocol", (d: any) => { d.clusters[0].protocol = "h3"; },
      'clusters[0].protocol: must be one of "http1", "h2c", "websocket", got "h3"'],
    ["h2c with TLS to the endpoints", (d: any) => { d.clusters[0].protocol = "h2c"; d.clusters[0].tls = true; },
      "clusters[0].protocol: h2c is HTTP/2 in cleartext: it cannot be combined with tls: true"],
    ["a certificate given as a secret and files", (d: any) => { d.frontends[1].tls.certificates[1].keyFile = "/k"; },
      "frontends[1].tls.certificates[1]: takes either secret or certificateFile and keyFile, not both"],
    ["no certificates", (d: any) => { d.frontends[1].tls.certificates = []; },
      "frontends[1].tls.certificates: must have at least one certificate"],
    ["an inline key", (d: any) => { d.frontends[1].tls.certificates[0].keyPem = "-----BEGIN PRIVATE KEY-----"; },
      "frontends[1].tls.certificates[0].keyPem: unknown field (allowed: secret, certificateFile, keyFile)"],
    ["another apiVersion", (d: any) => { d.apiVersion = "v0"; }, 'apiVersion: must be "ir.agc.dev/v1", got "v0"'],
    ["an unknown cluster", (d: any) => { d.routes[0].backends[0].cluster = "nope"; },
      'routes[0].backends[0].cluster: must name a cluster in clusters, got "nope"'],
    ["a bad endpoint address", (d: any) => { d.clusters[0].endpoints[0].address = "example.com"; },
      'clusters[0].endpoints[0].address: must be an IPv4 or IPv6 address, got "example.com"'],
    ["a duplicate endpoint", (d: any) => { d.clusters[0].endpoints[1].address = "10.0.0.1"; },
      'clusters[0].endpoints[1]: duplicate endpoint "10.0.0.1:8080" (also at index 0)'],
    ["a duplicate port", (d: any) => { d.frontends[1].port = 8080; },
      "frontends[1].port: duplicate port 8080 (also at index 0)"],
    ["a misspelt field", (d: any) => { d.routes[0].hostname = "x"; },
      "routes[0].hostname: unknown field (allowed: name, frontends, hostnames, path, headers, queryParams, method, backends, requestHeaders, responseHeaders, rewrite, redirect, requestTimeoutMs, backendRequestTimeoutMs, wildcardSingleLabel)"],
    ["an inverted status range", (d: any) => { d.clusters[1].healthCheck.http.match.statusCodes[0] = { start: 300, end: 200 }; },
      "clusters[1].healthCheck.http.match.statusCodes[0]: end 200 is before start 300"],
    ["a bad regex", (d: any) => { d.routes[4].path.value = "(("; },
      'routes[4].path.value: must be a regular expression HAProxy (PCRE2) reads as meant: Unterminated group, got "(("'],
    ["a fractional timeout", (d: any) => { d.timeouts.requestMs = 1.5; },
      "timeouts.requestMs: must be an integer 0..86400000, got 1.5"],
    ["TLS without a key", (d: any) => { delete d.frontends[1].tls.certificates[0].keyFile; },
      "frontends[1].tls.certificates[0].keyFile: must be a non-empty string, got nothing"],
    ["a prefix rewrite without a prefix match", (d: any) => { d.routes[2].path = { type: "Exact", value: "/legacy" }; },
      "routes[2].rewrite.path.type: ReplacePrefixMatch needs a PathPrefix path match on the route"],
  ])("refuses %s, naming the field", (_what, mutate, message) => {
    expect(errorsOf(mutate)).toEqual([message]);
  });

  it("refuses what is not an object", () => {
    expect(parseIr(null)).toEqual({ ok: false, errors: ["(document): must be an object, got null"] });
  });

  it("reports every problem at once", () => {
    const errors = errorsOf((d) => { d.gateway = "Bad Name"; d.frontends[0].port = 0; });
    expect(errors).toEqual([
      'gateway: must be a name of lower case letters, digits, \'-\', \'_\' and \'.\', got "Bad Name"',
      "frontends[0].port: must be an integer 1..65535, got 0",
    ]);
  });
});

describe("normalizePath", () => {
  it.each([
    ["/public/../secret", "/secret"],
    ["/public/%2e%2e/secret", "/secret"],
    ["/a//b/./c", "/a/b/c"],
    ["/%7euser", "/~user"],
    ["/a/%2f..%2Fb", "/a/%2F..%2Fb"],
    ["/a/b/..", "/a/"],
    ["/a/.", "/a/"],
    ["/", "/"],
  ])("%s becomes %s", (raw, normal) => {
    expect(normalizePath(raw)).toBe(normal);
  });

  it.each(["/..", "/../x", "/a/../../b", "/../..", "/../../a", "/../../../../a", "/a/../../../b", "/.%2e/x", "/%zz", "/%4"])("%s cannot be normalized", (raw) => {
    expect(normalizePath(raw)).toBeNull();
  });
});

describe("regexProblem", () => {
  it.each(["^/search/[0-9]+$", "^(a|b)*?$", "\\d+\\.\\w", "[a\\]]", "[\\d-]", "x{2,3}", "^/v(?=1)", "it's \"q\" $HOME"])(
    "accepts %s, which PCRE2 reads as JavaScript does", (source) => {
      expect(regexProblem(source)).toBeNull();
    });

  it.each([
    ["(?<=a)b", "only (?:...), (?=...) and (?!...) groups are supported (no named groups, lookbehinds or inline flags)"],
    ["(?i)abc", "only (?:...), (?=...) and (?!...) groups are supported (no named groups, lookbehinds or inline flags)"],
    ["[^]", "an empty character class ('[]' or '[^]') is not supported"],
    ["[[:alpha:]]", "'[' inside a character class must be escaped (POSIX classes are not supported)"],
    ["[\\d-z]", "a range in a character class cannot start or end with \\d, \\w or \\s (escape the '-')"],
    ["a{", "a literal '{' must be escaped as '\\{'"],
    ["(a)\\1", "the escape '\\1' is not supported (use \\d \\D \\w \\W \\s \\S \\b \\B \\n \\r \\t \\f, or '\\' before punctuation)"],
    ["caf\u00e9", "only printable ASCII characters are supported"],
    ["a**", "Nothing to repeat"],
  ])("refuses %s: %s", (source, problem) => {
    expect(regexProblem(source)).toBe(problem);
  });
});
