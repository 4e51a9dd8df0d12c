// AlbController: the ALB controller installed by Pulumi, from the same objects `agc render
// install` prints (controller/install.ts), each a typed @pulumi/kubernetes resource so that
// dependencies hold and Deployments are awaited: the bootstrap's Deployment is ready once the
// CRDs are installed, so the GatewayClass (whose kind those CRDs define) is created after it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CONTROLLER_DEPLOYMENT, InstallOptions, installDependencies, installObjects, objectId } from "../controller/install";

type Obj = Record<string, any>;

/**
 * The install's options are plain values, not Inputs: they shape which objects exist, and
 * must be known when the program runs (at preview too).
 */
export interface AlbControllerArgs extends InstallOptions {
  /**
   * The cluster's kubeconfig (its contents or a file path), stored as a secret. Default: the
   * Kubernetes provider given in this component's options, else the ambient one (KUBECONFIG,
   * then ~/.kube/config).
   */
  kubeconfig?: pulumi.Input<string>;
}

type ObjectMeta = k8s.types.output.meta.v1.ObjectMeta;
/** A created object: its metadata (name, namespace) as the cluster answers it. */
type Created = pulumi.CustomResource & { metadata: pulumi.Output<ObjectMeta> };
type KubernetesResource = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => Created;

/** The typed class of each kind the install holds; any other kind is a CustomResource. */
const TYPED: Record<string, KubernetesResource> = {
  "v1/Namespace": k8s.core.v1.Namespace,
  "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
  "rbac.authorization.k8s.io/v1/ClusterRole": k8s.rbac.v1.ClusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding,
  "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
  "apps/v1/Deployment": k8s.apps.v1.Deployment,
  "networking.k8s.io/v1/IngressClass": k8s.networking.v1.IngressClass,
};

/** A Pulumi name for an object, unique per component: `<component>-<kind>-<name>`. */
const childName = (component: string, o: Obj) => `${component}-${String(o.kind).toLowerCase()}-${o.metadata.name}`;

export class AlbController extends pulumi.ComponentResource {
  /** The namespace of the controller's pods. */
  declare readonly namespace: pulumi.Output<string>;
  /** The alb-controller Deployment's name. */
  declare readonly deploymentName: pulumi.Output<string>;
  /** The GatewayClass whose Gateways the controller serves: `agc`. */
  declare readonly gatewayClassName: pulumi.Output<string>;
  /** The IngressClass whose Ingresses the controller serves: `agc`. */
  declare readonly ingressClassName: pulumi.Output<string>;

  constructor(name: string, args: AlbControllerArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super("agc:index:AlbController", name, {}, opts);
    const { kubeconfig, ...options } = args;
    // Invalid options fail here, at preview, with the option's name and what would be valid.
    const objects = installObjects(options);
    const provider = kubeconfig === undefined ? undefined : new k8s.Provider(`${name}-kubernetes`, { kubeconfig: pulumi.secret(kubeconfig) }, { parent: this });
    const dependencies = installDependencies(objects);
    const created = new Map<string, Created>();
    for (const o of objects) {
      const Resource = TYPED[`${o.apiVersion}/${o.kind}`];
      const resourceOptions: pulumi.CustomResourceOptions = { parent: this, provider, dependsOn: dependencies.get(objectId(o))!.map((id) => created.get(id)!) };
      created.set(objectId(o), Resource ? new Resource(childName(name, o), o, resourceOptions) : new k8s.apiextensions.CustomResource(childName(name, o), o as k8s.apiextensions.CustomResourceArgs, resourceOptions));
    }
    const named = (kind: string, pick: (o: Obj) => boolean = () => true) => {
      const o = objects.find((x) => x.kind === kind && pick(x))!;
      return created.get(objectId(o))!.metadata;
    };
    const controller = named("Deployment", (o) => o.metadata.name === CONTROLLER_DEPLOYMENT);
    this.namespace = controller.apply((m) => m.namespace);
    this.deploymentName = controller.apply((m) => m.name);
    this.gatewayClassName = named("GatewayClass").apply((m) => m.name);
    this.ingressClassName = named("IngressClass").apply((m) => m.name);
    this.registerOutputs({ namespace: this.namespace, deploymentName: this.deploymentName, gatewayClassName: this.gatewayClassName, ingressClassName: this.ingressClassName });
  }
}
