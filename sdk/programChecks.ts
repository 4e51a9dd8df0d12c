// Rules across resources, run in the program while it declares them: limits per gateway,
// subnet budgets, overlaps, region match. A resource's `check` sees only itself, and a new
// resource's id is unknown at preview, so references are followed back to the resource object
// that produced them. What other stacks already created is read from the cluster when it can
// be reached; when not, the program says so and checks what it declares.
import * as pulumi from "@pulumi/pulumi";
import { API_VERSION, KINDS, KIND_NAMES, KindName, formatId, objectNameFor, parseId } from "../model/kinds";
import { EMPTY_INVENTORY, Inventory, Violation, checkInventory, isUnknown, mergeInventories } from "../model/rules";
import { ObjectsByKind, inventoryFromObjects } from "../controller/inventory";
import { KubeClient, isNotFound, resourcePath } from "../kube/client";
import { OWNER_ANNOTATION } from "../provider/kinds";

type Fields = Record<string, unknown>;

interface Declared {
  kind: KindName;
  key: string;
  name: string;
  resource: pulumi.Resource;
  fields: Promise<Fields>;
}

/** Everything one program declares. One per process: a Pulumi program is one process. */
class ProgramInventory {
  private readonly declared: Declared[] = [];
  /** The `id` output of each declared resource, so a reference can be traced to its resource. */
  private readonly idOwners = new WeakMap<object, string>();
  private readonly reported = new Set<string>();
  /** What exists in the cluster; `complete` when it could be read. */
  private existing?: Promise<{ inventory: Inventory; complete: boolean }>;
  /** The round of checks under way, and the one that will include newer declarations. */
  private pending: Promise<void> = Promise.resolve();
  private next?: Promise<void>;

  /** The key of a reference input: a declared resource's id output, or an id string. */
  async keyOf(ref: unknown, kind: KindName): Promise<string | undefined> {
    if (ref !== null && typeof ref === "object" && this.idOwners.has(ref)) return this.idOwners.get(ref);
    const value = await knownValue(ref);
    if (typeof value !== "string") return undefined;
    const parsed = parseId(value, kind);
    return parsed.ok ? formatId(kind, parsed.namespace, parsed.name) : undefined;
  }

  declare(kind: KindName, resource: pulumi.CustomResource, name: string, namespace: string, fields: Promise<Fields>, kubeconfig: unknown): void {
    const key = formatId(kind, namespace, objectNameFor(name));
    this.idOwners.set(resource.id, key);
    this.declared.push({ kind, key, name, resource, fields });
    this.existing ??= readExisting(kubeconfig, stackOwner());
    // One round checks every declaration made before it starts, so a program declaring many
    // resources runs a few rounds, not one per resource. The program stays open until the
    // round that includes this declaration has reported.
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
    const planned = await this.plannedInventory();
    const existing = await this.existing!;
    // With the cluster read, every parent is either declared here or exists there, so a
    // reference to neither is an error (AGC022); without it, it may belong to another stack.
    const violations = checkInventory(mergeInventories(planned, existing.inventory), { strictReferences: existing.complete });
    for (const v of violations) this.report(v);
  }

  private report(v: Violation): void {
    if (this.reported.has(v.message)) return;
    const owner = this.declared.find((d) => d.kind === v.resource.kind && d.name === v.resource.name);
    // Only what this program declares is reported: other stacks' problems are theirs.
    if (!owner) return;
    this.reported.add(v.message);
    // Reported as the runtime reports a failed resource: the message under the resource, no
    // stack trace, and the preview or update fails.
    void Promise.reject(new pulumi.ResourceError(v.message, owner.resource, true));
  }

  private async plannedInventory(): Promise<Inventory> {
    const inv: Inventory = { gateways: [], frontends: [], associations: [], subnets: [] };
    for (const d of this.declared) {
      const f = await d.fields;
      const base = { key: d.key, name: d.name };
      switch (d.kind) {
        case "TrafficController":
          inv.gateways.push({ ...base, location: f.location as string | undefined });
          break;
        case "Frontend":
          inv.frontends.push({ ...base, gatewayKey: f.gatewayKey as string | undefined });
          break;
        case "Association":
          inv.associations.push({ ...base, gatewayKey: f.gatewayKey as string | undefined, subnetKey: f.subnetKey as string | undefined });
          break;
        case "SubnetDelegation":
          inv.subnets.push({
            ...base,
            location: f.location as string | undefined,
            virtualNetworkName: f.virtualNetworkName as string | undefined,
            virtualNetworkAddressSpace: f.virtualNetworkAddressSpace as string[] | undefined,
            addressPrefix: f.addressPrefix as string | undefined,
            delegation: f.delegation as string | undefined,
          });
          break;
      }
    }
    return inv;
  }
}

/** The stack that declares the resources: `<project>/<stack>`. */
export function stackOwner(): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}`;
}

/** The value of an input when it is known (at preview, new resources' outputs are not). */
export async function knownValue(input: unknown): Promise<unknown> {
  if (!pulumi.Output.isInstance(input)) {
    if (input && typeof (input as Promise<unknown>).then === "function") return knownValue(await input);
    if (Array.isArray(input)) {
      const items = await Promise.all(input.map(knownValue));
      return items.some((i) => i === undefined) ? undefined : items;
    }
    return isUnknown(input) ? undefined : input;
  }
  // Output's own promises: whether the value is known, and the value.
  const out = input as unknown as { isKnown: Promise<boolean>; promise(): Promise<unknown> };
  if (!(await out.isKnown)) return undefined;
  return knownValue(await out.promise());
}

/** What other stacks created in the cluster, or nothing (with a warning) when it cannot be read. */
async function readExisting(kubeconfig: unknown, owner: string): Promise<{ inventory: Inventory; complete: boolean }> {
  let client: KubeClient | undefined;
  try {
    const config = await knownValue(kubeconfig);
    client = KubeClient.fromKubeconfig(typeof config === "string" ? config : undefined);
    const objects: Partial<ObjectsByKind> = {};
    for (const kind of KIND_NAMES) {
      try {
        const list = await client.request(resourcePath(API_VERSION, KINDS[kind].plural), { timeoutMs: 5000 });
        // This stack's own objects are what the program declares now (planned), not extra ones.
        objects[kind] = (list.items ?? []).filter((o: any) => o.metadata?.annotations?.[OWNER_ANNOTATION] !== owner);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        objects[kind] = []; // the CRDs are not installed yet: nothing exists
      }
    }
    return { inventory: inventoryFromObjects(objects as ObjectsByKind), complete: true };
  } catch (e) {
    pulumi.log.warn(
      `pulumi-agc: could not read the cluster (${(e as Error).message}); the limits and subnet budgets were checked ` +
        "against what this program declares only, not against gateways other stacks created",
    );
    return { inventory: EMPTY_INVENTORY, complete: false };
  } finally {
    client?.close();
  }
}

export const programInventory = new ProgramInventory();
