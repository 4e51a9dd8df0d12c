/**
 * The IR as the controller publishes it: a ConfigMap whose `ir.json` key holds one gateway's
 * document. The agent polls it (a GET per second is cheap, and survives API server restarts
 * without watch bookkeeping) and applies each new resourceVersion.
 */
import * as YAML from "yaml";
import { KubeClient } from "../kube/client";

/** The ConfigMap key holding the IR document. */
export const IR_CONFIGMAP_KEY = "ir.json";

export type ConfigMapIr = { ok: true; document: unknown; resourceVersion: string } | { ok: false; error: string };

/** Pulls the IR document out of a ConfigMap object (as the API server returns it). */
export function irFromConfigMap(cm: Record<string, any> | undefined, where: string): ConfigMapIr {
  if (!cm) return { ok: false, error: `ConfigMap ${where} does not exist (yet)` };
  const text = cm.data?.[IR_CONFIGMAP_KEY];
  if (typeof text !== "string") return { ok: false, error: `ConfigMap ${where} has no '${IR_CONFIGMAP_KEY}' key` };
  try {
    return { ok: true, document: YAML.parse(text), resourceVersion: String(cm.metadata?.resourceVersion ?? "") };
  } catch (e) {
    return { ok: false, error: `ConfigMap ${where} key '${IR_CONFIGMAP_KEY}': ${(e as Error).message}` };
  }
}

/** Parses `NAMESPACE/NAME`. */
export function parseConfigMapRef(ref: string): { namespace: string; name: string } | undefined {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(ref);
  return m ? { namespace: m[1], name: m[3] } : undefined;
}

/**
 * Calls `onDocument` for every new version of the ConfigMap, and `onProblem` when it cannot
 * be read, until `signal` aborts.
 */
export async function followConfigMap(
  client: KubeClient,
  ref: { namespace: string; name: string },
  onDocument: (doc: unknown) => Promise<unknown>,
  onProblem: (message: string) => void,
  signal: AbortSignal,
  everyMs = 1000,
): Promise<void> {
  const where = `${ref.namespace}/${ref.name}`;
  let lastVersion: string | undefined;
  let lastProblem: string | undefined;
  while (!signal.aborted) {
    let result: ConfigMapIr;
    try {
      result = irFromConfigMap(await client.find(`/api/v1/namespaces/${ref.namespace}/configmaps/${ref.name}`), where);
    } catch (e) {
      result = { ok: false, error: `reading ConfigMap ${where}: ${(e as Error).message}` };
    }
    if (!result.ok) {
      // Say it once, not every second.
      if (result.error !== lastProblem) onProblem(result.error);
      lastProblem = result.error;
    } else {
      // Readable again (even at a version seen before, e.g. after the API server was away):
      // the next problem is news again.
      lastProblem = undefined;
      if (result.resourceVersion !== lastVersion) {
        lastVersion = result.resourceVersion;
        await onDocument(result.document);
      }
    }
    await new Promise<void>((r) => {
      const t = setTimeout(r, everyMs);
      signal.addEventListener("abort", () => { clearTimeout(t); r(); }, { once: true });
    });
  }
}
