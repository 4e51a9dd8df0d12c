// Rules across resources, run in the program while it declares them: limits per gateway,
// subnet budgets, overlaps, region match; and the controller's rules over the Kubernetes
// objects the program declares (sdk/kubernetesChecks.ts). A resource's `check` sees only itself, and a new
// resource's id is unknown at preview, so references are followed back to the resource object
// that produced them. What other stacks already created is read from the cluster when it can
// be reached; when not, the program says so and checks what it declares.
import * as pulumi from "@pulumi/pulumi";
import { KindName } from "../model/kinds";
import {
  EMPTY_INVENTORY,
  Inventory,
  PLANNED_PROPERTIES,
  PlannedResource,
  REFERENCES,
  ReferenceProperty,
  Violation,
  checkInventory,
  clusterUnreadWarning,
  inventoryFromPlan,
  mergeInventories,
  plannedKey,
  plannedName,
  untracedReferenceWarning,
} from "../model/rules";
import { inventoryFromObjects } from "../model/objects";
import { readOtherStacksObjects } from "./clusterObjects";
import { DeclaredResource, knownValue, resolveInput, traceReference } from "./references";
import { DeclaredObject, declaredObjectViolations, plannedObject } from "./declaredObjects";
import { declaredObject, observeKubernetesObjects } from "./kubernetesChecks";

type Inputs = Record<string, unknown>;

interface Identity extends DeclaredResource {
  resource: pulumi.CustomResource;
}

interface Declared extends Identity {
  planned: Promise<PlannedResource>;
}

/** A @pulumi/kubernetes resource translation reads: its object once known, and who declared it. */
interface ObservedObject {
  object: Promise<DeclaredObject<pulumi.Resource> | undefined>;
}

/** Everything one program declares. One per process: a Pulumi program is one process. */
class ProgramInventory {
  private readonly declared: Declared[] = [];
  private readonly kubernetesObjects: ObservedObject[] = [];
  private readonly byResource = new Map<pulumi.Resource, Declared>();
  /** The `id` output of each declared resource: the common reference, known without waiting. */
  private readonly byIdOutput = new Map<unknown, Declared>();
  private readonly reported = new Set<string>();
  /** What exists in the cluster; `complete` when it could be read. */
  private existing?: Promise<{ inventory: Inventory; complete: boolean }>;
  /** The round of checks under way, and the one that will include newer declarations. */
  private pending: Promise<void> = Promise.resolve();
  private next?: Promise<void>;

  /**
   * Registers a resource for the rules across resources. `inputs` are its arguments as the
   * program gave them (outputs and all); `name` is its Pulumi name.
   */
  declare(kind: KindName, resource: pulumi.CustomResource, name: string, inputs: Inputs): void {
    const identity = { kind, key: plannedKey(kind, name, inputs), name: plannedName(name, inputs), resource };
    const declared: Declared = { ...identity, planned: this.plan(identity, name, inputs) };
    this.declared.push(declared);
    this.byResource.set(resource, declared);
    this.byIdOutput.set(resource.id, declared);
    this.existing ??= readExisting(inputs.kubeconfig, stackOwner());
    this.scheduleRound();
  }

  /**
   * The id a declared resource will have: known at preview, where its `id` output is not (the
   * provider names the object after the resource's name and namespace).
   */
  idOf(resource: pulumi.CustomResource): string | undefined {
    return this.byResource.get(resource)?.key;
  }

  /** Registers a @pulumi/kubernetes resource whose object translation reads. */
  observeKubernetes(resource: pulumi.Resource, kind: string, props: Record<string, unknown>): void {
    const object = declaredObject(kind, props).then((o) => o && { object: o, owner: resource });
    this.kubernetesObjects.push({ object });
    this.scheduleRound();
  }

  /** The resource's inputs as far as preview knows them, references traced to their keys. */
  private async plan(declared: Identity, name: string, inputs: Inputs): Promise<PlannedResource> {
    const properties = PLANNED_PROPERTIES[declared.kind];
    const values = await Promise.all(properties.map((p) => resolveInput(inputs[p])));
    const props: Inputs = { name: inputs.name, namespace: inputs.namespace, ...Object.fromEntries(properties.map((p, i) => [p, values[i]])) };
    const references = await Promise.all(REFERENCES[declared.kind].map((ref) => this.follow(declared, ref, inputs[ref.property])));
    return { kind: declared.kind, declaredName: name, props, references: Object.fromEntries(references) };
  }

