/**
 * Whole-cluster goldens: the custom resources as stored (YAML, one document per object) in,
 * every status the controller would write out. A stale golden fails the test;
 * `UPDATE_GOLDEN=1 npx jest test/unit/controller` rewrites them for review.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { reconcile } from "../../../controller/reconcile";
import { byKind } from "./objects";

const GOLDEN = path.join(__dirname, "golden");
const update = process.env.UPDATE_GOLDEN === "1";
const cases = fs.readdirSync(GOLDEN).filter((f) => f.endsWith(".in.yaml")).map((f) => f.replace(/\.in\.yaml$/, "")).sort();

function load(name: string) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(GOLDEN, `${name}.in.yaml`), "utf8"));
  for (const d of docs) if (d.errors.length) throw new Error(`${name}.in.yaml: ${d.errors.map((e) => e.message).join("; ")}`);
  return byKind(docs.map((d) => d.toJS()).filter((o) => o));
}

describe("reconcile goldens", () => {
  it("has golden cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  });

  it.each(cases)("%s", (name) => {
    const actual = `${JSON.stringify(reconcile(load(name), { dnsZone: "alb.agc.test" }), null, 2)}\n`;
    const file = path.join(GOLDEN, `${name}.out.json`);
    if (update) {
      fs.writeFileSync(file, actual);
      return;
    }
    if (!fs.existsSync(file)) throw new Error(`missing golden ${name}.out.json: run with UPDATE_GOLDEN=1 to create it`);
    const expected = fs.readFileSync(file, "utf8");
    if (expected !== actual) {
      // The structural diff shows what changed; the message says how to accept it.
      expect({ golden: `${name}.out.json (stale: review, then UPDATE_GOLDEN=1)`, statuses: JSON.parse(actual) }).toEqual({
        golden: `${name}.out.json`,
        statuses: JSON.parse(expected),
      });
    }
  });
});
