// The last step: a route the data plane's own check refuses is left out of its document (the
// rest still applies), and the object it came from gets a warning saying why.
import { GatewayIr } from "../model/ir";
import { Dataplane, StatusUpdate, TranslateOptions, Warning } from "./types";
import { GATEWAY_API_VERSION } from "./objects";
import { StatusCondition } from "./conditions";
import { droppedRules } from "./httproute";

type Sources = Map<string, { kind: "HTTPRoute" | "Ingress"; key: string }>;

const API_VERSIONS = { HTTPRoute: GATEWAY_API_VERSION, Ingress: "networking.k8s.io/v1" };

export function withoutRefusedRoutes(
  dataplane: Dataplane,
  sources: Sources,
  validate: NonNullable<TranslateOptions["validateIr"]>,
): { dataplane: Dataplane; warnings: Warning[] } {
  if (dataplane.ir.frontends.length === 0) return { dataplane, warnings: [] };
  const result = validate(dataplane.ir);
  if (result.ok) return { dataplane, warnings: [] };
  const byRoute = new Map<number, string[]>();
  for (const error of result.errors) {
    const index = /^routes\[(\d+)\]/.exec(error)?.[1];
    if (index !== undefined) byRoute.set(Number(index), [...(byRoute.get(Number(index)) ?? []), error.replace(/^routes\[\d+\]\.?/, "")]);
  }
  const ir: GatewayIr = { ...dataplane.ir, routes: dataplane.ir.routes.filter((_, i) => !byRoute.has(i)) };
  const warnings = [...byRoute.entries()].map(([index, errors]): Warning => {
    const route = dataplane.ir.routes[index];
    const source = sources.get(route.name) ?? { kind: "HTTPRoute" as const, key: "/" };
    const [namespace, name] = source.key.split("/");
    return {
      regarding: { apiVersion: API_VERSIONS[source.kind], kind: source.kind, namespace, name },
      reason: "RouteRefused",
      message: `route ${route.name} is left out of data plane ${dataplane.ir.gateway}: ${errors.join("; ")}`,
    };
  });
  return { dataplane: { ...dataplane, ir }, warnings };
}

/**
 * An HTTPRoute with a route left out of a data plane says so in its status: PartiallyInvalid
 * (reason UnsupportedValue) on each of our parents, with the data plane's reasons.
 * `refused`: the warnings of withoutRefusedRoutes (an Ingress has no status to carry them).
 */
export function reportRefusedRoutes(statuses: StatusUpdate[], refused: readonly Warning[]): void {
  for (const w of refused) {
    if (w.regarding.kind !== "HTTPRoute") continue;
    const status = statuses.find((s) => s.kind === "HTTPRoute" && s.namespace === w.regarding.namespace && s.name === w.regarding.name);
    for (const parent of (status?.status.parents as { conditions: StatusCondition[] }[] | undefined) ?? []) {
      if (parent.conditions.find((c) => c.type === "Accepted")?.status !== "True") continue;
      const existing = parent.conditions.find((c) => c.type === "PartiallyInvalid");
      if (existing) existing.message = `${existing.message}; ${w.message}`;
      else parent.conditions.push(droppedRules(w.message, parent.conditions[0]?.observedGeneration ?? 1));
    }
  }
}
