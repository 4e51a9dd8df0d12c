// parseIr over random documents: it answers ok or a list of errors, and never throws. Whether
// what it accepts renders to a configuration HAProxy accepts is the renderer's property test.
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import { parseIr } from "../../../model/ir";

const RUNS = 200;
const golden = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "dataplane", "golden", `${name}.ir.json`), "utf8"));
const DOCUMENTS = ["minimal", "full", "edges"].map(golden);

type Json = unknown;

/** Every path to a value inside a document. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, Json>)[k], [...prefix, k]))];
}

/** The document with the value at `at` replaced. */
function replaced(document: Json, at: (string | number)[], value: Json): Json {
  if (at.length === 0) return value;
  const copy: any = Array.isArray(document) ? [...document] : { ...(document as object) };
  copy[at[0]!] = replaced(copy[at[0]!], at.slice(1), value);
  return copy;
}

/** A golden document with one value anywhere inside replaced by random JSON. */
const mutatedDocument = fc
  .constantFrom(...DOCUMENTS)
  .chain((document) => fc.tuple(fc.constant(document), fc.constantFrom(...paths(document)), fc.jsonValue({ maxDepth: 3 })))
  .map(([document, at, value]) => replaced(document, at, value));

function answersOkOrErrors(document: Json): void {
  const result = parseIr(document);
  if (result.ok) return;
  expect(result.errors.length).toBeGreaterThan(0);
  expect(result.errors.filter((e) => typeof e !== "string" || e === "")).toEqual([]);
}

describe("parseIr over random documents", () => {
  it("accepts the golden documents", () => {
    expect(DOCUMENTS.map((d) => parseIr(d).ok)).toEqual([true, true, true]);
  });

  it("never throws on any JSON value", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), answersOkOrErrors), { numRuns: RUNS });
  });

  it("never throws on a valid document with one value replaced anywhere", () => {
    fc.assert(fc.property(mutatedDocument, answersOkOrErrors), { numRuns: RUNS });
  });

  it("never throws on values JSON cannot hold (what a YAML file or a caller can pass)", () => {
    fc.assert(fc.property(fc.anything({ maxDepth: 3 }), answersOkOrErrors), { numRuns: RUNS });
  });
});
