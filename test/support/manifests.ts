// Plain manifests against the test cluster, the way a GitOps tool handles them: read from
// multi-document YAML, applied in order with server-side apply (waiting for a kind the API
// server does not serve yet, as a CRD-defined kind right after its CRD), removed in reverse.
// Every test file that installs the controller ends by waiting until it is gone, so the next
// file can install it again.
import * as fs from "fs";
import * as YAML from "yaml";
import { KubeClient, isNotFound, resourcePath } from "../../kube/client";
import { sleep } from "../dataplane/harness";

type Obj = Record<string, any>;

/** The objects of a multi-document YAML file, in file order; empty documents are skipped. */
export function readManifests(file: string): Obj[] {
  return parseManifests(fs.readFileSync(file, "utf8"));
}

export function parseManifests(text: string): Obj[] {
  return YAML.parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`YAML: ${doc.errors[0].message}`);
      return doc.toJS() as Obj | null;
    })
    .filter((o): o is Obj => o !== null && typeof o === "object");
}

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

/** How `kind/namespace/name` reads in messages. */
const describeObject = (o: Obj) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;

/** The kind's resource as the API server serves it now; undefined while it does not. */
async function servedResource(client: KubeClient, apiVersion: string, kind: string): Promise<ServedResource | undefined> {
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
    await sleep(1_000);
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

/** Why an object still exists: its deletion not started, or what it waits for. */
function stillThere(objectPathText: string, o: Obj): string {
  const conditions = ((o.status?.conditions ?? []) as Obj[]).filter((c) => c.status === "True").map((c) => `${c.type}: ${c.message}`);
  const finalizers = [...(o.metadata?.finalizers ?? []), ...(o.spec?.finalizers ?? [])];
  const state = o.metadata?.deletionTimestamp ? `deleting since ${o.metadata.deletionTimestamp}` : "not being deleted";
  return [`${objectPathText} still exists (${state})`, ...(finalizers.length ? [`finalizers ${finalizers.join(", ")}`] : []), ...conditions].join("; ");
}

/** Waits until every path answers 404; fails naming what is left and why, after `timeoutMs`. */
export async function waitUntilGone(client: KubeClient, paths: string[], timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left: string[] = [];
    for (const p of paths) {
      try {
        const o = await client.find(p);
        if (o) left.push(stillThere(p, o));
      } catch (e) {
        left.push(`${p}: ${(e as Error).message}`);
      }
    }
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`after ${timeoutMs / 1000} s: ${left.join("\n")}`);
    await sleep(1_000);
  }
}

/**
 * The paths of the objects that outlive a test file unless removed: the namespaces and the
 * cluster-scoped objects among `objects` (namespaced ones go with their namespace).
 */
async function lastingPaths(client: KubeClient, objects: Obj[]): Promise<string[]> {
  const paths: string[] = [];
  for (const o of objects.filter((x) => !x.metadata.namespace)) {
    const served = await servedResource(client, o.apiVersion, o.kind);
    if (served) paths.push(objectPath(o, served));
  }
  return paths;
}

/** What a stack that installed the controller leaves until its destroy is done: the controller's namespace and the classes `agc`. */
export const CONTROLLER_INSTALL_PATHS: readonly string[] = [
  "/api/v1/namespaces/agc-system",
  "/apis/gateway.networking.k8s.io/v1/gatewayclasses/agc",
  "/apis/networking.k8s.io/v1/ingressclasses/agc",
];

/**
 * Removes the controller's install (and `more`, first) and waits until its namespace and
 * cluster-wide objects are gone: what the next test file that installs it needs.
 */
export async function uninstallAndWait(client: KubeClient, install: Obj[], more: Obj[] = [], timeoutMs = 180_000): Promise<void> {
  const objects = [...install, ...more];
  const paths = await lastingPaths(client, objects);
  const failures = await removeManifests(client, objects);
  if (failures.length) process.stderr.write(`could not delete:\n${failures.join("\n")}\n`);
  await waitUntilGone(client, paths, timeoutMs);
}

/** Waits out a namespace still being deleted (a test file before this one ending): creating in it would be refused. */
export async function waitWhileTerminating(client: KubeClient, namespaces: string[], timeoutMs = 180_000): Promise<void> {
  const terminating: string[] = [];
  for (const ns of namespaces) {
    const p = resourcePath("v1", "namespaces", undefined, ns);
    if ((await client.find(p))?.metadata?.deletionTimestamp) terminating.push(p);
  }
  if (terminating.length) await waitUntilGone(client, terminating, timeoutMs);
}
