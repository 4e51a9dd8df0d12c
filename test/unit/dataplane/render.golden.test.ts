/**
 * Golden tests: IR JSON in, haproxy.cfg and map files out. A stale golden fails the test;
 * `UPDATE_GOLDEN=1 npx jest test/unit/dataplane` rewrites them for review.
 */
import * as fs from "fs";
import * as path from "path";
import { parseIr } from "../../../model/ir";
import { render } from "../../../dataplane/render";

const GOLDEN = path.join(__dirname, "golden");
const update = process.env.UPDATE_GOLDEN === "1";

function expectGolden(file: string, actual: string): void {
  const p = path.join(GOLDEN, file);
  if (update || !fs.existsSync(p)) {
    if (!update) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1 to create it`);
    fs.writeFileSync(p, actual);
    return;
  }
  const expected = fs.readFileSync(p, "utf8");
  if (expected !== actual) {
    throw new Error(`golden ${file} is stale; review the diff and run with UPDATE_GOLDEN=1 to rewrite it\n` +
      `--- expected\n${expected}\n--- actual\n${actual}`);
  }
}

const cases = fs.readdirSync(GOLDEN).filter((f) => f.endsWith(".ir.json")).map((f) => f.replace(/\.ir\.json$/, ""));

describe("render goldens", () => {
  it("has golden cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(2);
  });

  it.each(cases)("%s", (name) => {
    const parsed = parseIr(JSON.parse(fs.readFileSync(path.join(GOLDEN, `${name}.ir.json`), "utf8")));
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const out = render(parsed.ir, { runtimeDir: "/run/agc" });
    expectGolden(`${name}.haproxy.cfg`, out.haproxyCfg);
    const maps = Object.entries(out.maps).sort(([a], [b]) => a.localeCompare(b))
      .map(([file, text]) => `### ${file}\n${text}`).join("");
    expectGolden(`${name}.maps.txt`, maps);
  });

  it("is deterministic", () => {
    const ir = JSON.parse(fs.readFileSync(path.join(GOLDEN, "full.ir.json"), "utf8"));
    const a = render(ir, { runtimeDir: "/x" });
    const b = render(JSON.parse(JSON.stringify(ir)), { runtimeDir: "/x" });
    expect(a).toEqual(b);
  });
});
