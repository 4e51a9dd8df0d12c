// A synthesized CDKTF stack's kubernetes_manifest resources applied the way `terraform apply`
// orders and awaits them: each after what it depends on, then its `wait` (fields matched as
// regular expressions, a Deployment's rollout) within its create timeout. It stands in for
// terraform and the Kubernetes provider, which cannot be built here; the API server, the
// controller and the pods it drives are real.
import { KubeClient } from "../../kube/client";
import { applyManifest, describeObject, objectPath, servedResource } from "../../kube/manifests";
import { eventually } from "../dataplane/harness";

type Obj = Record<string, any>;

/** The stack's kubernetes_manifest resources in an order that respects `depends_on`. */
function applyOrder(config: Obj): Obj[] {
  const resources: Record<string, Obj> = config.resource?.kubernetes_manifest ?? {};
  const done = new Set<string>();
  const order: Obj[] = [];
  const visit = (name: string, path: string[]) => {
    const address = `kubernetes_manifest.${name}`;
    if (done.has(address)) return;
    if (path.includes(address)) throw new Error(`a dependency cycle: ${[...path, address].join(" -> ")}`);
    for (const d of (resources[name]!.depends_on ?? []) as string[]) {
      if (d.startsWith("kubernetes_manifest.")) visit(d.slice("kubernetes_manifest.".length), [...path, address]);
    }
    done.add(address);
    order.push(resources[name]!);
  };
  for (const name of Object.keys(resources)) visit(name, []);
  return order;
}

/** A field by a wait path such as `status.provisioningState`. */
function field(o: Obj | undefined, path: string): unknown {
  return path.split(".").reduce<any>((v, k) => (v === undefined || v === null ? undefined : v[k]), o);
}

/** Seconds of a Terraform duration such as `300s`, `10m` or `1h30m`. */
function seconds(timeout: string | undefined, fallback: number): number {
  if (!timeout) return fallback;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1 };
  const parts = [...timeout.matchAll(/(\d+)([hms])/g)];
  if (parts.map((p) => p[0]).join("") !== timeout) throw new Error(`'${timeout}' is not a Terraform duration`);
  return parts.reduce((total, [, n, unit]) => total + Number(n) * units[unit!]!, 0);
}

/** Applies every object of the stack, in order, each awaited as its `wait` block says; returns the objects. */
export async function applySynthesized(client: KubeClient, config: Obj, fieldManager: string): Promise<Obj[]> {
  const applied: Obj[] = [];
  for (const resource of applyOrder(config)) {
    const o = resource.manifest as Obj;
    await applyManifest(client, o, fieldManager);
    applied.push(o);
    const served = (await servedResource(client, o.apiVersion, o.kind))!;
    const current = () => client.get(objectPath(o, served));
    const timeoutMs = seconds(resource.timeouts?.create, 600) * 1000;
    for (const [path, pattern] of Object.entries((resource.wait?.fields ?? {}) as Record<string, string>)) {
      await eventually(`${describeObject(o)}: ${path} =~ ${pattern}`, async () => (new RegExp(pattern).test(String(field(await current(), path) ?? "")) ? true : undefined), timeoutMs, 500);
    }
    if (resource.wait?.rollout) {
      await eventually(`${describeObject(o)} rolled out`, async () => {
        const d = await current();
        const replicas = d.spec?.replicas ?? 1;
        return (d.status?.updatedReplicas ?? 0) >= replicas && (d.status?.availableReplicas ?? 0) >= replicas ? true : undefined;
      }, timeoutMs, 1000);
    }
  }
  return applied;
}
