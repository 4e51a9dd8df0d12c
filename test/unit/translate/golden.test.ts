/**
 * Translation goldens, one pair per feature: `<feature>.in.yaml` (Kubernetes objects, one
 * document each, plus an `AssignedAddresses` document) and `<feature>.out.yaml` (every data
 * plane's IR, every status, every warning). Each output was reviewed against the Gateway API
 * or Ingress specification; a change to one is a change of behaviour to review.
 * A stale golden fails the test; `UPDATE_GOLDEN=1 npx jest test/unit/translate` rewrites them.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONTROLLER_NAME, TranslateOptions, translate } from "../../../translate";
import { snapshotFromObjects } from "../../../translate/snapshot";
import { parseIr } from "../../../model/ir";

const GOLDEN = path.join(__dirname, "golden");
const update = process.env.UPDATE_GOLDEN === "1";
const cases = fs.readdirSync(GOLDEN).filter((f) => f.endsWith(".in.yaml")).map((f) => f.replace(/\.in\.yaml$/, "")).sort();

function loadObjects(file: string): unknown[] {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  for (const d of docs) if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join("; ")}`);
  return docs.map((d) => d.toJS()).filter(Boolean);
}

function translateFile(name: string, reorder: (objects: unknown[]) => unknown[] = (o) => o, options: Partial<TranslateOptions> = {}): string {
  const { snapshot, ignored } = snapshotFromObjects(reorder(loadObjects(path.join(GOLDEN, `${name}.in.yaml`))));
  expect(ignored).toEqual([]);
  return YAML.stringify(translate(snapshot, { controllerName: CONTROLLER_NAME, ...options }), { lineWidth: 0, aliasDuplicateObjects: false });
}

describe("translate goldens", () => {
  it("has golden cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases)("%s", (name) => {
    const actual = translateFile(name);
    const file = path.join(GOLDEN, `${name}.out.yaml`);
    if (update) {
      fs.writeFileSync(file, actual);
      return;
    }
    if (!fs.existsSync(file)) throw new Error(`missing golden ${name}.out.yaml: run with UPDATE_GOLDEN=1 to create it`);
    const expected = fs.readFileSync(file, "utf8");
    if (expected !== actual) {
      expect({ golden: `${name}.out.yaml (stale: review, then UPDATE_GOLDEN=1)`, result: YAML.parse(actual) }).toEqual({
        golden: `${name}.out.yaml`,
        result: YAML.parse(expected),
      });
    }
  });
});

describe("every golden", () => {
  it.each(cases)("%s: the same output whatever the order of the input objects", (name) => {
    expect(translateFile(name, (objects) => [...objects].reverse())).toBe(translateFile(name));
  });

  // The IR contract: what translate emits, parseIr accepts (the data plane refuses nothing of it).
  // translate's own check is turned off here: it would leave out any route parseIr refuses.
  it.each(cases)("%s: every IR with a frontend passes parseIr", (name) => {
    const result = YAML.parse(translateFile(name, undefined, { validateIr: () => ({ ok: true }) }));
    const refused = result.dataplanes
      .filter((d: any) => d.ir.frontends.length > 0)
      .map((d: any) => ({ owner: d.owner.name, parsed: parseIr(d.ir) }))
      .filter((r: any) => !r.parsed.ok)
      .map((r: any) => ({ owner: r.owner, errors: r.parsed.errors }));
    expect(refused).toEqual([]);
  });
});
