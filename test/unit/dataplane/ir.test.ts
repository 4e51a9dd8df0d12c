import * as fs from "fs";
import * as path from "path";
import { parseIr } from "../../../model/ir";

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
      "routes[1].backends[0].weight: must be an integer 0..256, got -1"],
    ["a weight above 256", (d: any) => { d.routes[1].backends[1].weight = 257; },
      "routes[1].backends[1].weight: must be an integer 0..256, got 257"],
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
      "routes[0].hostname: unknown field (allowed: name, frontends, hostnames, path, headers, queryParams, method, backends, requestHeaders, responseHeaders, rewrite, redirect, requestTimeoutMs)"],
    ["an inverted status range", (d: any) => { d.clusters[1].healthCheck.http.match.statusCodes[0] = { start: 300, end: 200 }; },
      "clusters[1].healthCheck.http.match.statusCodes[0]: end 200 is before start 300"],
    ["a bad regex", (d: any) => { d.routes[4].path.value = "(("; },
      expect.stringMatching(/^routes\[4\]\.path\.value: must be a valid regular expression/)],
    ["a fractional timeout", (d: any) => { d.timeouts.requestMs = 1.5; },
      "timeouts.requestMs: must be an integer 0..86400000, got 1.5"],
    ["TLS without a key", (d: any) => { delete d.frontends[1].tls.keyFile; },
      "frontends[1].tls: needs exactly one of keyFile and keyPem for the key, got 0"],
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
