// What the cluster should hold for one data plane, as plain objects: the ConfigMap with its IR,
// the agent's ServiceAccount, Roles and RoleBindings, the Deployment, and one LoadBalancer
// Service per frontend. Pure: the controller applies them (server-side apply) and owner
// references let the garbage collector remove them with their owner.
import { createHash } from "crypto";
import { GatewayIr, IR_CONFIGMAP_KEY, IR_REVISION_ANNOTATION } from "../model/ir";
import { DATAPLANE_IMAGE } from "../model/images";
import { MANAGED_BY_LABEL, shortHash } from "../model/kinds";
import { Dataplane, DataplaneOwnerKind, FrontendService } from "../translate";
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT } from "./pod-security";
import { canonical } from "./status";

type Obj = Record<string, any>;

export const DEFAULT_DATAPLANE_REPLICAS = 2;
/** The class our LoadBalancer Services carry, so no other load balancer controller takes them. */
export const LOAD_BALANCER_CLASS = "alb.agc.dev/alb";
export const FIELD_MANAGER = "alb-controller";
/** Names the data plane an object belongs to; the Deployment's pods are selected by it. */
export const DATAPLANE_LABEL = "alb.agc.dev/dataplane";
/** The hash of what the controller last applied: a missing or different one means apply again. */
export const APPLIED_HASH_ANNOTATION = "alb.agc.dev/applied-hash";
/** On a frontend Service: the translate address key its address is reported under. */
export const ADDRESS_KEY_ANNOTATION = "alb.agc.dev/address-key";
export const ADMIN_PORT = 9901;
/** The agent's /healthz, /readyz and /backends on the pod's address, for the kubelet and operators. */
export const PROBE_PORT = 9902;
/** The HAProxy container's /healthz (its supervisor, `agc dataplane proxy`), for the kubelet. */
export const PROXY_PROBE_PORT = 9903;
/** The emptyDir both containers share: configuration, maps, certificates, master, stats and access log sockets. */
export const RUNTIME_DIR = "/run/agc";

/** The data plane image: `agc images` builds it under this name. */
export const DEFAULT_DATAPLANE_IMAGE = DATAPLANE_IMAGE;

export interface DataplaneSettings {
  image: string;
  replicas: number;
  /** The managed-by label's value (see managedByValue). */
  managedBy: string;
}

/** A controllerName as a label value: '/' becomes '_'; a name too long for a label ends in a hash. */
export function managedByValue(controllerName: string): string {
  const value = controllerName.replace(/[^A-Za-z0-9_.-]/g, "_");
  return value.length <= 63 ? value : `${value.slice(0, 52)}-${shortHash(controllerName)}`;
}

/** An object an owner reference can name. */
export interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** The revision of an IR document: a hash of everything but the revision itself. */
export function irRevision(ir: GatewayIr): string {
  const { revision: _ignored, ...document } = ir;
  return createHash("sha256").update(canonical(document)).digest("hex").slice(0, 16);
}

const KIND_PREFIX: Record<DataplaneOwnerKind | FrontendService["kind"], string> = {
  TrafficController: "alb-tc",
  Gateway: "alb-gw",
  Ingress: "alb-ing",
  Frontend: "alb-fe",
};

