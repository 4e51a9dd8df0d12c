// The four resources of the gateway's control plane as CDKTF constructs: each is one
// kubernetes_manifest of the custom resource the Pulumi resource would apply (model/bindings),
// waiting for the controller's `Succeeded` as the Pulumi provider does, and a kubernetes_resource
// data source that reads its status back for the outputs. Same inputs, same rules, same
// outputs, as Terraform references.
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { DataKubernetesResource } from "@cdktf/provider-kubernetes/lib/data-kubernetes-resource";
import { Annotations, Fn, ITerraformDependable, TerraformProvider, TerraformStack, Token } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { BINDINGS, Inputs, desiredObject, idOf, namespaceOf, objectName, patchForce } from "../model/bindings";
import { API_VERSION, DEFAULT_NAMESPACE, KINDS, KindName, formatId } from "../model/kinds";
import { PLANNED_PROPERTIES, PlannedResource, REFERENCES, ReferenceProperty, describeRules, keyOfId } from "../model/rules";
import { PlannedConstruct, enableChecks, markOwner, stackOwner, planProblemsOf } from "./checks";
import { constructOfId, registerId, synthValue } from "./references";
import { succeededWait } from "./waits";

/** What every construct of this package accepts besides its own properties. */
export interface CommonProps {
  /**
   * The AGC name (1-64 characters: letters, digits, `_`, `.`, `-`; starting and ending with a
   * letter or digit). Default: the construct's id.
   */
  readonly name?: string;
  /** The Kubernetes namespace of the custom resource. Default: `agc-system`. */
  readonly namespace?: string;
  /** How long create and update wait for the controller's `Succeeded`. Default: 300 seconds. */
  readonly timeoutSeconds?: number;
  /**
   * Annotations on the custom resource. `pulumi.com/patchForce: "true"` takes over fields another
   * field manager has set (the manifest's `field_manager.force_conflicts`).
   */
  readonly annotations?: Record<string, string>;
  /** The Kubernetes provider to use. Default: the stack's default `kubernetes` provider. */
  readonly provider?: TerraformProvider;
  /** Resources to create first, besides the gateway or subnet a reference names. */
  readonly dependsOn?: ITerraformDependable[];
}

export interface TrafficControllerProps extends CommonProps {
  /** The region, e.g. `westeurope`. Changing it replaces the gateway. */
  readonly location: string;
  /** Tags (string values). Default: none. */
  readonly tags?: Record<string, string>;
}

export interface FrontendProps extends CommonProps {
  /** The gateway's id (`gw.id`). */
  readonly trafficControllerId: string;
  /** `public` (the default). `private` is not supported yet and is refused at synth. */
  readonly type?: "public" | "private";
  readonly tags?: Record<string, string>;
}

export interface AssociationProps extends CommonProps {
  /** The gateway's id (`gw.id`). */
  readonly trafficControllerId: string;
  /** The delegated subnet's id (`subnet.id`). */
  readonly subnetId: string;
  /** Only `subnets` exists. Default: `subnets`. */
  readonly associationType?: "subnets";
  readonly tags?: Record<string, string>;
}

export interface SubnetDelegationProps extends CommonProps {
  /** The region, e.g. `westeurope`; associations must be in their gateway's region. */
  readonly location: string;
  /** The virtual network's name. Default: `default`. */
  readonly virtualNetworkName?: string;
  /** The virtual network's address space, e.g. `["10.1.0.0/16"]`. */
  readonly virtualNetworkAddressSpace: string[];
  /** The subnet, e.g. `10.1.0.0/24`: 256 addresses per association it will hold. */
  readonly addressPrefix: string;
  /** The service the subnet is delegated to. Default: `Microsoft.ServiceNetworking/trafficControllers`. */
  readonly delegation?: string;
}

/** Where a reference input's object name goes in the custom resource's spec. */
const REFERENCE_FIELDS: Record<string, string> = { trafficControllerId: "trafficControllerRef", subnetId: "subnetRef" };

/** The `id`s of the stack's constructs are known at synth: what the rules see in their place. */
function literalIdOf(stack: IConstruct, token: string): string | undefined {
  const construct = constructOfId(stack, token);
  return construct instanceof AgcResource ? construct.literalId : undefined;
}

/**
 * What `scope` waits for among `manifests`: those of its own stack as `depends_on`; another
 * stack's by the stacks' order (Terraform knows no resource of another configuration).
 */
