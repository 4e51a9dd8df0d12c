#!/usr/bin/env node
// The `agc` command. Sources are TypeScript under cli/; `npm run build` compiles them to dist/.
const path = require("path");
let cli;
try {
  cli = require(path.join(__dirname, "..", "dist", "cli", "index.js"));
} catch (err) {
  if (err && err.code === "MODULE_NOT_FOUND") {
    console.error("agc: the package is not built yet; run `npm run build` in " + path.join(__dirname, ".."));
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  console.error(`agc: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
