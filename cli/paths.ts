// Where the agc command finds its tools and keeps its local state.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { IMAGE_GATEWAY_API_CRDS } from "../model/images";

/** The root of this package (a checkout, or node_modules/pulumi-agc), from sources or dist/. */
export const packageRoot = findPackageRoot(__dirname);

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-agc") return dir;
    if (path.dirname(dir) === dir) throw new Error(`pulumi-agc: no package.json of pulumi-agc above ${start}`);
  }
}

/**
 * Local state (cluster data, kubeconfig, Pulumi's file backend): `.agc/` in the checkout, or in
 * the current directory when the package is installed elsewhere; AGC_STATE_DIR overrides both.
 */
export function stateDir(): string {
  if (process.env.AGC_STATE_DIR) return path.resolve(process.env.AGC_STATE_DIR);
  const base = fs.existsSync(path.join(packageRoot, ".git")) ? packageRoot : process.cwd();
  return path.join(base, ".agc");
}

export const toolchainScript = path.join(packageRoot, "scripts", "toolchain.sh");

let cachedBin: string | undefined;

/** The toolchain's bin directory (it may not be built yet); AGC_TOOLCHAIN_BIN overrides it. */
export function toolchainBin(): string {
  if (process.env.AGC_TOOLCHAIN_BIN) return process.env.AGC_TOOLCHAIN_BIN;
  // The path depends only on the pinned versions: ask the script once per process.
  cachedBin ??= execFileSync("bash", [toolchainScript, "path"], { encoding: "utf8" }).trim();
  return cachedBin;
}

/** The toolchain bin directory, or an error that says how to build it. */
export function requireToolchainBin(): string {
  const bin = toolchainBin();
  if (!fs.existsSync(path.join(bin, "kube-apiserver"))) {
    throw new Error(`the toolchain is not built yet (expected it in ${bin}); run \`agc toolchain\` (or \`npm run toolchain\`) first`);
  }
  return bin;
}

/**
 * Where a toolchain bin directory keeps the standard channel's Gateway API CRDs, copied from the
 * release it builds the conformance suite of.
 */
export const gatewayApiCrdsIn = (bin: string) => path.join(bin, "gateway-api-crds", "standard");

/**
 * The toolchain's Gateway API CRDs, or undefined where there is no toolchain (in a cluster the
 * bootstrap image carries them).
 */
export function toolchainGatewayApiCrds(): string | undefined {
  let bin: string;
  try {
    bin = toolchainBin();
  } catch {
    return undefined; // no toolchain script here
  }
  const dir = gatewayApiCrdsIn(bin);
  return fs.existsSync(dir) ? dir : undefined;
}

/**
 * The Gateway API CRDs to install when no directory is named: those the controller image
 * carries, else the toolchain's; undefined when there are neither.
 */
export function defaultGatewayApiCrds(): string | undefined {
  return fs.existsSync(IMAGE_GATEWAY_API_CRDS) ? IMAGE_GATEWAY_API_CRDS : toolchainGatewayApiCrds();
}
