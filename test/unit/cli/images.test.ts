// The image builder's pure parts, the layer tar as GNU tar reads it, and the Dockerfiles
// against the builder's specs (they describe the same images for users with a registry).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildImages, parseImageList } from "../../../cli/images/build";
import { blobOf, imageConfig, imageIndex, imageManifest, MEDIA_TYPES } from "../../../cli/images/oci";
import { APP_FILES, HAPROXY_BINARY, imageSpecs, parseLdd, productionPackages, RUNTIMES } from "../../../cli/images/specs";
import { writeTar } from "../../../cli/images/tar";
import { packageRoot } from "../../../cli/paths";

const layer = { mediaType: MEDIA_TYPES.layer, digest: "sha256:" + "a".repeat(64), size: 1024 };

test("the image config names the entrypoint, environment and each layer's diff_id", () => {
  expect(imageConfig({ entrypoint: ["/echo-basic"], env: ["PATH=/bin"], workingDir: "/" }, [layer])).toEqual({
    architecture: "amd64",
    os: "linux",
    config: { Entrypoint: ["/echo-basic"], Env: ["PATH=/bin"], WorkingDir: "/" },
    rootfs: { type: "layers", diff_ids: ["sha256:" + "a".repeat(64)] },
  });
});

test("the manifest points at the config and the uncompressed layers; the index names the image once per name", () => {
  const config = blobOf({ os: "linux" }, MEDIA_TYPES.config);
  expect(config.descriptor).toEqual({
    mediaType: "application/vnd.oci.image.config.v1+json",
    // sha256sum of the 14 bytes {"os":"linux"}
    digest: "sha256:5809269daf2d55e988b09feecc13180c284754e4d2376d0f7297ab7c6a90b358",
    size: 14,
  });
  expect(config.bytes.toString()).toBe('{"os":"linux"}');
  const manifest = imageManifest({ ...config.descriptor, digest: "sha256:" + "c".repeat(64) }, [layer]);
  expect(manifest).toEqual({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: "sha256:" + "c".repeat(64), size: 14 },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: "sha256:" + "a".repeat(64), size: 1024 }],
  });
  const index = imageIndex({ mediaType: MEDIA_TYPES.manifest, digest: "sha256:" + "d".repeat(64), size: 300 }, ["registry.k8s.io/pause:3.10", "example.test/x:v1"]) as any;
  expect(index.manifests.map((m: any) => [m.digest, m.annotations["io.containerd.image.name"], m.annotations["org.opencontainers.image.ref.name"]])).toEqual([
    ["sha256:" + "d".repeat(64), "registry.k8s.io/pause:3.10", "3.10"],
    ["sha256:" + "d".repeat(64), "example.test/x:v1", "v1"],
  ]);
});

test("ldd's output gives the libraries and the loader, not the vDSO", () => {
  const out = [
    "\tlinux-vdso.so.1 (0x00007ffd3a1f1000)",
    "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0000000000)",
    "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0000100000)",
    "\t/lib64/ld-linux-x86-64.so.2 (0x00007f0000200000)",
  ].join("\n");
  expect(parseLdd(out)).toEqual(["/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"]);
});

test("production packages: not dev, outermost directories only", () => {
  const lock = {
    packages: {
      "": { name: "x" },
      "node_modules/yaml": {},
      "node_modules/jest": { dev: true },
      "node_modules/@pulumi/pulumi": {},
      "node_modules/@pulumi/pulumi/node_modules/semver": {},
      "node_modules/ws": {},
    },
  };
  expect(productionPackages(lock)).toEqual(["node_modules/@pulumi/pulumi", "node_modules/ws", "node_modules/yaml"]);
});

test("ctr's image list maps each name to its manifest digest", () => {
  const out = [
    "REF                                             TYPE                                       DIGEST                                                                  SIZE    PLATFORMS   LABELS",
    "registry.k8s.io/pause:3.10                      application/vnd.oci.image.manifest.v1+json sha256:8eba26c7745a5409b291146d1610e74745e8e8837e1a359560e4ce6f190daa7d 1.4 MiB linux/amd64 -",
  ].join("\n");
  expect([...parseImageList(out)]).toEqual([["registry.k8s.io/pause:3.10", "sha256:8eba26c7745a5409b291146d1610e74745e8e8837e1a359560e4ce6f190daa7d"]]);
});

