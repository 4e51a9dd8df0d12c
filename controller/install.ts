// The objects that install the ALB controller, as plain manifests: the namespace, a
// ServiceAccount and least-privilege RBAC per pod, the alb-controller-bootstrap Deployment
// (installs and upgrades the CRDs), the alb-controller Deployment (leader-elected replicas),
// GatewayClass and IngressClass `agc`. Pure: the `AlbController` Pulumi component creates
// these objects, and `agc render install` prints them for Argo CD or Flux.
import { parsePrefix } from "../model/cidr";
import { CONTROLLER_IMAGE, DATAPLANE_IMAGE, IMAGE_GATEWAY_API_CRDS } from "../model/images";
import { DEFAULT_NAMESPACE } from "../model/kinds";
import { CONTROLLER_NAME } from "../translate";
import { DEFAULT_ADDRESS_POOL } from "./addresses";
import { DEFAULT_HEALTH_PORT } from "./health";
import { DEFAULT_LOG_LEVEL, LogLevel, parseLogLevel } from "./log";
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT } from "./pod-security";
import { BOOTSTRAP_RULES, CONTROLLER_RULES, LEADER_ELECTION_RULES, PolicyRule } from "./rbac";

type Obj = Record<string, any>;

export const CONTROLLER_DEPLOYMENT = "alb-controller";
export const BOOTSTRAP_DEPLOYMENT = "alb-controller-bootstrap";
/** The Role (and RoleBinding) for the leader Lease, in the controller's namespace. */
const LEADER_ELECTION_ROLE = "alb-controller-leader-election";
export const GATEWAY_CLASS = "agc";
export const INGRESS_CLASS = "agc";
export const DEFAULT_CONTROLLER_REPLICAS = 2;
export const IMAGE_PULL_POLICIES = ["Always", "IfNotPresent", "Never"] as const;
export type ImagePullPolicy = (typeof IMAGE_PULL_POLICIES)[number];
/** The local cluster's images are imported, never pulled: IfNotPresent runs them, and pulls elsewhere. */
export const DEFAULT_IMAGE_PULL_POLICY: ImagePullPolicy = "IfNotPresent";

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** No CPU limit: throttling a controller only delays it; memory is bounded. */
export const DEFAULT_CONTROLLER_RESOURCES: ResourceRequirements = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } };
const DEFAULT_BOOTSTRAP_RESOURCES: ResourceRequirements = { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } };

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  tolerationSeconds?: number;
}

export interface InstallOptions {
  /** The namespace of the controller, its bootstrap and the leader Lease. Default `agc-system`. */
  namespace?: string;
  /** Whether the Namespace object is part of the install (false when it is managed elsewhere). Default true. */
  createNamespace?: boolean;
  /** The image both pods run (`agc controller`). Default `agc.local/alb-controller:dev`, what `agc images` builds. */
  controllerImage?: string;
  /** The image of the data plane pods the controller creates per gateway. Default `agc.local/alb-dataplane:dev`. */
  dataplaneImage?: string;
  /** alb-controller replicas: one leads, the others stand by. Default 2. */
  replicas?: number;
  /** error, warn, info or debug. Default `info`. */
  logLevel?: LogLevel;
  /** The IPv4 range frontend Services' addresses come from. Default `10.245.0.0/24` (the local cluster routes it). */
  addressPool?: string;
  /** Node labels both pods must match. Default: none. */
  nodeSelector?: Record<string, string>;
  /** Taints both pods tolerate. Default: none. */
  tolerations?: Toleration[];
  /** The alb-controller container's requests and limits. Default: requests 100m CPU and 128Mi, limit 512Mi memory. */
  resources?: ResourceRequirements;
  /** The bootstrap container's requests and limits. Default: requests 20m CPU and 64Mi, limit 256Mi memory. */
  bootstrapResources?: ResourceRequirements;
  /** Always, IfNotPresent or Never. Default `IfNotPresent` (the local cluster imports its images and never pulls). */
  imagePullPolicy?: ImagePullPolicy;
}

