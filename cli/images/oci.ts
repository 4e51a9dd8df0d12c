// OCI image documents (config, manifest, index) for an image archive `ctr images import`
// reads. Pure: layers are described by their digest and size, computed elsewhere.
import { createHash } from "crypto";

export const MEDIA_TYPES = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  // Uncompressed: the archive stays on this machine, and gzip would cost more than it saves.
  layer: "application/vnd.oci.image.layer.v1.tar",
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** What a container runs: the parts of an image config a Dockerfile also states. */
export interface RuntimeConfig {
  entrypoint: string[];
  env: string[];
  workingDir: string;
}

/** A JSON document and its descriptor; the bytes are what the digest names. */
export interface Blob {
  bytes: Buffer;
  descriptor: Descriptor;
}

export function blobOf(doc: object, mediaType: string): Blob {
  const bytes = Buffer.from(JSON.stringify(doc));
  return { bytes, descriptor: { mediaType, digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, size: bytes.length } };
}

/** The image config: uncompressed layers, so each layer's diff_id is its digest. */
export function imageConfig(runtime: RuntimeConfig, layers: Descriptor[]): object {
  return {
    architecture: "amd64",
    os: "linux",
    config: { Entrypoint: runtime.entrypoint, Env: runtime.env, WorkingDir: runtime.workingDir },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
  };
}

export function imageManifest(config: Descriptor, layers: Descriptor[]): object {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: MEDIA_TYPES.config, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: MEDIA_TYPES.layer, digest: l.digest, size: l.size })),
  };
}

/** The archive's index: one entry per name, each naming the image for containerd. */
export function imageIndex(manifest: Descriptor, names: string[]): object {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: names.map((name) => ({
      mediaType: MEDIA_TYPES.manifest,
      digest: manifest.digest,
      size: manifest.size,
      platform: { architecture: "amd64", os: "linux" },
      annotations: { "io.containerd.image.name": name, "org.opencontainers.image.ref.name": name.slice(name.lastIndexOf(":") + 1) },
    })),
  };
}

export const OCI_LAYOUT = { imageLayoutVersion: "1.0.0" };
