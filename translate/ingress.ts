// Ingress (networking.k8s.io/v1) of our IngressClass, or with the older class annotation:
// rules, path types, the default backend and TLS, on ports 80 and (with TLS) 443. Wildcard
// hosts match exactly one label, as Ingress defines them.
import { isIP } from "net";
import { Route, TlsCertificate, normalizePath } from "../model/ir";
import { KubeObject, LEGACY_INGRESS_CLASS, SecretObject, StatusUpdate, addressKey } from "./types";
import { byKey, compact, irName, keyOf, live, namespaceOf } from "./objects";
import { Problem } from "./conditions";
import { BackendContext, RuleBackend, placeBackends, resolveServiceRef } from "./backends";
import { certificateSecretProblem } from "./certificates";
import { unnormalizablePath } from "./matches";
import { Binding } from "./bindings";
import { DataplaneBuilder } from "./dataplane";

const CLASS_ANNOTATION = "kubernetes.io/ingress.class";
const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
/** The default backend ranks after every rule of its Ingress. */
const DEFAULT_BACKEND_RULE = 1_000_000;

/** The Ingresses we serve: class ours by name, by the class annotation, or by our default class. */
export function ourIngresses(ingresses: readonly KubeObject[], classes: readonly KubeObject[], controller: string): KubeObject[] {
  const mine = live(classes).filter((c) => c.spec?.controller === controller);
  const names = new Set(mine.map((c) => c.metadata.name));
  const defaultIsOurs = mine.some((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
  return live(ingresses)
    .filter((ing) => {
      const byAnnotation = ing.metadata.annotations?.[CLASS_ANNOTATION];
      const className = ing.spec?.ingressClassName;
      if (className) return names.has(className);
      if (byAnnotation) return byAnnotation === LEGACY_INGRESS_CLASS || names.has(byAnnotation);
      return defaultIsOurs;
    })
    .sort(byKey);
}

export interface IngressContext {
  backends: BackendContext;
  secrets: readonly SecretObject[];
}

/** Places an Ingress into its data plane; returns the problems to report as warnings. */
export function translateIngress(binding: Binding, builder: DataplaneBuilder, context: IngressContext): Problem[] {
  const ingress = binding.consumer;
  const namespace = namespaceOf(ingress);
  const problems: Problem[] = [];
  const certificates: TlsCertificate[] = [];
  ((ingress.spec?.tls as any[]) ?? []).forEach((tls, i) => {
    if (!tls.secretName) return;
    const problem = certificateSecretProblem(context.secrets, namespace, tls.secretName);
    if (problem) problems.push({ reason: problem.reason, message: `spec.tls[${i}].secretName: ${problem.message}` });
    else certificates.push({ secret: { namespace, name: tls.secretName } });
  });
  const frontends = [builder.listen(binding.slot, 80)];
  if (certificates.length) frontends.push(builder.listen(binding.slot, 443, certificates));
  frontends.sort();

  const place = (rule: number, match: number, fields: Omit<Route, "name" | "frontends">, nameParts: (string | number)[]) =>
    builder.addRoute(
      { creationTimestamp: ingress.metadata.creationTimestamp ?? "", sourceKind: "Ingress", source: keyOf(ingress), rule, match, group: 0 },
      compact({ name: irName("ingress", namespace, ingress.metadata.name, ...nameParts), frontends, ...fields }) as Route,
    );
  ((ingress.spec?.rules as any[]) ?? []).forEach((rule, i) => {
    const host = rule.host ? String(rule.host).toLowerCase() : undefined;
    ((rule.http?.paths as any[]) ?? []).forEach((p, j) => {
      const where = `spec.rules[${i}].http.paths[${j}]`;
      const path = normalizePath(String(p.path ?? "/"));
      if (path === null) {
        problems.push({ reason: "InvalidPath", message: `${unnormalizablePath(`${where}.path`, String(p.path))}; the path is not served` });
        return;
      }
      const backend = ingressBackend(ingress, p.backend, `${where}.backend`, context, problems);
      place(i, j, {
        hostnames: host ? [host] : undefined,
        ...(host?.startsWith("*.") ? { wildcardSingleLabel: true } : {}),
        path: { type: p.pathType === "Exact" ? "Exact" : "PathPrefix", value: path },
        backends: placeBackends([backend], builder),
      }, [i, j]);
    });
  });
  if (ingress.spec?.defaultBackend) {
    const backend = ingressBackend(ingress, ingress.spec.defaultBackend, "spec.defaultBackend", context, problems);
    place(DEFAULT_BACKEND_RULE, 0, { path: { type: "PathPrefix", value: "/" }, backends: placeBackends([backend], builder) }, ["default"]);
  }
  return problems;
}

function ingressBackend(ingress: KubeObject, backend: any, where: string, context: IngressContext, problems: Problem[]): RuleBackend {
  const fail = (p: Problem): RuleBackend => {
    problems.push({ reason: p.reason, message: `${where}: ${p.message}` });
    return { invalid: p.message, weight: 1 };
  };
  if (backend?.resource) return fail({ reason: "InvalidKind", message: `resource backends (${backend.resource.kind}) are not supported; use a Service` });
  const service = backend?.service;
  if (!service?.name) return fail({ reason: "BackendNotFound", message: "no service given" });
  const resolved = resolveServiceRef(
    context.backends,
    { group: "networking.k8s.io", kind: "Ingress", namespace: namespaceOf(ingress) },
    { name: service.name, ...(service.port?.name !== undefined ? { portName: service.port.name } : { port: service.port?.number }) },
  );
  return resolved.ok ? { cluster: resolved.cluster, service: resolved.service, weight: 1 } : fail(resolved);
}

export function ingressStatus(ingress: KubeObject, binding: Binding | undefined, assigned: Readonly<Record<string, string[]>>): StatusUpdate {
  const addresses = binding ? assigned[addressKey(binding.slot.kind, binding.slot.namespace, binding.slot.name)] ?? [] : [];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    namespace: namespaceOf(ingress),
    name: ingress.metadata.name,
    status: { loadBalancer: addresses.length ? { ingress: addresses.map((a) => (isIP(a) ? { ip: a } : { hostname: a })) } : {} },
  };
}
