// Converts Ingresses of the retired APIs (extensions/v1beta1, networking.k8s.io/v1beta1) to
// networking.k8s.io/v1: serviceName/servicePort become service.name/port, backend becomes
// defaultBackend, a missing pathType becomes ImplementationSpecific (the old behaviour).
const OLD_INGRESS_APIS = ["extensions/v1beta1", "networking.k8s.io/v1beta1"];
/** Fields the API server owns: left out so the result applies cleanly. */
const SERVER_FIELDS = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink"];

export interface Migration {
  object: unknown;
  /** What changed, one line each, for people. */
  changes: string[];
}

export function migrateObject(object: any): Migration {
  if (!object || object.kind !== "Ingress" || !OLD_INGRESS_APIS.includes(object.apiVersion)) return { object, changes: [] };
  const name = `Ingress ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata?.name}`;
  const changes = [`${name}: apiVersion ${object.apiVersion} -> networking.k8s.io/v1`];
  const metadata = Object.fromEntries(Object.entries(object.metadata ?? {}).filter(([k]) => !SERVER_FIELDS.includes(k)));
  const spec: any = { ...(object.spec ?? {}) };
  if (spec.backend) {
    spec.defaultBackend = backend(spec.backend);
    delete spec.backend;
    changes.push(`${name}: spec.backend -> spec.defaultBackend`);
  }
  if (spec.rules) {
    spec.rules = spec.rules.map((rule: any, i: number) =>
      !rule.http
        ? rule
        : {
            ...rule,
            http: {
              ...rule.http,
              paths: (rule.http.paths ?? []).map((p: any, j: number) => {
                if (!p.pathType) changes.push(`${name}: spec.rules[${i}].http.paths[${j}].pathType set to ImplementationSpecific (the v1beta1 default)`);
                return { path: p.path ?? "/", pathType: p.pathType ?? "ImplementationSpecific", backend: backend(p.backend) };
              }),
            },
          },
    );
  }
  return { object: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata, spec }, changes };
}

/** An old backend ({serviceName, servicePort} or {resource}) in the v1 form. */
function backend(old: any): unknown {
  if (!old || old.resource || old.service) return old;
  const port = old.servicePort;
  const numeric = typeof port === "number" || (typeof port === "string" && /^[0-9]+$/.test(port));
  return { service: { name: old.serviceName, port: numeric ? { number: Number(port) } : { name: port } } };
}
