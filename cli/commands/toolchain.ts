import { spawnSync } from "child_process";
import { toolchainScript } from "../paths";

export const summary = "build Pulumi, its Node.js host and Kubernetes plugin, and a local Kubernetes from Go modules";

const HELP = `usage: agc toolchain [path]

Builds, once per version, the tools this project needs and cannot download:
pulumi, pulumi-language-nodejs, pulumi-resource-kubernetes, kube-apiserver,
kube-controller-manager, kube-scheduler, kubelet, kube-proxy, the pod sandbox's pause
program, the Gateway API conformance suite with that release's CRDs and its echo backend,
and CoreDNS (from Go modules, versions in toolchain/versions.env), and installs etcd-server,
haproxy, containerd, runc, the CNI plugins and iptables from Debian when missing.
Results are cached in ~/.cache/agc/toolchain (AGC_TOOLCHAIN_CACHE overrides), so any
checkout on this machine reuses them. Progress is printed per tool, with its log file.

  agc toolchain        build what is missing; prints the bin directory last
  agc toolchain path   print the bin directory without building anything`;

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  if (args.length > 1 || (args.length === 1 && args[0] !== "path")) {
    console.error(HELP);
    return 2;
  }
  const result = spawnSync("bash", [toolchainScript, ...args], { stdio: "inherit" });
  return result.status ?? 1;
}