  /** A reference's key; when it cannot be told, preview says which checks it skipped. */
  private async follow(declared: Identity, ref: ReferenceProperty, input: unknown): Promise<[string, string | undefined]> {
    const direct = this.byIdOutput.get(input);
    if (direct?.kind === ref.kind) return [ref.property, direct.key];
    const trace = await traceReference(input, ref.kind, (r) => this.byResource.get(r));
    if (trace.untraced) pulumi.log.warn(untracedReferenceWarning(declared.kind, declared.name, ref, trace.untraced), declared.resource);
    return [ref.property, trace.key];
  }

  /**
   * One round checks every declaration made before it starts, so a program declaring many
   * resources runs a few rounds, not one per resource. The program stays open until the
   * round that includes the latest declaration has reported.
   */
  private scheduleRound(): void {
    if (!this.next) {
      const round = this.pending.then(() => {
        this.next = undefined;
        return this.check();
      });
      this.next = round.catch((e) => {
        pulumi.log.warn(`pulumi-agc: the checks across resources did not run: ${(e as Error).message}`);
      });
      this.pending = this.next;
    }
    void this.next.finally(pulumi.runtime.rpcKeepAlive());
  }

  private async check(): Promise<void> {
    const declared = [...this.declared];
    const observed = [...this.kubernetesObjects];
    const plan = await Promise.all(declared.map((d) => d.planned));
    // A program declaring Kubernetes objects only has nothing of ours to count in the cluster.
    const existing = (await this.existing) ?? { inventory: EMPTY_INVENTORY, complete: false };
    // With the cluster read, every parent is either declared here or exists there, so a
    // reference to neither is an error (AGC022); without it, it may belong to another stack.
    const violations = checkInventory(mergeInventories(inventoryFromPlan(plan), existing.inventory), { strictReferences: existing.complete });
    const logged = [
      ...violations.map((v) => this.report(v, declared.find((d) => d.kind === v.resource.kind && d.name === v.resource.name)?.resource)),
      ...(await kubernetesViolations(declared, plan, observed)).map(({ violation, owner }) => this.report(violation, owner)),
    ].filter((l): l is Promise<void> => l !== undefined);
    await Promise.all(logged);
    if (logged.length > 0) failProgram(`pulumi-agc: ${checksFailedMessage(logged.length)}`);
  }

  /**
   * Logs a violation under the resource it names, unless already logged or not this
   * program's: only what this program declares is reported, other stacks' problems are theirs.
   */
  private report(v: Violation, owner: pulumi.Resource | undefined): Promise<void> | undefined {
    if (!owner || this.reported.has(v.message)) return undefined;
    this.reported.add(v.message);
    return pulumi.log.error(v.message, owner);
  }
}

/** The controller's rules over the objects declared so far: our resources' (`plan[i]` is `declared[i]`'s) and @pulumi/kubernetes' alike. */
async function kubernetesViolations(declared: readonly Declared[], plan: readonly PlannedResource[], observed: readonly ObservedObject[]) {
  // Our four kinds alone break none of these rules (they need a Gateway, a route, an Ingress or
  // a Service): a program without such objects is not translated, on each round, for nothing.
  if (observed.length === 0) return [];
  const ours = plan.map((p, i) => {
    const object = plannedObject(p);
    return object && { object, owner: declared[i]!.resource as pulumi.Resource };
  });
  const theirs = await Promise.all(observed.map((o) => o.object));
  return declaredObjectViolations([...ours, ...theirs].filter((d): d is DeclaredObject<pulumi.Resource> => d !== undefined));
}

function checksFailedMessage(count: number): string {
  return count === 1 ? "1 problem across resources: see the error under its resource" : `${count} problems across resources: see the errors under their resources`;
}

/**
 * Fails the preview or update once the program has logged its errors under their resources.
 * The runtime prints an error raised after the program's module has loaded, with its stack, at
 * the stack level: this one only says that the errors are there, and carries no stack.
 */
export function failProgram(message: string): void {
  const error = new pulumi.RunError(message);
  error.stack = error.message;
  void Promise.reject(error);
}

/** The stack that declares the resources: `<project>/<stack>`. */
export function stackOwner(): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}`;
}

/** What other stacks created in the cluster, or nothing (with a warning) when it cannot be read. */
async function readExisting(kubeconfig: unknown, owner: string): Promise<{ inventory: Inventory; complete: boolean }> {
  try {
    const config = await knownValue(kubeconfig);
    const objects = await readOtherStacksObjects(typeof config === "string" ? config : undefined, [owner]);
    return { inventory: inventoryFromObjects(objects), complete: true };
  } catch (e) {
    pulumi.log.warn(clusterUnreadWarning((e as Error).message));
    return { inventory: EMPTY_INVENTORY, complete: false };
  }
}

export const programInventory = new ProgramInventory();
observeKubernetesObjects((resource, kind, props) => programInventory.observeKubernetes(resource, kind, props));
