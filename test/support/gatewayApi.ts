// The Gateway API CRDs (standard channel) for tests: from the toolchain (which copies them from
// the sigs.k8s.io/gateway-api module), else from that module in the Go module cache.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { toolchainBin } from "../../cli/paths";
import { KubeClient } from "../../kube/client";

const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

function crdDirectory(): string {
  const fromToolchain = path.join(toolchainBin(), "gateway-api-crds", "standard");
  if (fs.existsSync(fromToolchain)) return fromToolchain;
  const modules = path.join(process.env.GOMODCACHE ?? path.join(os.homedir(), "go", "pkg", "mod"), "sigs.k8s.io");
  const versions = fs.existsSync(modules) ? fs.readdirSync(modules).filter((d) => d.startsWith("gateway-api@v")).sort() : [];
  if (!versions.length) throw new Error(`no Gateway API CRDs: neither ${fromToolchain} nor ${modules}/gateway-api@v*/config/crd/standard exists; build the toolchain`);
  return path.join(modules, versions[versions.length - 1], "config", "crd", "standard");
}

/** Applies the standard channel's CRDs and waits until they are served. */
export async function installGatewayApiCrds(client: KubeClient): Promise<void> {
  const dir = crdDirectory();
  const crds = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()
    .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8")).map((d) => d.toJS()))
    .filter((o) => o?.kind === "CustomResourceDefinition");
  for (const crd of crds) await client.apply(`${CRD_PATH}/${crd.metadata.name}`, crd, "agc-tests", { force: true });
  for (const crd of crds) {
    for (let tries = 0; ; tries++) {
      const current = await client.get(`${CRD_PATH}/${crd.metadata.name}`);
      if ((current.status?.conditions ?? []).some((c: any) => c.type === "Established" && c.status === "True")) break;
      if (tries > 300) throw new Error(`CRD ${crd.metadata.name} not established within 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
