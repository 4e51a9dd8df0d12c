// The dynamic providers' handlers: check, diff, create, read, update, delete for each kind.
// Create and update apply the custom resource server-side, then wait for the controller to
// report provisioningState Succeeded or Failed, like an ARM long-running operation.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { API_VERSION, KindName, parseId } from "../model/kinds";
import { isUnknown, containsUnknown } from "../model/rules";
import { KubeClient, KubeError, isConflict, resourcePath } from "../kube/client";
import { BINDINGS, Inputs, KindBinding, PATCH_FORCE_ANNOTATION, desiredObject, idOf, inputsFromObject, namespaceOf, objectName, patchForce, pluralOf, withDefaults } from "../model/bindings";

export const FIELD_MANAGER = "pulumi-agc";
export const DEFAULT_TIMEOUT_SECONDS = 300;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The client for a resource: its kubeconfig input, else the standard resolution. */
function clientFor(inputs: Inputs): KubeClient {
  const kubeconfig = typeof inputs.kubeconfig === "string" && inputs.kubeconfig && !isUnknown(inputs.kubeconfig) ? inputs.kubeconfig : undefined;
  return KubeClient.fromKubeconfig(kubeconfig);
}

function objectPath(binding: KindBinding, inputs: Inputs): string {
  return resourcePath(API_VERSION, pluralOf(binding.kind), namespaceOf(inputs), objectName(inputs));
}

function timeoutMs(inputs: Inputs): number {
  const s = Number(inputs.timeoutSeconds);
  return (Number.isFinite(s) && s > 0 ? s : DEFAULT_TIMEOUT_SECONDS) * 1000;
}

/** Waits until the controller has seen this generation and says Succeeded or Failed. */
async function awaitProvisioned(client: KubeClient, path: string, generation: number, kind: KindName, name: string, deadlineMs: number): Promise<Record<string, any>> {
  const deadline = Date.now() + deadlineMs;
  let last: Record<string, any> | undefined;
  while (Date.now() < deadline) {
    const current: Record<string, any> = await client.get(path);
    last = current;
    const status = current.status ?? {};
    const seen = (status.observedGeneration ?? 0) >= generation;
    if (seen && status.provisioningState === "Succeeded") return current;
    if (seen && status.provisioningState === "Failed") {
      throw new ProvisioningFailed(`${kind} '${name}' failed: ${status.message ?? "the controller gave no reason"}`);
    }
    await sleep(500);
  }
  const state = last?.status?.provisioningState ?? "no status";
  throw new Error(
    `${kind} '${name}' was not provisioned within ${deadlineMs / 1000} s (state: ${state}). ` +
      "Is the ALB controller running? (`agc controller --kubeconfig FILE` against this cluster; locally `agc cluster up` starts it)",
  );
}

class ProvisioningFailed extends Error {}

/** A server-side apply conflict as the user can act on it: each field and the manager that owns it. */
export function applyConflictMessage(kind: KindName, name: string, error: KubeError): string {
  const causes: Array<Record<string, string>> = (error.details?.causes ?? []).filter((c: Record<string, string>) => c.reason === "FieldManagerConflict");
  const fields = causes.length ? causes.map((c) => `${c.field} (${c.message})`).join(", ") : error.message;
  return (
    `${kind} '${name}': fields this program sets are managed by another field manager: ${fields}. ` +
    `Set them back to what this program says, or add the annotation ${PATCH_FORCE_ANNOTATION}: "true" to take them over`
  );
}

/** Server-side apply that takes other managers' fields only when the user said so. */
async function applyObject(client: KubeClient, binding: KindBinding, path: string, inputs: Inputs): Promise<Record<string, any>> {
  try {
    return await client.apply(path, desiredObject(binding, inputs), FIELD_MANAGER, { force: patchForce(inputs) });
  } catch (e) {
    if (isConflict(e)) throw new Error(applyConflictMessage(binding.kind, String(inputs.name), e as KubeError));
    throw e;
  }
}

/** Why a deleted object is still there: its deletion not started, or the finalizers it waits for. */
export function stillThereMessage(kind: KindName, name: string, obj: Record<string, any>, seconds: number): string {
  const { deletionTimestamp, finalizers = [] } = obj.metadata ?? {};
  const why = !deletionTimestamp
    ? "no deletion started"
    : `deletion started ${deletionTimestamp}${finalizers.length ? `; waiting for finalizers ${finalizers.join(", ")}` : ""}`;
  return `${kind} '${name}' is still there ${seconds} s after it was deleted (${why})`;
}

function outputs(binding: KindBinding, inputs: Inputs, obj: Record<string, any>): Inputs {
  return { ...inputs, ...binding.statusOutputs(obj.status), objectName: obj.metadata.name };
}

/** Reports a check rule failure as the engine prints it: property, and a reason with the rule code. */
function toFailures(binding: KindBinding, news: Inputs): dynamic.CheckFailure[] {
  return binding.check(news, news.name).map((v) => ({ property: v.property, reason: v.message }));
}

