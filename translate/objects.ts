// Small helpers over Kubernetes objects as the API returns them.
import { shortHash } from "../model/kinds";
import { KubeObject, ObjectMeta } from "./types";

export const GATEWAY_GROUP = "gateway.networking.k8s.io";
export const GATEWAY_API_VERSION = `${GATEWAY_GROUP}/v1`;

/** Objects that are not being deleted. */
export function live<T extends { metadata: ObjectMeta }>(objects: readonly T[] | undefined): T[] {
  return (objects ?? []).filter((o) => !o.metadata.deletionTimestamp);
}

export const namespaceOf = (o: { metadata: ObjectMeta }): string => o.metadata.namespace ?? "default";
export const keyOf = (o: { metadata: ObjectMeta }): string => `${namespaceOf(o)}/${o.metadata.name}`;
export const generationOf = (o: { metadata: ObjectMeta }): number => o.metadata.generation ?? 1;

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Gateway API's tie-break between routes: the oldest first, then by namespace/name. */
export function byCreationThenName(a: { metadata: ObjectMeta }, b: { metadata: ObjectMeta }): number {
  return compareText(a.metadata.creationTimestamp ?? "", b.metadata.creationTimestamp ?? "") || compareText(keyOf(a), keyOf(b));
}

export function byKey(a: { metadata: ObjectMeta }, b: { metadata: ObjectMeta }): number {
  return compareText(keyOf(a), keyOf(b));
}

/** The object named ns/name in a list. */
export function findNamed<T extends { metadata: ObjectMeta }>(objects: readonly T[], namespace: string, name: string): T | undefined {
  return objects.find((o) => o.metadata.name === name && namespaceOf(o) === namespace);
}

/** A label selector (matchLabels and matchExpressions) against labels. */
export function selectorMatches(selector: KubeObject["spec"], labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries<string>(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: string[] = e.values ?? [];
    if (e.operator === "In" && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

const IR_NAME_MAX = 63;

/**
 * A name usable in IR names: lower case, [a-z0-9-_.], at most 63 characters. A long name keeps
 * its trailing numeric parts (rule and match indexes) and gets a hash of the whole in place of
 * the cut, so distinct long names stay distinct.
 */
export function irName(...parts: (string | number)[]): string {
  const clean = parts.map((p) => String(p).toLowerCase().replace(/[^a-z0-9_.-]/g, "-"));
  const name = clean.join(".");
  if (name.length <= IR_NAME_MAX) return name;
  let numeric = 0;
  while (numeric < parts.length - 1 && typeof parts[parts.length - 1 - numeric] === "number") numeric++;
  const tail = numeric ? `.${clean.slice(clean.length - numeric).join(".")}` : "";
  const head = clean.slice(0, clean.length - numeric).join(".");
  return `${head.slice(0, IR_NAME_MAX - 11 - tail.length)}-${shortHash(name)}${tail}`;
}

/** Gateway API durations ("1h", "500ms", "1m30s") in milliseconds; undefined when malformed. */
export function durationMs(text: unknown): number | undefined {
  if (typeof text !== "string" || !/^([0-9]{1,5}(h|m|s|ms))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
  let total = 0;
  for (const [, n, u] of text.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(n) * unit[u];
  return total;
}

/** The object without its undefined fields (IR documents carry no undefined). */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