/** The options with every default filled in. */
type InstallSettings = Required<InstallOptions>;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The options with their defaults; throws naming the option, its value and what would be valid. */
function installSettings(options: InstallOptions = {}): InstallSettings {
  const settings: InstallSettings = {
    namespace: options.namespace ?? DEFAULT_NAMESPACE,
    createNamespace: options.createNamespace ?? true,
    controllerImage: options.controllerImage ?? CONTROLLER_IMAGE,
    dataplaneImage: options.dataplaneImage ?? DATAPLANE_IMAGE,
    replicas: options.replicas ?? DEFAULT_CONTROLLER_REPLICAS,
    logLevel: options.logLevel ?? DEFAULT_LOG_LEVEL,
    addressPool: options.addressPool ?? DEFAULT_ADDRESS_POOL,
    nodeSelector: options.nodeSelector ?? {},
    tolerations: options.tolerations ?? [],
    resources: options.resources ?? DEFAULT_CONTROLLER_RESOURCES,
    bootstrapResources: options.bootstrapResources ?? DEFAULT_BOOTSTRAP_RESOURCES,
    imagePullPolicy: options.imagePullPolicy ?? DEFAULT_IMAGE_PULL_POLICY,
  };
  if (!DNS1123_LABEL.test(settings.namespace)) {
    throw new Error(`namespace '${settings.namespace}' is not a valid namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`);
  }
  if (!Number.isInteger(settings.replicas) || settings.replicas < 1) throw new Error(`replicas must be a whole number, 1 or more; got ${settings.replicas}`);
  parseLogLevel(settings.logLevel, "logLevel");
  if (!(IMAGE_PULL_POLICIES as readonly string[]).includes(settings.imagePullPolicy)) {
    throw new Error(`imagePullPolicy must be one of ${IMAGE_PULL_POLICIES.join(", ")}; got '${settings.imagePullPolicy}'`);
  }
  for (const key of ["controllerImage", "dataplaneImage"] as const) {
    if (typeof settings[key] !== "string" || !settings[key].trim()) throw new Error(`${key} must name an image; got '${settings[key]}'`);
  }
  const pool = parsePrefix(settings.addressPool);
  if (!pool.ok) throw new Error(`addressPool: ${pool.error}`);
  return settings;
}

/** Identifies each pod's objects; the Deployments select their pods by it. */
const labelsOf = (component: string) => ({ "app.kubernetes.io/name": component, "app.kubernetes.io/part-of": "pulumi-agc" });

const RBAC = "rbac.authorization.k8s.io/v1";

/** A ServiceAccount and its rules: a ClusterRole bound cluster-wide, or a Role bound in the namespace. */
function rbacObjects(kind: "ClusterRole" | "Role", name: string, rules: PolicyRule[], serviceAccount: string, namespace: string, labels: Obj): Obj[] {
  const scoped = kind === "Role" ? { namespace } : {};
  return [
    { apiVersion: RBAC, kind, metadata: { name, ...scoped, labels }, rules },
    {
      apiVersion: RBAC,
      kind: `${kind}Binding`,
      metadata: { name, ...scoped, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name },
      subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace }],
    },
  ];
}

const downward = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

/** What both pods need: identity from the downward API, probes on the pod IP, no root. */
function deployment(s: InstallSettings, name: string, replicas: number, args: string[], resources: ResourceRequirements, extraPodSpec: Obj = {}): Obj {
  const labels = labelsOf(name);
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: "health" },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: s.namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          securityContext: POD_SECURITY_CONTEXT,
          ...(Object.keys(s.nodeSelector).length ? { nodeSelector: s.nodeSelector } : {}),
          ...(s.tolerations.length ? { tolerations: s.tolerations } : {}),
          ...extraPodSpec,
          containers: [
            {
              name,
              image: s.controllerImage,
              imagePullPolicy: s.imagePullPolicy,
              // The image's entrypoint is `agc controller`; $(POD_IP) is expanded by the kubelet.
              args: [...args, "--health-port", String(DEFAULT_HEALTH_PORT), "--health-address", "$(POD_IP)", "--log-level", s.logLevel],
              env: [downward("POD_NAME", "metadata.name"), downward("POD_NAMESPACE", "metadata.namespace"), downward("POD_IP", "status.podIP")],
              ports: [{ name: "health", containerPort: DEFAULT_HEALTH_PORT, protocol: "TCP" }],
              readinessProbe: probe("/readyz", 5, 2),
              livenessProbe: probe("/healthz", 10, 3),
              resources,
              securityContext: CONTAINER_SECURITY_CONTEXT,
            },
          ],
        },
      },
    },
  };
}

