// What other stacks already created: the custom resources of our four kinds in the cluster,
// for the rules across resources (limits per gateway, subnet budgets). Shared by Pulumi's
// preview (sdk/programChecks.ts) and CDKTF's synth (cdktf/clusterRead.ts); no Pulumi in it.
import { KubeClient, isNotFound, resourcePath } from "../kube/client";
import { API_VERSION, KINDS, KIND_NAMES, OWNER_ANNOTATION } from "../model/kinds";
import { ObjectsByKind } from "../model/objects";

/**
 * Every object of our kinds in the cluster but those `owners` (the stacks being planned) manage:
 * what they declare now stands for those. Throws when the cluster cannot be read.
 */
export async function readOtherStacksObjects(kubeconfig: string | undefined, owners: readonly string[], context?: string): Promise<ObjectsByKind> {
  const client = KubeClient.fromKubeconfig(kubeconfig, context);
  try {
    const objects: Partial<ObjectsByKind> = {};
    for (const kind of KIND_NAMES) {
      try {
        const list = await client.request(resourcePath(API_VERSION, KINDS[kind].plural), { timeoutMs: 5000 });
        objects[kind] = (list.items ?? []).filter((o: any) => !owners.includes(o.metadata?.annotations?.[OWNER_ANNOTATION]));
      } catch (e) {
        if (!isNotFound(e)) throw e;
        objects[kind] = []; // the CRDs are not installed yet: nothing exists
      }
    }
    return objects as ObjectsByKind;
  } finally {
    client.close();
  }
}
