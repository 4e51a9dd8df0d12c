// A directory where this package is installed the way a user installs it: `npm pack`, then
// `npm install` of the tarball. The demo runs its program there; the tests run the examples.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { packageRoot } from "./paths";

/** Packs the package (built beforehand) and installs it into `dir`, replacing an older copy. */
export function installPackedPackage(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  // npm keeps an installed package of the same version: drop the old copy and its lock entry.
  for (const old of fs.readdirSync(dir).filter((f) => f.endsWith(".tgz") || f === "package-lock.json")) fs.rmSync(path.join(dir, old));
  fs.rmSync(path.join(dir, "node_modules", "pulumi-agc"), { recursive: true, force: true });
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: packageRoot, encoding: "utf8" });
  const tarball = out.trim().split("\n").pop()!;
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "agc-workspace", private: true, dependencies: { "pulumi-agc": `file:./${tarball}` } }, null, 2));
  // --prefer-offline: the dependencies are those of the checkout, already in npm's cache.
  execFileSync("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "pipe" });
}

/** Copies an example program (its Pulumi.yaml and sources, not its package.json) into `dest`. */
export function copyExample(name: string, dest: string): void {
  const src = path.join(packageRoot, "examples", name);
  fs.cpSync(src, dest, { recursive: true, filter: (f) => !f.includes("node_modules") && path.basename(f) !== "package.json" });
}
