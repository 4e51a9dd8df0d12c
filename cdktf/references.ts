// Values at synth time. What Terraform computes at apply (a reference to another resource, a
// variable, a function) is a CDKTF token here: the rules take it as not known yet, like
// Pulumi's preview sentinel, and skip what depends on it. The ids of our own constructs are
// the exception: an object is named after its construct, so its id is known at synth, and a
// reference to it is followed back to the construct that made it.
import { Token } from "cdktf";
import { IConstruct } from "constructs";
import { UNKNOWN } from "../model/rules";

/** What an unresolved string stands for: a construct's id (known), or nothing known. */
export type ReferenceLookup = (token: string) => string | undefined;

/**
 * The value as the rules see it: tokens become the unknown sentinel, at any depth, except
 * strings that are the `id` of a construct `lookup` knows, which become that literal id.
 */
export function synthValue(value: unknown, lookup: ReferenceLookup = () => undefined): unknown {
  if (typeof value === "string") return Token.isUnresolved(value) ? (lookup(value) ?? UNKNOWN) : value;
  if (value === null || value === undefined || typeof value === "boolean") return value;
  if (Token.isUnresolved(value)) return UNKNOWN; // an encoded number or list, an IResolvable
  if (Array.isArray(value)) return value.map((v) => synthValue(v, lookup));
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, synthValue(v, lookup)]));
  return value;
}

/** The constructs of one app (its stacks alike), by the `id` string each exposes. */
const byApp = new WeakMap<IConstruct, Map<string, IConstruct>>();

/** Records that `id` (a string holding tokens) is the id of `construct`. */
export function registerId(id: string, construct: IConstruct): void {
  const app = construct.node.root;
  let ids = byApp.get(app);
  if (!ids) byApp.set(app, (ids = new Map()));
  ids.set(id, construct);
}

/** The construct of the app holding `scope` whose `id` is exactly this string, when one is. */
export function constructOfId(scope: IConstruct, id: unknown): IConstruct | undefined {
  return typeof id === "string" ? byApp.get(scope.node.root)?.get(id) : undefined;
}