test("a layer tar is what GNU tar reads: modes, links, long names, owner root, time zero", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-tar-"));
  try {
    const src = path.join(dir, "hello");
    fs.writeFileSync(src, "hello\n");
    const longName = `app/${"d".repeat(60)}/${"f".repeat(60)}.js`;
    const out = path.join(dir, "layer.tar");
    const { size } = await writeTar(
      [
        { type: "dir", path: "app", mode: 0o755 },
        { type: "file", path: "app/hello", mode: 0o755, size: 6, source: src },
        { type: "symlink", path: "app/link", target: "hello" },
        { type: "file", path: longName, mode: 0o644, size: 6, source: src },
      ],
      out,
    );
    expect(size).toBe(fs.statSync(out).size);
    const listing = execFileSync("tar", ["-tvf", out, "--numeric-owner"], { encoding: "utf8" }).trim().split("\n").map((l) => l.replace(/\s+/g, " "));
    expect(listing).toEqual([
      "drwxr-xr-x 0/0 0 1970-01-01 00:00 app/",
      "-rwxr-xr-x 0/0 6 1970-01-01 00:00 app/hello",
      "lrwxrwxrwx 0/0 0 1970-01-01 00:00 app/link -> hello",
      `-rw-r--r-- 0/0 6 1970-01-01 00:00 ${longName}`,
    ]);
    execFileSync("tar", ["-xf", out, "-C", dir]);
    expect(fs.readFileSync(path.join(dir, longName), "utf8")).toBe("hello\n");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a warm build reuses the archive and leaves the content hashes file alone; a changed file replaces its hash", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-images-"));
  try {
    const source = path.join(dir, "tool");
    fs.writeFileSync(source, "v1\n");
    const cache = path.join(dir, "cache");
    const spec = { id: "tool", names: ["example.test/tool:v1"], runtime: { entrypoint: ["/tool"], env: [], workingDir: "/" }, layers: [{ name: "tool", files: [{ source, target: "/tool" }] }] };
    const hashesFile = path.join(cache, "content-hashes.json");
    const [first] = await buildImages([spec], cache, () => {});
    const written = fs.statSync(hashesFile).mtimeMs;
    const [again] = await buildImages([spec], cache, () => {});
    expect(again).toEqual(first);
    expect(fs.statSync(hashesFile).mtimeMs).toBe(written);
    fs.writeFileSync(source, "v2\n");
    const [changed] = await buildImages([spec], cache, () => {});
    expect(changed.manifestDigest).not.toBe(first.manifestDigest);
    expect(Object.keys(JSON.parse(fs.readFileSync(hashesFile, "utf8")))).toEqual([source]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a rebuilt image replaces its older archive in the cache; other images' archives stay", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-images-"));
  try {
    const cache = path.join(dir, "cache");
    const specOf = (id: string, source: string) => ({ id, names: [`example.test/${id}:v1`], runtime: { entrypoint: ["/tool"], env: [], workingDir: "/" }, layers: [{ name: id, files: [{ source, target: "/tool" }] }] });
    const tool = path.join(dir, "tool");
    const other = path.join(dir, "other");
    fs.writeFileSync(tool, "v1\n");
    fs.writeFileSync(other, "o\n");
    const [first, kept] = await buildImages([specOf("tool", tool), specOf("tool-extra", other)], cache, () => {});
    fs.writeFileSync(tool, "v2\n");
    const [second] = await buildImages([specOf("tool", tool)], cache, () => {});
    const archives = fs.readdirSync(path.join(cache, "archives")).filter((f) => f.endsWith(".tar")).sort();
    expect(archives).toEqual([path.basename(second.archive), path.basename(kept.archive)].sort());
    expect(fs.existsSync(first.archive)).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** What a Dockerfile states that our builder must match: the final stage, and what it copies from earlier ones. */
function readDockerfile(file: string) {
  const all = fs.readFileSync(path.join(packageRoot, "images", file), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
  const stages = all.map((l, i) => (l.startsWith("FROM ") ? i : -1)).filter((i) => i >= 0);
  const lines = all.slice(stages.at(-1));
  const args = (k: string, from = lines) => from.filter((l) => l.startsWith(`${k} `)).map((l) => l.slice(k.length + 1).trim());
  const copies = args("COPY").map((l) => l.split(" "));
  return {
    entrypoint: JSON.parse(args("ENTRYPOINT")[0]),
    env: args("ENV").flatMap((l) => l.split(" ")),
    workingDir: args("WORKDIR")[0],
    copied: copies.filter((c) => !c[0].startsWith("--from=")).flatMap((c) => c.slice(0, -1)),
    /** [stage, source, target] of each COPY --from. */
    fromStages: copies.filter((c) => c[0].startsWith("--from=")).map((c) => [c[0].slice("--from=".length), c[1], c[2]]),
    /** ARG name=value of every stage. */
    buildArgs: Object.fromEntries(args("ARG", all).map((a) => a.split("="))),
    run: args("RUN").join("\n"),
    runAll: args("RUN", all).join("\n"),
  };
}

/** A pinned version from toolchain/versions.env. */
function pinnedVersion(name: string): string {
  const line = fs.readFileSync(path.join(packageRoot, "toolchain", "versions.env"), "utf8").split("\n").find((l) => l.startsWith(`${name}=`));
  return line!.slice(name.length + 1);
}

/** What each image of the package runs. */
const ENTRYPOINTS = {
  controller: ["node", "/app/bin/agc.js", "controller"],
  dataplane: ["node", "/app/bin/agc.js", "dataplane"],
  "ws-echo": ["node", "/app/dist/apps/ws-echo/server.js"],
};

describe.each(["controller", "dataplane", "ws-echo"] as const)("the %s Dockerfile and the image builder", (id) => {
  const host = { packageRoot: "/src", toolchainBin: "/bin", gatewayApiCrds: "/cache/gateway-api-crds/standard", nodeLibraries: [], haproxyLibraries: [], productionPackages: ["node_modules/ws"] };
  const spec = imageSpecs(host).find((s) => s.id === id)!;
  const docker = readDockerfile(`${id}.Dockerfile`);

  test("run the same command in the same directory with the same environment", () => {
    expect(docker.entrypoint).toEqual(ENTRYPOINTS[id]);
    expect(spec.runtime.entrypoint).toEqual(docker.entrypoint);
    expect(spec.runtime.workingDir).toBe(docker.workingDir);
    expect(spec.runtime.env).toEqual(docker.env);
    expect(RUNTIMES[id]).toBe(spec.runtime);
  });

  test("carry the same files of the package, and only production dependencies", () => {
    // The lock file is what `npm ci --omit=dev` installs node_modules from; ours reads it too.
    expect(docker.copied.filter((f) => f !== "package-lock.json").sort()).toEqual([...APP_FILES].sort());
    expect(docker.run).toContain("npm ci --omit=dev");
    const app = spec.layers.find((l) => l.name === "app")!;
    expect(app.files.map((f) => f.target)).toEqual(["/app/package.json", "/app/bin", "/app/dist", "/app/crds", "/app/node_modules/ws"]);
  });

  test(id === "dataplane" ? "install HAProxy from Debian at the path the agent runs" : "carry no HAProxy", () => {
    const hasHaproxyLayer = spec.layers.some((l) => l.files.some((f) => f.target === HAPROXY_BINARY));
    expect(hasHaproxyLayer).toBe(id === "dataplane");
    expect(/apt-get install .*\bhaproxy\b/.test(docker.run)).toBe(id === "dataplane");
  });

  test(id === "controller" ? "carry the pinned Gateway API release's standard CRDs where the bootstrap reads them" : "carry no Gateway API CRDs", () => {
    const crdTargets = spec.layers.flatMap((l) => l.files).filter((f) => f.target.includes("gateway-api-crds"));
    if (id !== "controller") {
      expect(crdTargets).toEqual([]);
      expect(docker.fromStages).toEqual([]);
      return;
    }
    expect(crdTargets).toEqual([{ source: "/cache/gateway-api-crds/standard", target: "/app/gateway-api-crds/standard" }]);
    expect(docker.fromStages).toEqual([["gateway-api", "/crds", "/app/gateway-api-crds/standard"]]);
    // The same release the toolchain builds the conformance suite of and copies the CRDs from.
    expect(pinnedVersion("GATEWAY_API_CONFORMANCE_VERSION")).toBe("1.6.3");
    expect(docker.buildArgs.GATEWAY_API_VERSION).toBe(`v${pinnedVersion("GATEWAY_API_CONFORMANCE_VERSION")}`);
    expect(docker.runAll).toContain('go mod download -json "sigs.k8s.io/gateway-api@${GATEWAY_API_VERSION}"');
    expect(docker.runAll).toContain("config/crd/standard/*.yaml");
  });
});