export function createdBefore(scope: IConstruct, manifests: Manifest[]): Manifest[] {
  const stack = TerraformStack.of(scope);
  const here = manifests.filter((m) => TerraformStack.of(m) === stack);
  for (const m of manifests) if (!here.includes(m)) stack.addDependency(TerraformStack.of(m));
  return here;
}

/** What the four kinds share: the manifest, the status read-back, the checks. */
export abstract class AgcResource extends Construct implements PlannedConstruct, ITerraformDependable {
  /** `<namespace>/<plural>/<name>`, as a Terraform reference to the created object. */
  readonly id: string;
  /** Provisioning, Updating, Deleting, Accepted, Succeeded, Failed or Canceled. */
  readonly provisioningState: string;
  /** The AGC name. */
  readonly name: string;
  /** The namespace of the custom resource. */
  readonly namespace: string;
  /** The kubernetes_manifest resource that applies the custom resource. */
  readonly manifest: Manifest;
  /** The kubernetes_resource data source its outputs are read from, once the controller is done. */
  readonly status: DataKubernetesResource;
  /** The id, known at synth (the object is named after the construct): its inventory key. */
  readonly literalId: string;

  private readonly inputs: Inputs;
  private readonly ownProblems: string[];

  protected constructor(scope: Construct, constructId: string, readonly kind: KindName, props: CommonProps, own: Inputs) {
    super(scope, constructId);
    markOwner(this);
    enableChecks(this);
    const stack = TerraformStack.of(this);
    const given = { name: props.name ?? constructId, namespace: props.namespace ?? DEFAULT_NAMESPACE, annotations: props.annotations, ...own };
    this.inputs = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
    this.name = String(props.name ?? constructId);
    this.namespace = namespaceOf(this.inputs);
    this.literalId = idOf(kind, this.inputs);

    const binding = BINDINGS[kind];
    const seen = synthValue(this.inputs, (token) => literalIdOf(stack, token)) as Inputs;
    this.ownProblems = binding.check(seen, constructId).map((v) => v.message);
    this.warnUntraced(stack);

    const references = REFERENCES[kind].map((r) => constructOfId(stack, this.inputs[r.property])).filter((c): c is AgcResource => c instanceof AgcResource);
    const dependsOn = [...createdBefore(this, references.map((r) => r.manifest)), ...(props.dependsOn ?? [])];
    // With a problem, the object may not be buildable (a reference that is no id): synth fails
    // with the problem, so a stub stands in.
    this.manifest = new Manifest(this, "manifest", {
      manifest: this.ownProblems.length === 0 ? this.object(stack) : { apiVersion: API_VERSION, kind, metadata: { name: objectName(this.inputs), namespace: this.namespace } },
      ...succeededWait(props.timeoutSeconds),
      ...(patchForce(this.inputs) ? { fieldManager: { forceConflicts: true } } : {}),
      provider: props.provider,
      dependsOn,
    });
    this.status = new DataKubernetesResource(this, "status", {
      apiVersion: API_VERSION,
      kind,
      metadata: { name: objectName(this.inputs), namespace: this.namespace },
      provider: props.provider,
      dependsOn: [this.manifest],
    });
    const attribute = (path: string) => Token.asString(this.manifest.interpolationForAttribute(path));
    this.id = `${attribute("object.metadata.namespace")}/${KINDS[kind].plural}/${attribute("object.metadata.name")}`;
    registerId(this.id, this);
    this.provisioningState = this.statusAttribute("provisioningState");
    this.node.addValidation({ validate: () => [...this.ownProblems, ...planProblemsOf(this)] });
  }

  /** A field of the object's status, as a Terraform reference. */
  protected statusAttribute(field: string): string {
    return Token.asString(this.status.interpolationForAttribute(`object.status.${field}`));
  }

  /** What `dependsOn` names: its manifest, so that what depends on it waits for `Succeeded`. */
  get fqn(): string {
    return this.manifest.fqn;
  }

  plan(): PlannedResource {
    const stack = TerraformStack.of(this);
    const props: Inputs = { name: this.inputs.name, namespace: this.inputs.namespace };
    for (const p of PLANNED_PROPERTIES[this.kind]) props[p] = synthValue(this.inputs[p]);
    const references = Object.fromEntries(REFERENCES[this.kind].map((r) => [r.property, this.referenceKey(stack, r)]));
    return { kind: this.kind, declaredName: this.node.id, props, references };
  }

