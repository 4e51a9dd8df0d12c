import { clusterLayout } from "../cluster/local";
import { buildImages, hostImageSpecs, imageCacheDir, importImages } from "../images/build";
import { packageRoot, requireToolchainBin, stateDir } from "../paths";
import * as fs from "fs";

export const summary = "build the project's images from host binaries and import them into the local cluster's containerd";

const HELP = `usage: agc images [NAME...] [--no-import]

Builds OCI images with no registry, from what is on this machine, and imports them into the
local cluster's containerd (namespace k8s.io), so pods run them with imagePullPolicy
IfNotPresent or Never:

  pause        the pod sandbox (registry.k8s.io/pause:3.10, containerd's sandbox_image)
  echo-basic   the Gateway API conformance backend, under the names its manifests use
  coredns      the DNS server the conformance suite's base manifests run
  controller   node, its libraries, and this package (dist, bin, crds, production node_modules)
  dataplane    the same plus HAProxy from the host's Debian package
  ws-echo      the WebSocket echo server (apps/ws-echo), WebSocketService's default backend

An image is built again only when the content of its inputs changed, and imported only when
containerd does not hold it already. Images are kept in ${imageCacheDir()}.

  NAME...       only these images (default: all)
  --no-import   build only (no cluster needed)`;

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const only = args.filter((a) => !a.startsWith("--"));
  const log = (msg: string) => console.error(`images: ${msg}`);
  const started = Date.now();
  const images = await buildImages(hostImageSpecs(packageRoot, requireToolchainBin()), imageCacheDir(), log, only.length ? only : undefined);
  if (!args.includes("--no-import")) {
    const socket = clusterLayout(stateDir()).node.containerdSocket;
    if (!fs.existsSync(socket)) throw new Error(`the local cluster's containerd is not running (no socket at ${socket}); run \`agc cluster up\` first, or pass --no-import`);
    importImages(images, socket, log);
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
