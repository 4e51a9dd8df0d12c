// Installs or upgrades CustomResourceDefinitions: ours, and the Gateway API's release files
// (server-side apply, so a newer version simply wins), logs what changed and waits until the
// API server serves them. Running it twice changes nothing the second time.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { crdManifests } from "../model/crds";
import { BUNDLE_VERSION_ANNOTATION } from "../model/kinds";
import { KubeClient } from "../kube/client";

type Obj = Record<string, any>;

const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const FIELD_MANAGER = "agc-bootstrap";
/** Set by the Gateway API release on every CRD it ships; the conformance suite checks it. */
export const CHANNEL_ANNOTATION = "gateway.networking.k8s.io/channel";

export type CrdChange = "created" | "updated" | "unchanged" | "kept";

export interface CrdResult {
  name: string;
  change: CrdChange;
  /** Why a CRD was kept as the cluster has it. */
  reason?: string;
}

export async function installCrds(client: KubeClient, log: (m: string) => void = () => {}, timeoutMs = 60_000): Promise<string[]> {
  const results = await applyCrds(client, crdManifests() as Obj[], log, timeoutMs);
  return results.map((r) => r.name);
}

/**
 * Installs the Gateway API CRDs of one release, read from `dir` (the release's
 * config/crd/standard, as the toolchain or the bootstrap image carries it).
 */
export async function installGatewayApiCrds(client: KubeClient, dir: string, log: (m: string) => void = () => {}, timeoutMs = 60_000): Promise<CrdResult[]> {
  return applyGatewayApiRelease(client, readGatewayApiCrds(dir), dir, log, timeoutMs);
}

/** Installs a release's CRDs already read from `dir` (a bootstrap that re-applies them reads them once). */
export async function applyGatewayApiRelease(client: KubeClient, release: { crds: Obj[]; bundleVersion: string }, dir: string, log: (m: string) => void = () => {}, timeoutMs = 60_000): Promise<CrdResult[]> {
  log(`Gateway API ${release.bundleVersion} CRDs from ${dir}`);
  return applyCrds(client, release.crds, log, timeoutMs);
}

/** Reads every CRD in the directory's YAML files (other kinds, e.g. admission policies, are left out). */
export function readGatewayApiCrds(dir: string): { crds: Obj[]; bundleVersion: string } {
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (e) {
    throw new Error(`Gateway API CRDs: cannot read directory ${dir}: ${(e as Error).message}`);
  }
  return gatewayApiCrdsFromFiles(files.map((f) => ({ file: path.join(dir, f), text: fs.readFileSync(path.join(dir, f), "utf8") })), dir);
}

/** The CRDs of a Gateway API release, checked to carry one and the same bundle version. */
export function gatewayApiCrdsFromFiles(files: Array<{ file: string; text: string }>, dir: string): { crds: Obj[]; bundleVersion: string } {
  const crds: Obj[] = [];
  const versions = new Map<string, string>();
  for (const { file, text } of files) {
    for (const doc of YAML.parseAllDocuments(text)) {
      const obj = doc.toJSON() as Obj | null;
      if (obj?.kind !== "CustomResourceDefinition") continue;
      const version = obj.metadata?.annotations?.[BUNDLE_VERSION_ANNOTATION];
      if (!version) throw new Error(`Gateway API CRDs: ${obj.metadata?.name} in ${file} has no ${BUNDLE_VERSION_ANNOTATION} annotation; use the CRD files of a Gateway API release (config/crd/standard)`);
      versions.set(obj.metadata.name, version);
      // The release files carry an empty status; the server owns it.
      const { status: _status, ...crd } = obj;
      crds.push(crd);
    }
  }
  if (!crds.length) throw new Error(`Gateway API CRDs: no CustomResourceDefinition in ${dir}; expected the files of a Gateway API release's config/crd/standard`);
  const distinct = [...new Set(versions.values())];
  if (distinct.length > 1) {
    const list = [...versions].map(([n, v]) => `${n}=${v}`).join(", ");
    throw new Error(`Gateway API CRDs in ${dir} mix bundle versions (${list}); use the files of one release`);
  }
  return { crds, bundleVersion: distinct[0] };
}

