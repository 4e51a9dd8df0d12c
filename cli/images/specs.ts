// The images `agc images` builds, as data: which host files go where, and what runs. The
// project's Dockerfiles (images/*.Dockerfile) describe the same images of the package for users
// with a registry; a unit test keeps them in step with APP_FILES and the runtime configs here.
import { CONTROLLER_IMAGE, DATAPLANE_IMAGE, IMAGE_GATEWAY_API_CRDS, WS_ECHO_IMAGE } from "../../model/images";
import { PAUSE_IMAGE } from "../cluster/node";
import { RuntimeConfig } from "./oci";

export { CONTROLLER_IMAGE, DATAPLANE_IMAGE, WS_ECHO_IMAGE };

const APP_DIR = "/app";
/** What of the package the controller, data plane and ws-echo images carry (plus production node_modules). */
export const APP_FILES = ["package.json", "bin", "dist", "crds"];
export const NODE_BINARY = "/usr/bin/node";
export const HAPROXY_BINARY = "/usr/sbin/haproxy";

const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The names the Gateway API conformance manifests (base/manifests.yaml and tests/) use. */
const ECHO_BASIC_IMAGES = [
  "registry.k8s.io/gateway-api/echo-basic:v1.5.1",
  "registry.k8s.io/gateway-api/echo-basic:v1.6.0-dev.3",
  "registry.k8s.io/gateway-api/echo-basic:v1.6.0-dev.2",
];
/** The DNS server the conformance suite's base manifests run (its UDPRoute tests query it). */
const COREDNS_IMAGES = ["registry.k8s.io/coredns/coredns:v1.12.2"];

/** `agc <command>` from the package in the image. */
const appRuntime = (command: "controller" | "dataplane"): RuntimeConfig => ({
  entrypoint: ["node", `${APP_DIR}/bin/agc.js`, command],
  env: [PATH_ENV, "NODE_ENV=production"],
  workingDir: APP_DIR,
});

/** The WebSocket echo server, compiled into the package's dist/. */
const wsEchoRuntime: RuntimeConfig = {
  entrypoint: ["node", `${APP_DIR}/dist/apps/ws-echo/server.js`],
  env: [PATH_ENV, "NODE_ENV=production"],
  workingDir: APP_DIR,
};

export const RUNTIMES: Record<"controller" | "dataplane" | "ws-echo", RuntimeConfig> = {
  controller: appRuntime("controller"),
  dataplane: appRuntime("dataplane"),
  "ws-echo": wsEchoRuntime,
};

/** A host path and where it goes in the image (a directory is taken whole). */
export interface FileSpec {
  source: string;
  target: string;
}

export interface LayerSpec {
  /** Shown in progress lines and part of the cache key. */
  name: string;
  files: FileSpec[];
}

export interface ImageSpec {
  /** Short name for `agc images NAME` and progress lines. */
  id: string;
  names: string[];
  runtime: RuntimeConfig;
  layers: LayerSpec[];
}

/** The libraries `ldd` names (absolute paths; the vDSO has none). */
export function parseLdd(output: string): string[] {
  const paths: string[] = [];
  for (const line of output.split("\n")) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) paths.push(m[1]);
  }
  return [...new Set(paths)];
}

/**
 * The package directories a production install has, from package-lock.json (v2/v3):
 * every entry not marked dev, outermost directories only (a nested one is inside its parent).
 */
export function productionPackages(lock: { packages?: Record<string, { dev?: boolean; [field: string]: unknown }> }): string[] {
  const dirs = Object.entries(lock.packages ?? {})
    .filter(([dir, info]) => dir.startsWith("node_modules/") && !info.dev)
    .map(([dir]) => dir)
    .sort();
  return dirs.filter((d) => !dirs.some((outer) => outer !== d && d.startsWith(outer + "/")));
}

/** A binary and its shared libraries, each at the path the binary looks it up by. */
function binaryLayer(name: string, binary: string, libraries: string[]): LayerSpec {
  return { name, files: [binary, ...libraries].map((p) => ({ source: p, target: p })) };
}

function appLayer(packageRoot: string, packages: string[]): LayerSpec {
  return {
    name: "app",
    files: [...APP_FILES, ...packages].map((f) => ({ source: `${packageRoot}/${f}`, target: `${APP_DIR}/${f}` })),
  };
}

export interface HostInputs {
  packageRoot: string;
  toolchainBin: string;
  /** The Gateway API release's standard CRD files (the toolchain keeps them); the bootstrap installs them. */
  gatewayApiCrds: string;
  nodeLibraries: string[];
  haproxyLibraries: string[];
  productionPackages: string[];
}

/** An image of one static binary of the toolchain, at `/<id>`, which it runs. */
function staticBinaryImage(toolchainBin: string, id: string, names: string[]): ImageSpec {
  return {
    id,
    names,
    runtime: { entrypoint: [`/${id}`], env: [PATH_ENV], workingDir: "/" },
    layers: [{ name: id, files: [{ source: `${toolchainBin}/${id}`, target: `/${id}` }] }],
  };
}

/** The pod sandbox's image: what a node needs before its first pod. */
export const pauseImage = (toolchainBin: string) => staticBinaryImage(toolchainBin, "pause", [PAUSE_IMAGE]);

/** Every image, from what was found on the host. */
export function imageSpecs(host: HostInputs): ImageSpec[] {
  const node = binaryLayer("node", NODE_BINARY, host.nodeLibraries);
  const app = appLayer(host.packageRoot, host.productionPackages);
  return [
    pauseImage(host.toolchainBin),
    staticBinaryImage(host.toolchainBin, "echo-basic", ECHO_BASIC_IMAGES),
    staticBinaryImage(host.toolchainBin, "coredns", COREDNS_IMAGES),
    {
      id: "controller",
      names: [CONTROLLER_IMAGE],
      runtime: RUNTIMES.controller,
      layers: [node, app, { name: "gateway-api-crds", files: [{ source: host.gatewayApiCrds, target: IMAGE_GATEWAY_API_CRDS }] }],
    },
    // node and app first, as in the controller: containerd unpacks that chain once for both.
    { id: "dataplane", names: [DATAPLANE_IMAGE], runtime: RUNTIMES.dataplane, layers: [node, app, binaryLayer("haproxy", HAPROXY_BINARY, host.haproxyLibraries)] },
    // The controller's very layers under another entrypoint: nothing more to store or unpack.
    { id: "ws-echo", names: [WS_ECHO_IMAGE], runtime: RUNTIMES["ws-echo"], layers: [node, app] },
  ];
}
