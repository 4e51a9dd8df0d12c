// Builds the images of specs.ts into OCI archives (cached by the content of their inputs) and
// imports them into the local cluster's containerd. The I/O edge of the image builder.
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { gatewayApiCrdsIn } from "../paths";
import { Descriptor, MEDIA_TYPES, OCI_LAYOUT, blobOf, imageConfig, imageIndex, imageManifest } from "./oci";
import { HAPROXY_BINARY, ImageSpec, LayerSpec, NODE_BINARY, imageSpecs, parseLdd, productionPackages } from "./specs";
import { TarEntry, writeTar } from "./tar";

type Log = (msg: string) => void;

export interface BuiltImage {
  id: string;
  names: string[];
  manifestDigest: string;
  archive: string;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const megabytes = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** The image specs for this machine: libraries as `ldd` finds them, packages as the lock lists them. */
export function hostImageSpecs(packageRoot: string, toolchainBin: string): ImageSpec[] {
  const ldd = (binary: string) => parseLdd(execFileSync("ldd", [binary], { encoding: "utf8" }));
  const lockFile = path.join(packageRoot, "package-lock.json");
  // npm never packs the lock file: the production dependencies are known in a checkout only.
  if (!fs.existsSync(lockFile)) throw new Error(`agc images builds the controller and data plane images from a checkout of pulumi-agc (it reads ${lockFile}, which is missing); use images/*.Dockerfile elsewhere`);
  const lock = JSON.parse(fs.readFileSync(lockFile, "utf8"));
  const gatewayApiCrds = gatewayApiCrdsIn(toolchainBin);
  if (!fs.existsSync(gatewayApiCrds)) throw new Error(`the toolchain has no Gateway API CRDs (expected them in ${gatewayApiCrds}), which the controller image carries; run \`agc toolchain\``);
  return imageSpecs({
    packageRoot,
    toolchainBin,
    gatewayApiCrds,
    nodeLibraries: ldd(NODE_BINARY),
    haproxyLibraries: fs.existsSync(HAPROXY_BINARY) ? ldd(HAPROXY_BINARY) : [],
    productionPackages: productionPackages(lock).filter((p) => fs.existsSync(path.join(packageRoot, p))),
  });
}

const relative = (target: string) => target.replace(/^\/+/, "");

/** The tar entries of a layer: files and directories, their parents, in path order. */
function layerEntries(layer: LayerSpec): TarEntry[] {
  const entries = new Map<string, TarEntry>();
  const addParents = (p: string) => {
    for (let dir = path.posix.dirname(p); dir !== "." && dir !== "/" && !entries.has(dir); dir = path.posix.dirname(dir)) {
      entries.set(dir, { type: "dir", path: dir, mode: 0o755 });
    }
  };
  const visit = (source: string, target: string, follow: boolean) => {
    const st = follow ? fs.statSync(source) : fs.lstatSync(source);
    addParents(target);
    if (st.isSymbolicLink()) entries.set(target, { type: "symlink", path: target, target: fs.readlinkSync(source) });
    else if (st.isDirectory()) {
      entries.set(target, { type: "dir", path: target, mode: st.mode & 0o7777 });
      for (const name of fs.readdirSync(source)) visit(path.join(source, name), `${target}/${name}`, false);
    } else if (st.isFile()) entries.set(target, { type: "file", path: target, mode: st.mode & 0o7777, size: st.size, source });
  };
  // The named paths themselves are followed (a library path is often a link to the file).
  for (const f of layer.files) {
    if (!fs.existsSync(f.source)) throw new Error(`image layer ${layer.name}: ${f.source} does not exist`);
    visit(f.source, relative(f.target), true);
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * sha256 of each file's content, remembered per path with the inode, size and mtime it had, so
 * a warm run only stats; the file is written again only when a hash was added or replaced.
 */
class ContentHashes {
  private readonly memo: Record<string, { stat: string; sha256: string }> = {};
  private changed = false;
  constructor(private readonly file: string) {
    let saved: Record<string, unknown> = {};
    try {
      saved = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      /* none yet */
    }
    for (const [source, entry] of Object.entries(saved)) {
      if (typeof entry === "object" && entry) this.memo[source] = entry as { stat: string; sha256: string };
      else this.changed = true; // an entry of the earlier format (keyed by path and stat): dropped
    }
  }
  of(source: string): string {
    const st = fs.statSync(source);
    const stat = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    const known = this.memo[source];
    if (known?.stat === stat) return known.sha256;
    this.changed = true;
    const sha256 = createHash("sha256").update(fs.readFileSync(source)).digest("hex");
    this.memo[source] = { stat, sha256 };
    return sha256;
  }
  save(): void {
    if (this.changed) fs.writeFileSync(this.file, JSON.stringify(this.memo));
  }
}

async function buildLayer(layer: LayerSpec, cacheDir: string, hashes: ContentHashes, log: Log, imageId: string): Promise<Descriptor> {
  const entries = layerEntries(layer);
  const key = createHash("sha256")
    .update(JSON.stringify(entries.map((e) => (e.type === "file" ? { ...e, source: hashes.of(e.source) } : e))))
    .digest("hex");
  const dir = path.join(cacheDir, "layers");
  const meta = path.join(dir, `${key}.json`);
  if (fs.existsSync(meta)) return JSON.parse(fs.readFileSync(meta, "utf8")) as Descriptor;
  const started = Date.now();
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `${key}.tar.tmp`);
  const { digest, size } = await writeTar(entries, tmp);
  fs.renameSync(tmp, path.join(dir, `${digest.slice(7)}.tar`));
  const descriptor: Descriptor = { mediaType: MEDIA_TYPES.layer, digest, size };
  fs.writeFileSync(meta, JSON.stringify(descriptor));
  log(`${imageId}: layer ${layer.name} built (${entries.length} entries, ${megabytes(size)}) in ${seconds(started)}`);
  return descriptor;
}

/** Builds one image's archive unless an archive of the same manifest exists. */
async function buildImage(spec: ImageSpec, cacheDir: string, hashes: ContentHashes, log: Log): Promise<BuiltImage> {
  const layers: Descriptor[] = [];
  for (const layer of spec.layers) layers.push(await buildLayer(layer, cacheDir, hashes, log, spec.id));
  const config = blobOf(imageConfig(spec.runtime, layers), MEDIA_TYPES.config);
  const manifest = blobOf(imageManifest(config.descriptor, layers), MEDIA_TYPES.manifest);
  const index = Buffer.from(JSON.stringify(imageIndex(manifest.descriptor, spec.names)));
  const archives = path.join(cacheDir, "archives");
  const archive = path.join(archives, `${spec.id}-${createHash("sha256").update(index).digest("hex").slice(0, 16)}.tar`);
  const built = { id: spec.id, names: spec.names, manifestDigest: manifest.descriptor.digest, archive };
  if (fs.existsSync(archive)) return built;
  const started = Date.now();
  const blobs = path.join(archives, "blobs");
  fs.mkdirSync(blobs, { recursive: true });
  const jsonFile = (name: string, bytes: Buffer) => {
    const f = path.join(blobs, name);
    fs.writeFileSync(f, bytes);
    return { type: "file" as const, mode: 0o644, size: bytes.length, source: f };
  };
  const blobPath = (digest: string) => `blobs/sha256/${digest.slice(7)}`;
  const entries: TarEntry[] = [
    { ...jsonFile("oci-layout", Buffer.from(JSON.stringify(OCI_LAYOUT))), path: "oci-layout" },
    { ...jsonFile(`${spec.id}-index.json`, index), path: "index.json" },
    { type: "dir", path: "blobs", mode: 0o755 },
    { type: "dir", path: "blobs/sha256", mode: 0o755 },
    { ...jsonFile(config.descriptor.digest.slice(7), config.bytes), path: blobPath(config.descriptor.digest) },
    { ...jsonFile(manifest.descriptor.digest.slice(7), manifest.bytes), path: blobPath(manifest.descriptor.digest) },
    ...layers.map((l) => ({ type: "file" as const, mode: 0o644, size: l.size, source: path.join(cacheDir, "layers", `${l.digest.slice(7)}.tar`), path: blobPath(l.digest) })),
  ];
  await writeTar(entries, `${archive}.tmp`);
  fs.renameSync(`${archive}.tmp`, archive);
  removeOlderArchives(archives, spec.id, archive);
  log(`${spec.id}: archive written in ${seconds(started)}`);
  return built;
}

/**
 * Removes the image's archives other than `keep`: each build of changed content writes a new
 * one, and kept, they fill the disk until the kubelet starts collecting images (the pause
 * image among them, after which no pod starts).
 */
function removeOlderArchives(archives: string, id: string, keep: string): void {
  const ofImage = new RegExp(`^${id}-[0-9a-f]{16}\\.tar$`); // image ids: lower-case letters and '-'
  for (const file of fs.readdirSync(archives)) {
    const full = path.join(archives, file);
    if (ofImage.test(file) && full !== keep) fs.rmSync(full, { force: true });
  }
}

/** Builds the images named in `only` (their ids), or all of them. */
export async function buildImages(specs: ImageSpec[], cacheDir: string, log: Log, only?: string[]): Promise<BuiltImage[]> {
  const unknown = (only ?? []).filter((id) => !specs.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown image ${unknown.join(", ")}; the images are ${specs.map((s) => s.id).join(", ")}`);
  fs.mkdirSync(cacheDir, { recursive: true });
  const hashes = new ContentHashes(path.join(cacheDir, "content-hashes.json"));
  const built: BuiltImage[] = [];
  try {
    for (const spec of specs.filter((s) => !only || only.includes(s.id))) {
      const started = Date.now();
      const image = await buildImage(spec, cacheDir, hashes, log);
      log(`${spec.id}: ${image.manifestDigest.slice(0, 19)} ready in ${seconds(started)}`);
      built.push(image);
    }
  } finally {
    hashes.save();
  }
  return built;
}

/** `ctr` against a containerd's CRI namespace, where the kubelet's images and tasks are. */
export const ctr = (socket: string, args: string[]) => execFileSync("ctr", ["--address", socket, "--namespace", "k8s.io", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });

/** Image name to manifest digest, as containerd's `ctr images ls` lists them. */
export function parseImageList(output: string): Map<string, string> {
  const images = new Map<string, string>();
  for (const line of output.split("\n").slice(1)) {
    const [ref, , digest] = line.trim().split(/\s+/);
    if (ref && digest?.startsWith("sha256:")) images.set(ref, digest);
  }
  return images;
}

/** Imports each image whose names containerd does not already hold at the same digest. */
export function importImages(images: BuiltImage[], socket: string, log: Log): void {
  const present = parseImageList(ctr(socket, ["images", "ls"]));
  for (const image of images) {
    if (image.names.every((n) => present.get(n) === image.manifestDigest)) {
      log(`${image.id}: already in containerd`);
      continue;
    }
    const started = Date.now();
    ctr(socket, ["images", "import", image.archive]);
    log(`${image.id}: imported as ${image.names.join(", ")} in ${seconds(started)}`);
  }
}

/** Where built images are kept: beside the toolchain, shared by every checkout and cluster. */
export function imageCacheDir(): string {
  const toolchainCache = process.env.AGC_TOOLCHAIN_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME ?? "/root", ".cache"), "agc", "toolchain");
  return path.join(path.dirname(toolchainCache), "images");
}
