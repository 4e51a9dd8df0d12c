// The provider's typed Services and Ingresses (kubernetes_service_v1, kubernetes_ingress_v1...)
// as the Kubernetes objects they create, for the controller's rules at synth: a LoadBalancer
// Service inside a delegated subnet (AGC006), two Ingresses on one Frontend (AGC011), names
// over 128 characters (AGC014). Only the fields translation reads are carried over. Pure.
import { KubeObject } from "../translate";

type Obj = Record<string, any>;

/** The Terraform types whose objects translation reads, and the kind each creates. */
export const TYPED_KINDS: Readonly<Record<string, string>> = {
  kubernetes_service: "Service",
  kubernetes_service_v1: "Service",
  kubernetes_ingress_v1: "Ingress",
};

/** Drops what is undefined, so that the object reads as the API server would store it. */
function defined(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const list = <T>(value: T[] | unknown): T[] | undefined => (Array.isArray(value) ? value : undefined);

function metadataOf(m: Obj): Obj {
  return defined({ name: m.name, namespace: m.namespace ?? "default", labels: m.labels, annotations: m.annotations });
}

function serviceSpec(s: Obj): Obj {
  return defined({
    type: s.type,
    selector: s.selector,
    ports: list<Obj>(s.port)?.map((p) => defined({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol, appProtocol: p.appProtocol })),
    externalIPs: s.externalIps,
    loadBalancerIP: s.loadBalancerIp,
  });
}

function backendOf(b: Obj | undefined): Obj | undefined {
  if (!b?.service) return undefined;
  return { service: defined({ name: b.service.name, port: b.service.port && defined({ number: b.service.port.number, name: b.service.port.name }) }) };
}

function ingressSpec(s: Obj): Obj {
  return defined({
    ingressClassName: s.ingressClassName,
    defaultBackend: backendOf(s.defaultBackend),
    rules: list<Obj>(s.rule)?.map((r) =>
      defined({
        host: r.host,
        http: r.http && { paths: (list<Obj>(r.http.path) ?? []).map((p) => defined({ path: p.path, pathType: p.pathType, backend: backendOf(p.backend) })) },
      }),
    ),
    tls: list<Obj>(s.tls)?.map((t) => defined({ hosts: t.hosts, secretName: t.secretName })),
  });
}

/**
 * The object a typed resource creates, from its `metadata` and `spec` blocks as the program
 * gave them (camelCase, as the construct keeps them); undefined for another type.
 */
export function typedObject(terraformType: string, metadata: Obj | undefined, spec: Obj | undefined): KubeObject | undefined {
  const kind = TYPED_KINDS[terraformType];
  if (!kind || !metadata) return undefined;
  const object = kind === "Service"
    ? { apiVersion: "v1", kind, metadata: metadataOf(metadata), spec: serviceSpec(spec ?? {}) }
    : { apiVersion: "networking.k8s.io/v1", kind, metadata: metadataOf(metadata), spec: ingressSpec(spec ?? {}) };
  return object as KubeObject;
}