/** "v1.6.3" or "v1.7.0-rc.1" as numbers; undefined when it is not such a version. */
function parseBundleVersion(v: string | undefined): { release: number[]; prerelease: boolean } | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(-.+)?$/.exec(v ?? "");
  return m ? { release: [Number(m[1]), Number(m[2]), Number(m[3])], prerelease: m[4] !== undefined } : undefined;
}

/** Whether bundle version `a` is older than `b` (a pre-release is older than its release). */
export function isOlderBundle(a: string, b: string): boolean {
  const pa = parseBundleVersion(a);
  const pb = parseBundleVersion(b);
  if (!pa || !pb) return false;
  for (let i = 0; i < 3; i++) if (pa.release[i] !== pb.release[i]) return pa.release[i] < pb.release[i];
  return pa.prerelease && !pb.prerelease;
}

/**
 * Why a CRD in the cluster must stay as it is, or undefined to apply ours: another
 * implementation may have installed a newer release or the experimental channel, and
 * replacing them would drop fields its users rely on.
 */
export function reasonToKeep(existing: Obj | undefined, desired: Obj): string | undefined {
  const ours = desired.metadata?.annotations ?? {};
  const theirs = existing?.metadata?.annotations ?? {};
  const oursVersion = ours[BUNDLE_VERSION_ANNOTATION];
  const theirsVersion = theirs[BUNDLE_VERSION_ANNOTATION];
  if (!oursVersion || !theirsVersion) return undefined;
  if (isOlderBundle(oursVersion, theirsVersion)) return `the cluster has ${theirsVersion}, newer than ${oursVersion}`;
  if (theirs[CHANNEL_ANNOTATION] === "experimental" && ours[CHANNEL_ANNOTATION] === "standard") {
    return `the cluster has the experimental channel of ${theirsVersion}; the standard channel would remove its experimental fields`;
  }
  return undefined;
}

/** One line per kind of change, e.g. "CRDs: created a, b; unchanged c". */
export function describeCrdChanges(results: CrdResult[]): string[] {
  const lines: string[] = [];
  for (const change of ["created", "updated", "unchanged"] as const) {
    const names = results.filter((r) => r.change === change).map((r) => r.name);
    if (names.length) lines.push(`CRDs ${change}: ${names.join(", ")}`);
  }
  for (const r of results.filter((r) => r.change === "kept")) lines.push(`CRD ${r.name} kept as it is: ${r.reason}`);
  return lines;
}

const established = (crd: Obj) => (crd.status?.conditions ?? []).some((c: Obj) => c.type === "Established" && c.status === "True");

async function applyCrds(client: KubeClient, crds: Obj[], log: (m: string) => void, timeoutMs: number): Promise<CrdResult[]> {
  const results: CrdResult[] = [];
  /** Each CRD as the API server last answered it. */
  const latest = new Map<string, Obj>();
  for (const crd of crds) {
    const name: string = crd.metadata.name;
    const existing = await client.find(`${CRD_PATH}/${name}`);
    const reason = reasonToKeep(existing, crd);
    if (reason) {
      results.push({ name, change: "kept", reason });
      latest.set(name, existing!);
      continue;
    }
    const applied = await client.apply(`${CRD_PATH}/${name}`, crd, FIELD_MANAGER, { force: true });
    // The API server skips writes that change nothing, so an unchanged CRD keeps its resourceVersion.
    const change: CrdChange = !existing ? "created" : existing.metadata.resourceVersion === applied.metadata.resourceVersion ? "unchanged" : "updated";
    results.push({ name, change });
    latest.set(name, applied);
  }
  const deadline = Date.now() + timeoutMs;
  for (const { name } of results) {
    // Read again only while the last answer does not say Established yet.
    let crd = latest.get(name)!;
    while (!established(crd)) {
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not established within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
      crd = await client.get(`${CRD_PATH}/${name}`);
    }
  }
  describeCrdChanges(results).forEach((line) => log(line));
  return results;
}