/** A DNS-1035 label (Service names need one) for a kind's object; long names end in a hash. */
export function managedName(kind: keyof typeof KIND_PREFIX, name: string): string {
  const full = `${KIND_PREFIX[kind]}-${name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
  if (full.length <= 63 && full === `${KIND_PREFIX[kind]}-${name}`) return full;
  return `${full.slice(0, 52).replace(/-+$/, "")}-${shortHash(`${kind}/${name}`)}`;
}

/** The name shared by a data plane's ConfigMap, ServiceAccount, Roles, Deployment and pods' label. */
export const dataplaneName = (dp: Pick<Dataplane, "owner">) => managedName(dp.owner.kind, dp.owner.name);

const ownerReference = (owner: OwnerRef) => ({ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true });

/** The same object with the hash of its content in an annotation. */
function withAppliedHash(object: Obj): Obj {
  const hash = createHash("sha256").update(canonical(object)).digest("hex").slice(0, 16);
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [APPLIED_HASH_ANNOTATION]: hash } } };
}

/** Whether the cluster's copy (from a watch) lags what is desired: missing, or applied from other content. */
export function needsApply(desired: Obj, cached: Obj | undefined): boolean {
  return cached?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] !== desired.metadata.annotations[APPLIED_HASH_ANNOTATION];
}

/**
 * An HTTP probe of a probe port (the agent's admin server listens on loopback only, which the
 * kubelet cannot reach). HTTP, not exec: a probe that starts a process every few seconds per
 * pod starves a busy node.
 */
function httpProbe(port: number, path: string, periodSeconds: number, failureThreshold: number): Obj {
  return { httpGet: { path, port }, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

/**
 * Every object of one data plane. `owners` gives each object's owner: the data plane's owner
 * for most, the Frontend (or managed Gateway/Ingress) for its Service.
 */
export function dataplaneObjects(dp: Dataplane, revision: string, settings: DataplaneSettings, owners: { dataplane: OwnerRef; services: Record<string, OwnerRef> }): Obj[] {
  const name = dataplaneName(dp);
  const namespace = dp.owner.namespace;
  const labels = { [MANAGED_BY_LABEL]: settings.managedBy, "app.kubernetes.io/name": "alb-dataplane", [DATAPLANE_LABEL]: name };
  const meta = (objectNamespace: string, objectName: string, owner?: OwnerRef) => ({
    name: objectName,
    namespace: objectNamespace,
    labels,
    // Owner references cannot cross namespaces: those objects are removed by the controller.
    ...(owner && objectNamespace === namespace ? { ownerReferences: [ownerReference(owner)] } : {}),
  });
  const own = (objectName: string) => meta(namespace, objectName, owners.dataplane);

  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { ...own(name), annotations: { [IR_REVISION_ANNOTATION]: revision } },
    data: { [IR_CONFIGMAP_KEY]: `${JSON.stringify({ ...dp.ir, revision }, null, 2)}\n` },
  };
  const serviceAccount = { apiVersion: "v1", kind: "ServiceAccount", metadata: own(name) };

  // The agent follows its ConfigMap and its certificates' Secrets (a list and a watch by name:
  // resourceNames allow both with a metadata.name field selector), and annotates its own pod.
  const secretsByNamespace = new Map<string, string[]>();
  for (const ref of dp.secrets) {
    const [ns, secret] = ref.split("/");
    secretsByNamespace.set(ns, [...(secretsByNamespace.get(ns) ?? []), secret]);
  }
  const namespaces = [namespace, ...[...secretsByNamespace.keys()].filter((ns) => ns !== namespace).sort()];
  const rbac = namespaces.flatMap((ns) => {
    const rules = [
      ...(ns === namespace ? [
        { apiGroups: [""], resources: ["configmaps"], resourceNames: [name], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "patch"] },
      ] : []),
      ...(secretsByNamespace.has(ns) ? [{ apiGroups: [""], resources: ["secrets"], resourceNames: secretsByNamespace.get(ns), verbs: ["get", "list", "watch"] }] : []),
    ];
    return [
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta(ns, name, owners.dataplane), rules },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: meta(ns, name, owners.dataplane),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
        subjects: [{ kind: "ServiceAccount", name, namespace }],
      },
    ];
  });

  const containerPorts = [...new Set(dp.services.flatMap((s) => s.ports.map((p) => p.targetPort)))].sort((a, b) => a - b);
  const downward = (envName: string, fieldPath: string) => ({ name: envName, valueFrom: { fieldRef: { fieldPath } } });
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: own(name),
    spec: {
      replicas: settings.replicas,
      selector: { matchLabels: { [DATAPLANE_LABEL]: name } },
      template: {
        // `kubectl logs` without -c shows the agent: the access log and what it applied.
        metadata: { labels, annotations: { "kubectl.kubernetes.io/default-container": "agent" } },
        spec: {
          serviceAccountName: name,
          securityContext: POD_SECURITY_CONTEXT,
          // HAProxy and the agent in separate containers, so that an agent restart (a crash, a
          // failed liveness probe, an upgrade) leaves HAProxy and its connections alone. They
          // meet only in the shared runtime directory, through files and unix sockets: no
          // shared process namespace is needed.
          volumes: [{ name: "runtime", emptyDir: {} }],
          containers: [
            {
              name: "agent",
              image: settings.image,
              // The image's entrypoint is `agc dataplane`: the agent, here driving the HAProxy of the other container.
              args: [
                "--configmap", `${namespace}/${name}`, "--admin-port", String(ADMIN_PORT), "--probe-port", String(PROBE_PORT),
                "--runtime-dir", RUNTIME_DIR, "--external-haproxy",
              ],
              env: [downward("POD_NAME", "metadata.name"), downward("POD_NAMESPACE", "metadata.namespace")],
              readinessProbe: httpProbe(PROBE_PORT, "/readyz", 2, 2),
              livenessProbe: httpProbe(PROBE_PORT, "/healthz", 10, 3),
              volumeMounts: [{ name: "runtime", mountPath: RUNTIME_DIR }],
              securityContext: CONTAINER_SECURITY_CONTEXT,
            },
            {
              name: "haproxy",
              image: settings.image,
              // `agc dataplane proxy`: runs HAProxy once the agent wrote a first configuration, restarts it if it dies.
              args: ["proxy", "--runtime-dir", RUNTIME_DIR, "--probe-port", String(PROXY_PROBE_PORT)],
              ports: containerPorts.map((containerPort) => ({ containerPort, protocol: "TCP" })),
              livenessProbe: httpProbe(PROXY_PROBE_PORT, "/healthz", 10, 3),
              volumeMounts: [{ name: "runtime", mountPath: RUNTIME_DIR }],
              securityContext: CONTAINER_SECURITY_CONTEXT,
            },
          ],
        },
      },
    },
  };

  const services = dp.services.map((s) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      ...meta(s.namespace, managedName(s.kind, s.name), owners.services[s.addressKey] ?? owners.dataplane),
      annotations: { [ADDRESS_KEY_ANNOTATION]: s.addressKey },
    },
    spec: {
      type: "LoadBalancer",
      loadBalancerClass: LOAD_BALANCER_CLASS,
      allocateLoadBalancerNodePorts: false,
      selector: { [DATAPLANE_LABEL]: name },
      ports: s.ports.map((p) => ({ name: `tcp-${p.port}`, protocol: "TCP", port: p.port, targetPort: p.targetPort })),
    },
  }));

  return [configMap, serviceAccount, ...rbac, deployment, ...services].map(withAppliedHash);
}
