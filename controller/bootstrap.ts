// Installs or upgrades our CustomResourceDefinitions (server-side apply, so a newer version
// simply wins) and waits until the API server serves them.
import { crdManifests } from "../model/crds";
import { KubeClient } from "../kube/client";

const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

export async function installCrds(client: KubeClient, log: (m: string) => void = () => {}, timeoutMs = 60_000): Promise<string[]> {
  const names: string[] = [];
  for (const crd of crdManifests() as Array<Record<string, any>>) {
    const name: string = crd.metadata.name;
    await client.apply(`${CRD_PATH}/${name}`, crd, "agc-bootstrap", { force: true });
    names.push(name);
  }
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await client.get(`${CRD_PATH}/${name}`);
      if ((crd.status?.conditions ?? []).some((c: any) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not established within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  log(`CRDs installed: ${names.join(", ")}`);
  return names;
}
