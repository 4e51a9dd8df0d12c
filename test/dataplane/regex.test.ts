/**
 * Regular expressions parseIr accepts are compiled by HAProxy's PCRE2 and match as their
 * rows state: each row says literally whether the header value matches.
 */
import { cluster, freePort, gatewayIr, Harness, httpGet } from "./harness";

const ROWS: [regex: string, value: string, matches: boolean][] = [
  ["^v\\d+$", "v12", true],
  ["^v\\d+$", "v1a", false],
  ["^(a|b)*?$", "abba", true],
  ["^(a|b)*?$", "abc", false],
  ["^[a\\]]+$", "]a]", true],
  ["^[a\\]]+$", "b", false],
  ["^[\\d-]+$", "12-3", true],
  ["^x{2,3}$", "xx", true],
  ["^x{2,3}$", "x", false],
  ["^/v(?=1)", "/v1", true],
  ["^/v(?=1)", "/v2", false],
  ["\\.\\w", "a.b", true],
  ["\\.\\w", "ab", false],
  ["^it's \"q\" \\$HOME$", "it's \"q\" $HOME", true],
  ["^a\\sb$", "a b", true],
];

describe("regular expressions in HAProxy", () => {
  const h = new Harness();
  let port: number;
  const regexes = [...new Set(ROWS.map(([r]) => r))];

  beforeAll(async () => {
    const echo = await h.backend("echo");
    port = await freePort();
    await h.startAgent(gatewayIr(port, [cluster("echo", [echo])], {
      routes: regexes.map((value, i) => ({
        name: `re${i}`, path: { type: "Exact" as const, value: `/re${i}` },
        headers: [{ name: "x-value", type: "RegularExpression" as const, value }], backends: [{ cluster: "echo" }],
      })),
    }));
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it.each(ROWS)("%s against %s: match %s", async (regex, value, matches) => {
    const r = await httpGet(port, `/re${regexes.indexOf(regex)}`, { "x-value": value });
    expect(r.status).toBe(matches ? 200 : 404);
  }, 30_000);
});
