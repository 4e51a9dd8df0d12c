/**
 * Golden tests: IR JSON in, haproxy.cfg and the side files (maps, crt-lists, which files make
 * each certificate) out. The golden files are written and reviewed by hand: this test only
 * reads them, and a difference fails with both texts. After an intended change, review the
 * new output line by line before replacing a golden with it.
 */
import * as fs from "fs";
import * as path from "path";
import { parseIr } from "../../../model/ir";
import { render, RenderedConfig } from "../../../dataplane/render";

const GOLDEN = path.join(__dirname, "golden");

/** Maps, crt-lists and the files each certificate is made of, as one text, file by file. */
function sideFiles(out: RenderedConfig): string {
  const files: Record<string, string> = { ...out.maps };
  for (const [name, text] of Object.entries(out.crtLists)) files[`certs/${name}`] = text;
  for (const [name, src] of Object.entries(out.certificates)) files[`certs/${name}`] = `${src.certificateFile}\n${src.keyFile}\n`;
  return Object.entries(files).sort(([a], [b]) => a.localeCompare(b)).map(([file, text]) => `### ${file}\n${text}`).join("");
}

function expectGolden(file: string, actual: string): void {
  const expected = fs.readFileSync(path.join(GOLDEN, file), "utf8");
  if (expected !== actual) throw new Error(`${file} differs from the output\n--- golden\n${expected}\n--- output\n${actual}`);
}

const cases = fs.readdirSync(GOLDEN).filter((f) => f.endsWith(".ir.json")).map((f) => f.replace(/\.ir\.json$/, "")).sort();

describe("render goldens", () => {
  it("covers every feature with a golden", () => {
    expect(cases).toEqual(["edges", "full", "invalid-backend", "minimal", "protocols", "sni", "timeouts", "weights", "wildcards"]);
  });

  it.each(cases)("%s", (name) => {
    const parsed = parseIr(JSON.parse(fs.readFileSync(path.join(GOLDEN, `${name}.ir.json`), "utf8")));
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const out = render(parsed.ir, { runtimeDir: "/run/agc" });
    expectGolden(`${name}.haproxy.cfg`, out.haproxyCfg);
    expectGolden(`${name}.files.txt`, sideFiles(out));
  });
});
