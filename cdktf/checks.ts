// The rules `pulumi preview` runs, run by `cdktf synth` as construct validations: per resource
// (in each construct), across the resources of a stack (limits per gateway, subnet budgets,
// overlaps, region), and the controller's rules over the Kubernetes objects the stack declares
// (kubernetes_manifest resources, ours and the user's; typed Services and Ingresses). A failed
// rule fails the synth with the same code and message as at preview, under the construct it names.
import { Annotations, Aspects, IAspect, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { KindName } from "../model/kinds";
import { inventoryFromObjects } from "../model/objects";
import {
  EMPTY_INVENTORY,
  Inventory,
  PlannedResource,
  Violation,
  checkInventory,
  clusterUnreadWarning,
  containsUnknown,
  inventoryFromPlan,
  mergeInventories,
  plannedName,
} from "../model/rules";
import { KubeObject } from "../translate";
import { DeclaredObject, TRANSLATED_KINDS, declaredObjectViolations, plannedObject } from "../sdk/declaredObjects";
import { ClusterAccess, readClusterSync } from "./clusterRead";
import { TYPED_KINDS, typedObject } from "./typedResources";
import { synthValue } from "./references";

/** The context key that turns the cluster read off: `new App({ context: { [READ_CLUSTER_CONTEXT]: false } })`. */
export const READ_CLUSTER_CONTEXT = "agc:readCluster";

/** Marks the constructs of this package that own what they make: problems are reported under them. */
const OWNER = Symbol.for("pulumi-agc/cdktf/owner");

/** One of the four kinds, as the checks across resources see it. */
export interface PlannedConstruct extends IConstruct {
  readonly kind: KindName;
  /** Its inputs as known at synth, references followed to the constructs they name. */
  plan(): PlannedResource;
}

export function markOwner(construct: IConstruct): void {
  (construct as unknown as Record<symbol, boolean>)[OWNER] = true;
}

const isOwner = (c: IConstruct) => (c as unknown as Record<symbol, boolean>)[OWNER] === true;

/** The construct a problem of `c` is reported under: the nearest of ours above it, else itself. */
function ownerOf(c: IConstruct): IConstruct {
  return [...c.node.scopes].reverse().find(isOwner) ?? c;
}

/** The stack's `owner` annotation value: its objects in the cluster are what it declares now. */
export function stackOwner(scope: IConstruct): string {
  return `cdktf/${TerraformStack.of(scope).node.id}`;
}

const isPlanned = (c: IConstruct): c is PlannedConstruct => isOwner(c) && typeof (c as Partial<PlannedConstruct>).plan === "function";

const terraformTypeOf = (c: IConstruct) => (c as { terraformResourceType?: string }).terraformResourceType;

/** Whether the construct creates a Kubernetes object translation may read: a kubernetes_manifest, a typed Service or Ingress. */
const declaresObject = (c: IConstruct) => {
  const type = terraformTypeOf(c);
  return type === "kubernetes_manifest" || (type !== undefined && type in TYPED_KINDS);
};

/** The object a construct declares, as its inputs stand at synth (tokens still in it). */
function declaredObjectOf(c: IConstruct): KubeObject | undefined {
  const inputs = c as { manifestInput?: Record<string, unknown>; metadataInput?: Record<string, any>; specInput?: Record<string, any> };
  const type = terraformTypeOf(c)!;
  return type === "kubernetes_manifest" ? (inputs.manifestInput as KubeObject | undefined) : typedObject(type, inputs.metadataInput, inputs.specInput);
}

/**
 * Each stack's problems across the app, by construct: computed by the first validation of a
 * synth, forgotten when the next synth of the stack begins (its aspect visits the stack first).
 */
const computed = new WeakMap<TerraformStack, Map<IConstruct, string[]>>();

/**
 * The problems across the app's resources that `construct` is reported for. The app's stacks
 * are one plan: a gateway of one stack counts the frontends of another. The cluster is read
 * through the construct's stack's provider.
 */
export function planProblemsOf(construct: IConstruct): string[] {
  const stack = TerraformStack.of(construct);
  let problems = computed.get(stack);
  if (!problems) computed.set(stack, (problems = planProblems(stack)));
  return problems.get(construct) ?? [];
}

function planProblems(stack: TerraformStack): Map<IConstruct, string[]> {
  const all = stack.node.root.node.findAll();
  const resources = all.filter(isPlanned);
  const plan = resources.map((r) => r.plan());
  const existing = existingInventory(stack);
  const byConstruct = new Map<IConstruct, string[]>();
  const report = (owner: IConstruct | undefined, v: Violation) => {
    if (!owner) return; // a resource in the cluster: its problems are its stack's
    const list = byConstruct.get(owner) ?? [];
    if (!list.includes(v.message)) list.push(v.message);
    byConstruct.set(owner, list);
  };
  // With the cluster read, every parent is declared here or exists there (AGC022 applies).
  const inventory = mergeInventories(inventoryFromPlan(plan), existing.inventory);
  for (const v of checkInventory(inventory, { strictReferences: existing.complete })) {
    report(resources.find((r, i) => r.kind === v.resource.kind && plannedName(plan[i]!.declaredName, plan[i]!.props) === v.resource.name), v);
  }
  for (const { violation, owner } of kubernetesViolations(all, resources, plan)) report(owner, violation);
  return byConstruct;
}

/**
 * The controller's rules over every object of the app (kubernetes_manifest, typed Service
 * or Ingress) known at synth. As at preview, our four kinds alone break none of them: without
 * another object, nothing is translated.
 */
function kubernetesViolations(all: IConstruct[], resources: PlannedConstruct[], plan: PlannedResource[]) {
  const theirs: DeclaredObject<IConstruct>[] = [];
  for (const c of all) {
    if (!declaresObject(c) || c.node.scopes.some(isPlanned)) continue;
    const object = synthValue(declaredObjectOf(c)) as KubeObject | undefined;
    if (!object || containsUnknown(object) || !TRANSLATED_KINDS.has(String(object.kind)) || typeof object.metadata?.name !== "string") continue;
    theirs.push({ object, owner: ownerOf(c) });
  }
  if (theirs.length === 0) return [];
  const ours = plan.flatMap((p, i) => {
    const object = plannedObject(p);
    return object ? [{ object, owner: resources[i] as IConstruct }] : [];
  });
  return declaredObjectViolations([...ours, ...theirs]);
}

/** What other stacks created, when the cluster can be read; a warning on the stack when not. */
function existingInventory(stack: TerraformStack): { inventory: Inventory; complete: boolean } {
  if (stack.node.tryGetContext(READ_CLUSTER_CONTEXT) === false) return { inventory: EMPTY_INVENTORY, complete: false };
  // What the app's stacks created is what they declare now: not counted twice.
  const owners = stack.node.root.node.findAll().filter(TerraformStack.isStack).map(stackOwner);
  const read = readClusterSync(clusterAccess(stack), owners);
  if ("objects" in read) return { inventory: inventoryFromObjects(read.objects), complete: true };
  Annotations.of(stack).addWarning(clusterUnreadWarning(read.error));
  return { inventory: EMPTY_INVENTORY, complete: false };
}

/** The kubeconfig file and context of the stack's Kubernetes provider (the default one, not an alias). */
function clusterAccess(stack: TerraformStack): ClusterAccess {
  const provider = stack.node.findAll().find((c) => (c as { terraformResourceType?: string }).terraformResourceType === "kubernetes" && !(c as { alias?: string }).alias) as
    | { configPath?: unknown; configContext?: unknown }
    | undefined;
  const plain = (v: unknown) => (typeof v === "string" && synthValue(v) === v ? v : undefined);
  return { kubeconfigPath: plain(provider?.configPath), context: plain(provider?.configContext) };
}

/**
 * Visits its stack at each synth: forgets the last synth's problems (the stack is visited
 * first), and reports the controller's rules for the user's objects (kubernetes_manifest,
 * typed Service or Ingress), each under itself.
 */
class KubernetesObjectChecks implements IAspect {
  private readonly given = new WeakSet<IConstruct>();

  visit(node: IConstruct): void {
    if (TerraformStack.isStack(node)) computed.delete(node); // a synth begins: the plan may have changed
    if (!declaresObject(node) || isOwner(ownerOf(node)) || this.given.has(node)) return;
    this.given.add(node);
    node.node.addValidation({ validate: () => planProblemsOf(node) });
  }
}

const enabled = new WeakSet<TerraformStack>();

/**
 * Turns on, for the stack holding `scope`, the controller's rules over the Kubernetes objects
 * it declares: a Gateway listening on 8080 fails the synth (AGC012). The constructs of this
 * package turn it on for their stack; a stack of the provider's resources only calls it once.
 */
export function enableChecks(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  if (enabled.has(stack)) return;
  enabled.add(stack);
  Aspects.of(stack).add(new KubernetesObjectChecks());
}
