// The ALB controller installed by CDKTF, from the objects `agc render install` prints
// (controller/install.ts), each a kubernetes_manifest with the install's dependencies.
// Terraform plans a kubernetes_manifest against the cluster's API, so a kind must exist before
// the plan that creates an object of it: the GatewayClass, whose CRD the bootstrap pod
// installs, is therefore its own construct, for a stack applied after this one.
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { CONTROLLER_DEPLOYMENT, GATEWAY_CLASS, INGRESS_CLASS, InstallOptions, installDependencies, installObjects, objectId } from "../controller/install";
import { rolloutWait } from "./waits";

type Obj = Record<string, any>;

export interface AlbControllerProps extends InstallOptions {
  /** The Kubernetes provider to use. Default: the stack's default `kubernetes` provider. */
  readonly provider?: TerraformProvider;
}

/** A Terraform name for an object, unique in its construct: `<kind>-<name>`. */
const childId = (o: Obj) => `${String(o.kind).toLowerCase()}-${o.metadata.name}`;

/**
 * The controller, its bootstrap (which installs our CRDs and the Gateway API's), RBAC and the
 * IngressClass `agc`: every object of the install but the GatewayClass (see AlbGatewayClass).
 * The apply waits for both Deployments to roll out: the bootstrap is ready once the CRDs are in.
 */
export class AlbController extends Construct {
  /** The namespace of the controller's pods. */
  readonly namespace: string;
  /** The alb-controller Deployment's name. */
  readonly deploymentName: string;
  /** The IngressClass whose Ingresses the controller serves: `agc`. */
  readonly ingressClassName: string;
  /** Each object's kubernetes_manifest, by `<apiVersion>/<kind>/<namespace>/<name>`. */
  readonly manifests: ReadonlyMap<string, Manifest>;

  constructor(scope: Construct, id: string, props: AlbControllerProps = {}) {
    super(scope, id);
    const { provider, ...options } = props;
    // Invalid options throw here, naming the option, its value and what would be valid.
    const objects = installObjects(options).filter((o) => o.kind !== "GatewayClass");
    const dependencies = installDependencies(objects);
    const manifests = new Map<string, Manifest>();
    for (const o of objects) {
      const dependsOn: ITerraformDependable[] = dependencies.get(objectId(o))!.map((d) => manifests.get(d)!);
      manifests.set(objectId(o), new Manifest(this, childId(o), { manifest: o, provider, dependsOn, ...rolloutWait(o) }));
    }
    this.manifests = manifests;
    const controller = objects.find((o) => o.kind === "Deployment" && o.metadata.name === CONTROLLER_DEPLOYMENT)!;
    this.namespace = controller.metadata.namespace;
    this.deploymentName = controller.metadata.name;
    this.ingressClassName = INGRESS_CLASS;
  }
}

export interface AlbGatewayClassProps {
  /** The Kubernetes provider to use. Default: the stack's default `kubernetes` provider. */
  readonly provider?: TerraformProvider;
  /** Resources to create first. */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The GatewayClass `agc` of the install, in a stack applied after the one holding
 * AlbController: Terraform needs the GatewayClass kind, which the bootstrap installs, to plan it.
 */
export class AlbGatewayClass extends Construct {
  /** The GatewayClass whose Gateways the controller serves: `agc`. */
  readonly gatewayClassName = GATEWAY_CLASS;
  readonly manifest: Manifest;

  constructor(scope: Construct, id: string, props: AlbGatewayClassProps = {}) {
    super(scope, id);
    const gatewayClass = installObjects().find((o) => o.kind === "GatewayClass")!;
    this.manifest = new Manifest(this, "manifest", { manifest: gatewayClass, provider: props.provider, dependsOn: props.dependsOn });
  }
}