/** The children that keep a gateway from being deleted. */
async function childrenOf(client: KubeClient, inputs: Inputs): Promise<string[]> {
  const ns = namespaceOf(inputs);
  const name = objectName(inputs);
  const found: string[] = [];
  for (const kind of ["Frontend", "Association"] as KindName[]) {
    const list = await client.get(resourcePath(API_VERSION, pluralOf(kind), ns));
    for (const item of list.items ?? []) {
      if (item.spec?.trafficControllerRef?.name === name && !item.metadata.deletionTimestamp) found.push(`${kind} '${item.metadata.name}'`);
    }
  }
  return found;
}

export function handlersFor(kind: KindName): Required<Pick<dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">> {
  const binding = BINDINGS[kind];
  return {
    async check(_olds: Inputs, news: Inputs) {
      const failures = toFailures(binding, news);
      return failures.length ? { inputs: news, failures } : { inputs: news };
    },

    async diff(_id: string, oldInputs: Inputs, newInputs: Inputs) {
      const olds = withDefaults(binding, oldInputs);
      const news = withDefaults(binding, newInputs);
      const changed = binding.objectInputs.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
      // An unknown value (a parent being replaced) compares unequal, so it counts as a change.
      const replaces = changed.filter((k) => binding.replaceOnChange.includes(k));
      const sameObject = !containsUnknown(news.name) && objectName(olds) === objectName(news) && namespaceOf(olds) === namespaceOf(news);
      return {
        changes: changed.length > 0,
        replaces,
        // A replacement keeping its name must free the name first.
        deleteBeforeReplace: replaces.length > 0 && sameObject,
        stables: ["objectName"],
      };
    },

    async create(inputs: Inputs) {
      const client = clientFor(inputs);
      const path = objectPath(binding, inputs);
      try {
        await client.ensureNamespace(namespaceOf(inputs));
        const existing = await client.find(path);
        if (existing) {
          throw new Error(
            `${kind} '${inputs.name}' already exists in namespace '${namespaceOf(inputs)}' (created ${existing.metadata.creationTimestamp}); ` +
              "choose another name, or import it with `pulumi import`",
          );
        }
        const applied = await applyObject(client, binding, path, inputs);
        try {
          const ready = await awaitProvisioned(client, path, applied.metadata.generation ?? 1, kind, String(inputs.name), timeoutMs(inputs));
          return { id: idOf(kind, inputs), outs: outputs(binding, inputs, ready) };
        } catch (e) {
          // A create that failed leaves nothing behind: Pulumi will not track the object.
          if (e instanceof ProvisioningFailed) await client.remove(path);
          throw e;
        }
      } finally {
        client.close();
      }
    },

    async read(id: string, props: Inputs) {
      const client = clientFor(props);
      try {
        // On import the engine knows only the id: the object's path comes from it.
        const parsed = parseId(id, kind);
        if (!parsed.ok) throw new Error(`cannot read ${kind} '${id}': ${parsed.error}`);
        const obj = await client.find(resourcePath(API_VERSION, pluralOf(kind), parsed.namespace, parsed.name));
        if (!obj) return { id: undefined as unknown as string, props: {} };
        const inputs = props.name === undefined ? { ...inputsFromObject(binding, obj), kubeconfig: props.kubeconfig } : props;
        return { id, props: outputs(binding, inputs, obj) };
      } finally {
        client.close();
      }
    },

    async update(_id: string, _olds: Inputs, news: Inputs) {
      const client = clientFor(news);
      const path = objectPath(binding, news);
      try {
        const applied = await applyObject(client, binding, path, news);
        const ready = await awaitProvisioned(client, path, applied.metadata.generation ?? 1, kind, String(news.name), timeoutMs(news));
        return { outs: outputs(binding, news, ready) };
      } finally {
        client.close();
      }
    },

    async delete(_id: string, props: Inputs) {
      const client = clientFor(props);
      const path = objectPath(binding, props);
      try {
        if (kind === "TrafficController") {
          // Children still being deleted get a moment; children that stay are named.
          const deadline = Date.now() + Math.min(60_000, timeoutMs(props));
          let children = await childrenOf(client, props);
          while (children.length && Date.now() < deadline) {
            await sleep(1000);
            children = await childrenOf(client, props);
          }
          if (children.length) {
            throw new Error(`TrafficController '${props.name}' still has children: ${children.join(", ")}; delete them first (Azure answers 409 Conflict here)`);
          }
        }
        await client.remove(path);
        const deadline = Date.now() + timeoutMs(props);
        for (;;) {
          const left = await client.find(path);
          if (!left) return;
          // Reporting success here would make Pulumi forget an object that still exists.
          if (Date.now() >= deadline) throw new Error(stillThereMessage(kind, String(props.name), left, timeoutMs(props) / 1000));
          await sleep(250);
        }
      } finally {
        client.close();
      }
    },
  };
}

/** The handlers by kind, as the serialized providers look them up. */
export const handlers: Record<KindName, ReturnType<typeof handlersFor>> = {
  TrafficController: handlersFor("TrafficController"),
  Frontend: handlersFor("Frontend"),
  Association: handlersFor("Association"),
  SubnetDelegation: handlersFor("SubnetDelegation"),
};
