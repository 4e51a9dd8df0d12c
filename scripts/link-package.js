// The repository's own Pulumi program (Pulumi.yaml: examples/websocket) imports `pulumi-agc`
// by name, as a user's program does. A package cannot import itself by name from its own tree,
// so the build links node_modules/pulumi-agc to the package root (ignored by git, as all of
// node_modules; `npm ci` removes it, the next build makes it again).
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", require(path.join(root, "package.json")).name);
let current;
try {
  current = fs.readlinkSync(link);
} catch {
  current = undefined; // absent, or not a link
}
if (current !== "..") {
  fs.rmSync(link, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync("..", link, "dir");
}
