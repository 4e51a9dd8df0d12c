// A check of an object against a CRD's structural schema, as far as the API server's OpenAPI
// validation goes (types, required fields, enums, patterns, lengths, bounds), plus the fields it
// would prune without a word: a misspelt field in a manifest would otherwise vanish silently.
// CEL rules (x-kubernetes-validations) are left to the API server.
type Obj = Record<string, any>;

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function typeProblem(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case "object":
      return !isObject(value);
    case "array":
      return !Array.isArray(value);
    case "string":
      return typeof value !== "string";
    case "integer":
      return !Number.isInteger(value);
    case "number":
      return typeof value !== "number";
    case "boolean":
      return typeof value !== "boolean";
    default:
      return false;
  }
}

function scalarProblems(schema: Obj, value: unknown, at: string): string[] {
  const out: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) out.push(`${at}: '${value}' is not one of ${schema.enum.join(", ")}`);
  if (typeof value === "string") {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) out.push(`${at}: '${value}' does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) out.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) out.push(`${at}: longer than ${schema.maxLength}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${at}: ${value} is below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${at}: ${value} is above ${schema.maximum}`);
  }
  return out;
}

/** What the schema refuses in the value, each as `<path>: <why>`; [] when it conforms. */
export function schemaProblems(schema: Obj, value: unknown, at = ""): string[] {
  const here = at || "(root)";
  if (typeProblem(schema.type, value)) return [`${here}: expected ${schema.type}, got ${Array.isArray(value) ? "array" : typeof value}`];
  const out = scalarProblems(schema, value, here);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push(`${here}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push(`${here}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, i) => out.push(...schemaProblems(schema.items, item, `${at}[${i}]`)));
  }
  if (isObject(value) && !schema["x-kubernetes-preserve-unknown-fields"]) {
    const properties: Obj | undefined = schema.properties;
    for (const [key, v] of Object.entries(value)) {
      const where = at ? `${at}.${key}` : key;
      if (properties?.[key]) out.push(...schemaProblems(properties[key], v, where));
      else if (isObject(schema.additionalProperties)) out.push(...schemaProblems(schema.additionalProperties, v, where));
      else if (properties) out.push(`${where}: unknown field (the API server would drop it)`);
    }
    // A required field with a default is filled in before validation.
    for (const key of (schema.required ?? []) as string[]) {
      if (!(key in value) && properties?.[key]?.default === undefined) out.push(`${at ? `${at}.` : ""}${key}: required`);
    }
  }
  return out;
}

/** The schema a CRD serves for an apiVersion (`<group>/<version>`) and kind; undefined when it defines neither. */
export function crdSchemaFor(crds: Obj[], apiVersion: string, kind: string): Obj | undefined {
  const [group, version] = apiVersion.split("/");
  const crd = crds.find((c) => c.kind === "CustomResourceDefinition" && c.spec?.group === group && c.spec?.names?.kind === kind);
  return crd?.spec.versions.find((v: Obj) => v.name === version && v.served)?.schema?.openAPIV3Schema;
}
