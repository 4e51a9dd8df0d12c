// Plain manifests applied the way a GitOps tool applies them: in order, with server-side
// apply, waiting for a kind the API server does not serve yet (a CRD-defined kind right after
// its CRD); removed in reverse order.
import { KubeClient, isNotFound, resourcePath } from "./client";

type Obj = Record<string, any>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where the API server lists the resources of an apiVersion: /api/v1 or /apis/<group>/<version>. */
const discoveryPath = (apiVersion: string) => (apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);

export interface ServedResource {
  plural: string;
  namespaced: boolean;
}

/** The resource serving a kind in a discovery document (APIResourceList); subresources aside. */
export function resourceOfKind(discovery: Obj | undefined, kind: string): ServedResource | undefined {
  const found = ((discovery?.resources ?? []) as Obj[]).find((r) => r.kind === kind && !String(r.name).includes("/"));
  return found && { plural: found.name, namespaced: found.namespaced === true };
}

/** The REST path of an object, given how its kind is served. */
export function objectPath(o: Obj, served: ServedResource): string {
  return resourcePath(o.apiVersion, served.plural, served.namespaced ? o.metadata.namespace : undefined, o.metadata.name);
}

/** How `kind namespace/name` reads in messages. */
export const describeObject = (o: Obj) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;

/** The kind's resource as the API server serves it now; undefined while it does not. */
export async function servedResource(client: KubeClient, apiVersion: string, kind: string): Promise<ServedResource | undefined> {
  return resourceOfKind(await client.find(discoveryPath(apiVersion)), kind);
}

/**
 * Server-side apply of one object. A kind not served yet (its CRD not installed or not
 * established) is tried again until `waitMs` passes; any other refusal fails at once.
 */
export async function applyManifest(client: KubeClient, o: Obj, fieldManager: string, waitMs = 60_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const served = await servedResource(client, o.apiVersion, o.kind);
    if (served) {
      try {
        await client.apply(objectPath(o, served), o, fieldManager, { force: true });
        return;
      } catch (e) {
        // Just established: discovery may answer before the resource does.
        if (!isNotFound(e) || Date.now() > deadline) throw e;
      }
    } else if (Date.now() > deadline) {
      throw new Error(`${describeObject(o)}: the API server does not serve ${o.apiVersion} ${o.kind} after ${waitMs / 1000} s`);
    }
    await pause(1_000);
  }
}

/** Deletes the objects in reverse order; a kind no longer served has nothing left to delete. Returns what could not be deleted. */
export async function removeManifests(client: KubeClient, objects: Obj[]): Promise<string[]> {
  const failures: string[] = [];
  for (const o of [...objects].reverse()) {
    try {
      const served = await servedResource(client, o.apiVersion, o.kind);
      if (served) await client.remove(objectPath(o, served));
    } catch (e) {
      failures.push(`${describeObject(o)}: ${(e as Error).message}`);
    }
  }
  return failures;
}
