// Plain manifests against the test cluster, the way a GitOps tool handles them: read from
// multi-document YAML, applied and removed by kube/manifests. Every test file that installs
// the controller ends by waiting until it is gone, so the next file can install it again.
import * as fs from "fs";
import * as YAML from "yaml";
import { KubeClient, resourcePath } from "../../kube/client";
import { objectPath, removeManifests, servedResource } from "../../kube/manifests";
import { sleep } from "../dataplane/harness";

type Obj = Record<string, any>;

/** The objects of a multi-document YAML file, in file order; empty documents are skipped. */
export function readManifests(file: string): Obj[] {
  return parseManifests(fs.readFileSync(file, "utf8"));
}

export { applyManifest, removeManifests } from "../../kube/manifests";

export function parseManifests(text: string): Obj[] {
  return YAML.parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`YAML: ${doc.errors[0].message}`);
      return doc.toJS() as Obj | null;
    })
    .filter((o): o is Obj => o !== null && typeof o === "object");
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
