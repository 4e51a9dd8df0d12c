/**
 * The IR as the controller publishes it: a ConfigMap whose `ir.json` key holds one gateway's
 * document. The agent watches it and applies each new version.
 */
import * as YAML from "yaml";
import { RetryBackoff } from "../kube/backoff";
import { KubeClient } from "../kube/client";
import { followObject } from "../kube/follow";
import { IR_CONFIGMAP_KEY } from "../model/ir";

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

/** Parses `NAMESPACE/NAME` (of a ConfigMap, a pod, ...). */
export function parseConfigMapRef(ref: string): { namespace: string; name: string } | undefined {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(ref);
  return m ? { namespace: m[1], name: m[3] } : undefined;
}

/**
 * Calls `onDocument` for every new version of the ConfigMap, and `onProblem` when it cannot
 * be read (missing, no IR key, the API server away), until `signal` aborts. Follows it through
 * a watch: a change arrives as soon as the API server has it.
 */
export function followConfigMap(
  client: KubeClient,
  ref: { namespace: string; name: string },
  onDocument: (doc: unknown) => Promise<unknown>,
  onProblem: (message: string) => void,
  signal: AbortSignal,
  backoff?: RetryBackoff,
): Promise<void> {
  const where = `${ref.namespace}/${ref.name}`;
  return followObject(client, `/api/v1/namespaces/${ref.namespace}/configmaps`, ref.name, async (cm) => {
    const result = irFromConfigMap(cm, where);
    if (result.ok) await onDocument(result.document);
    else onProblem(result.error);
  }, { onProblem, signal, backoff });
}