  private referenceKey(stack: IConstruct, ref: ReferenceProperty): string | undefined {
    const value = this.inputs[ref.property];
    const construct = constructOfId(stack, value);
    if (construct instanceof AgcResource) return construct.kind === ref.kind ? construct.literalId : undefined;
    return typeof value === "string" && !Token.isUnresolved(value) ? keyOfId(value, ref.kind) : undefined;
  }

  /**
   * The custom resource: references to this stack's constructs as their literal ids (the
   * manifest then depends on theirs); any other reference is Terraform's to resolve, its name
   * taken from the id at apply.
   */
  private object(stack: IConstruct): Record<string, unknown> {
    const inputs: Inputs = { ...this.inputs, owner: stackOwner(this) };
    const late: [string, string][] = [];
    for (const { property, kind } of REFERENCES[this.kind]) {
      const value = inputs[property];
      if (typeof value !== "string" || !Token.isUnresolved(value)) continue;
      const literal = literalIdOf(stack, value);
      if (literal !== undefined) {
        inputs[property] = literal;
      } else {
        inputs[property] = formatId(kind, this.namespace, "unresolved");
        late.push([REFERENCE_FIELDS[property]!, value]);
      }
    }
    const object = desiredObject(BINDINGS[this.kind], inputs) as { spec: Record<string, unknown> };
    for (const [field, token] of late) object.spec[field] = { name: Token.asString(Fn.element(Fn.split("/", token), 2)) };
    return object;
  }

  /** A reference Terraform resolves at apply names no construct: the rules that need it wait for the controller. */
  private warnUntraced(stack: IConstruct): void {
    for (const ref of REFERENCES[this.kind]) {
      const value = this.inputs[ref.property];
      if (typeof value === "string" && Token.isUnresolved(value) && literalIdOf(stack, value) === undefined) {
        Annotations.of(this).addWarning(untracedReferenceWarning(this.kind, this.name, ref));
      }
    }
  }
}

/** What synth says when a reference is a Terraform expression rather than a construct's `id`. */
export function untracedReferenceWarning(kind: KindName, name: string, reference: ReferenceProperty): string {
  return (
    `${kind} '${name}': property ${reference.property}: cannot tell which ${reference.kind} it names: it is a Terraform expression ` +
    `(a variable, a function), not the \`id\` of a ${reference.kind} of this app. ` +
    `Skipped at synth for this ${kind}: ${describeRules(reference.rules)}; the controller still checks them at apply. ` +
    `To have them checked at synth, pass the ${reference.kind}'s \`id\` itself.`
  );
}

/** A gateway (Azure: Microsoft.ServiceNetworking/trafficControllers). */
export class TrafficController extends AgcResource {
  /** Host names the controller pushes configuration to. */
  readonly configurationEndpoints: string[];
  readonly location: string;

  constructor(scope: Construct, id: string, props: TrafficControllerProps) {
    super(scope, id, "TrafficController", props, { location: props.location, tags: props.tags });
    this.location = props.location;
    this.configurationEndpoints = Token.asList(this.status.interpolationForAttribute("object.status.configurationEndpoints"));
  }
}

/** An entry point of a gateway, with its own generated host name. */
export class Frontend extends AgcResource {
  /** The generated, unique and stable host name clients connect to. */
  readonly fqdn: string;

  constructor(scope: Construct, id: string, props: FrontendProps) {
    super(scope, id, "Frontend", props, { trafficControllerId: props.trafficControllerId, type: props.type, tags: props.tags });
    this.fqdn = this.statusAttribute("fqdn");
  }
}

/** Attaches a gateway to a delegated subnet. */
export class Association extends AgcResource {
  /** The 256-address block of the subnet reserved for this association. */
  readonly allocatedPrefix: string;

  constructor(scope: Construct, id: string, props: AssociationProps) {
    const own = { trafficControllerId: props.trafficControllerId, subnetId: props.subnetId, associationType: props.associationType, tags: props.tags };
    super(scope, id, "Association", props, own);
    this.allocatedPrefix = this.statusAttribute("allocatedPrefix");
  }
}

/** A virtual network subnet delegated to the gateway service. */
export class SubnetDelegation extends AgcResource {
  constructor(scope: Construct, id: string, props: SubnetDelegationProps) {
    super(scope, id, "SubnetDelegation", props, {
      location: props.location,
      virtualNetworkName: props.virtualNetworkName,
      virtualNetworkAddressSpace: props.virtualNetworkAddressSpace,
      addressPrefix: props.addressPrefix,
      delegation: props.delegation,
    });
  }
}