/** Argo CD: create after the Deployments are healthy (the bootstrap has installed the CRDs), and do not dry-run a kind not served yet. */
const AFTER_CRDS = { "argocd.argoproj.io/sync-wave": "1", "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" };

/** Every object of the install, in the order they can be applied. */
export function installObjects(options: InstallOptions = {}): Obj[] {
  const s = installSettings(options);
  const { namespace } = s;
  const controllerLabels = labelsOf(CONTROLLER_DEPLOYMENT);
  const bootstrapLabels = labelsOf(BOOTSTRAP_DEPLOYMENT);
  const serviceAccount = (name: string, labels: Obj) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace, labels } });

  const bootstrap = deployment(s, BOOTSTRAP_DEPLOYMENT, 1, ["bootstrap", "--gateway-api-crds", IMAGE_GATEWAY_API_CRDS], s.bootstrapResources);
  const controllerArgs = [
    "--leader-elect", "--lease-namespace", namespace,
    // The bootstrap owns the CRDs; these pods may not write them.
    "--no-install-crds",
    "--address-pool", s.addressPool,
    "--dataplane-image", s.dataplaneImage,
  ];
  // Replicas on different nodes where there are several: a node lost takes only one.
  const spread = {
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: controllerLabels } } },
        ],
      },
    },
  };
  const controller = deployment(s, CONTROLLER_DEPLOYMENT, s.replicas, controllerArgs, s.resources, spread);

  return [
    ...(s.createNamespace ? [{ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { "app.kubernetes.io/part-of": "pulumi-agc" } } }] : []),
    serviceAccount(BOOTSTRAP_DEPLOYMENT, bootstrapLabels),
    ...rbacObjects("ClusterRole", BOOTSTRAP_DEPLOYMENT, BOOTSTRAP_RULES, BOOTSTRAP_DEPLOYMENT, namespace, bootstrapLabels),
    serviceAccount(CONTROLLER_DEPLOYMENT, controllerLabels),
    ...rbacObjects("ClusterRole", CONTROLLER_DEPLOYMENT, CONTROLLER_RULES, CONTROLLER_DEPLOYMENT, namespace, controllerLabels),
    ...rbacObjects("Role", LEADER_ELECTION_ROLE, LEADER_ELECTION_RULES, CONTROLLER_DEPLOYMENT, namespace, controllerLabels),
    bootstrap,
    controller,
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: GATEWAY_CLASS, annotations: AFTER_CRDS },
      spec: { controllerName: CONTROLLER_NAME, description: "Application Gateway for Containers, self-hosted (pulumi-agc)" },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "IngressClass",
      metadata: { name: INGRESS_CLASS, annotations: AFTER_CRDS },
      spec: { controller: CONTROLLER_NAME },
    },
  ];
}

/** namespace/name or name of an object, with its kind: how a dependency is named. */
export const objectId = (o: Obj) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

/**
 * What each object must wait for, by objectId: namespaced objects for their Namespace; each
 * Deployment for its pods' ServiceAccount and RBAC (the objects with its name label); the
 * controller and the classes for the bootstrap being ready, that is the CRDs installed (its
 * informers find them; the GatewayClass kind exists).
 */
export function installDependencies(objects: Obj[]): Map<string, string[]> {
  const nameLabel = (o: Obj) => o.metadata.labels?.["app.kubernetes.io/name"];
  const bootstrap = objects.filter((o) => o.kind === "Deployment" && o.metadata.name === BOOTSTRAP_DEPLOYMENT).map(objectId);
  const dependencies = new Map<string, string[]>();
  for (const o of objects) {
    const namespace: string | undefined = o.metadata.namespace;
    const wanted = namespace ? objects.filter((n) => n.kind === "Namespace" && n.metadata.name === namespace).map(objectId) : [];
    if (o.kind === "Deployment") wanted.push(...objects.filter((r) => r.kind !== "Deployment" && r.kind !== "Namespace" && nameLabel(r) === nameLabel(o)).map(objectId));
    if ((o.kind === "Deployment" && o.metadata.name === CONTROLLER_DEPLOYMENT) || o.kind === "GatewayClass" || o.kind === "IngressClass") wanted.push(...bootstrap);
    dependencies.set(objectId(o), wanted);
  }
  return dependencies;
}
