// Following an input back to what it is. At preview a new resource's id is not known, so the
// value of `trafficControllerId` cannot say which gateway it names; the Output can: it carries
// every resource it depends on, through `apply` and `pulumi.all` alike.
import * as pulumi from "@pulumi/pulumi";
import { KindName } from "../model/kinds";
import { UNKNOWN, containsUnknown, keyOfId } from "../model/rules";

/** A resource the program declared, as the rules across resources know it. */
export interface DeclaredResource {
  kind: KindName;
  key: string;
  name: string;
}

/** Where a reference leads: the key it names, or why that cannot be told at preview. */
export type Trace = { key: string; untraced?: undefined } | { key?: undefined; untraced?: string };

interface OutputInternals {
  isKnown: Promise<boolean>;
  promise(withUnknowns?: boolean): Promise<unknown>;
  allResources?: () => Promise<Set<pulumi.Resource>>;
  resources(): Set<pulumi.Resource>;
}

const internals = (output: pulumi.Output<unknown>) => output as unknown as OutputInternals;

/**
 * An input with the preview sentinel in place of every value not known yet, at any depth:
 * inside arrays and plain objects too (a Kubernetes object's spec holds Outputs anywhere).
 */
export async function resolveInput(input: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(input)) {
    const output = internals(input);
    return (await output.isKnown) ? resolveInput(await output.promise()) : UNKNOWN;
  }
  if (input !== null && typeof (input as Promise<unknown>)?.then === "function") return resolveInput(await input);
  if (Array.isArray(input)) return Promise.all(input.map(resolveInput));
  if (isPlainObject(input)) {
    const entries = await Promise.all(Object.entries(input).map(async ([k, v]) => [k, await resolveInput(v)] as const));
    return Object.fromEntries(entries);
  }
  return input;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The value of an input when all of it is known, else undefined. */
export async function knownValue(input: unknown): Promise<unknown> {
  const value = await resolveInput(input);
  return containsUnknown(value) ? undefined : value;
}

/** Every resource an output depends on, including those reached through nested outputs. */
async function dependencies(output: pulumi.Output<unknown>): Promise<pulumi.Resource[]> {
  const o = internals(output);
  return [...(o.allResources ? await o.allResources() : o.resources())];
}

function plural(kind: KindName, count: number): string {
  return count === 1 ? kind : `${kind}s`;
}

/** Why an unknown reference names no single resource of `kind`, from the declared resources it depends on. */
function whyUntraced(kind: KindName, candidates: readonly DeclaredResource[]): string {
  if (candidates.length === 0) {
    return `its value is not known before the update, and it depends on no ${kind} this program declares`;
  }
  const names = candidates.map((c) => `'${c.name}'`).join(", ");
  return `its value is not known before the update, and it depends on ${candidates.length} ${plural(kind, candidates.length)} (${names})`;
}

/**
 * The key a reference input names: from its value when known (an existing resource's id, or a
 * literal id), else from the one declared resource of `kind` the output depends on.
 */
export async function traceReference(
  input: unknown,
  kind: KindName,
  declaredAs: (resource: pulumi.Resource) => DeclaredResource | undefined,
): Promise<Trace> {
  const value = await resolveInput(input);
  if (value === undefined) return {}; // missing: the resource's check reports it
  if (!containsUnknown(value)) {
    const key = keyOfId(value, kind);
    return key === undefined ? {} : { key };
  }
  const depends = pulumi.Output.isInstance(input) ? await dependencies(input) : [];
  const candidates = unique(depends.map(declaredAs).filter((d): d is DeclaredResource => d?.kind === kind));
  return candidates.length === 1 ? { key: candidates[0]!.key } : { untraced: whyUntraced(kind, candidates) };
}

function unique(resources: DeclaredResource[]): DeclaredResource[] {
  return [...new Map(resources.map((r) => [r.key, r])).values()];
}
