// `agc render --ir FILE [--out DIR] [--runtime-dir DIR]`: prints or writes the HAProxy
// configuration the data plane would run for an IR document. `agc render install` prints the
// controller's install manifests (render-install.ts).
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parseIr } from "../../model/ir";
import { render } from "../../dataplane/render";
import * as install from "./render-install";

export const summary = "print the HAProxy configuration of an IR document, or the controller's install manifests";

const HELP = `usage: agc render --ir FILE [--out DIR] [--runtime-dir DIR]
       agc render install [OPTIONS]   the ALB controller's install as YAML (--help for the options)

Prints the HAProxy configuration the data plane generates from an IR document.

  --ir FILE           IR document (JSON or YAML, apiVersion ir.agc.dev/v1)
  --out DIR           write haproxy.cfg, maps/ and certs/ (crt-lists) there instead of printing
  --runtime-dir DIR   where the data plane keeps sockets and files (default /run/agc,
                      or DIR when --out is given)`;

export function parseFlags(args: string[], known: string[]): { flags: Record<string, string>; error?: string } {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [name, inline] = a.split(/=(.*)/s, 2);
    if (!known.includes(name)) return { flags, error: `unknown option '${a}'` };
    const value = inline ?? args[++i];
    if (value === undefined) return { flags, error: `${name} needs a value` };
    flags[name] = value;
  }
  return { flags };
}

export async function main(args: string[]): Promise<number> {
  if (args[0] === "install") return install.main(args.slice(1));
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { flags, error } = parseFlags(args, ["--ir", "--out", "--runtime-dir"]);
  if (error || !flags["--ir"]) {
    console.error(`agc render: ${error ?? "--ir is required"}\n\n${HELP}`);
    return 2;
  }
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(flags["--ir"], "utf8"));
  } catch (e) {
    console.error(`agc render: cannot read ${flags["--ir"]}: ${(e as Error).message}`);
    return 1;
  }
  const parsed = parseIr(doc);
  if (!parsed.ok) {
    console.error(`agc render: ${flags["--ir"]} is not a valid IR document:\n  ${parsed.errors.join("\n  ")}`);
    return 1;
  }
  const out = flags["--out"] ? path.resolve(flags["--out"]) : undefined;
  const runtimeDir = flags["--runtime-dir"] ?? out ?? "/run/agc";
  const rendered = render(parsed.ir, { runtimeDir, filesDir: out ?? runtimeDir });
  if (!out) {
    process.stdout.write(rendered.haproxyCfg);
    for (const [name, text] of Object.entries(rendered.maps)) process.stdout.write(`\n# ---- maps/${name}\n${text}`);
    for (const [name, text] of Object.entries(rendered.crtLists)) process.stdout.write(`\n# ---- certs/${name}\n${text}`);
    return 0;
  }
  fs.mkdirSync(path.join(out, "maps"), { recursive: true });
  fs.writeFileSync(path.join(out, "haproxy.cfg"), rendered.haproxyCfg);
  for (const [name, text] of Object.entries(rendered.maps)) fs.writeFileSync(path.join(out, "maps", name), text);
  const crtLists = Object.entries(rendered.crtLists);
  if (crtLists.length) fs.mkdirSync(path.join(out, "certs"), { recursive: true });
  for (const [name, text] of crtLists) fs.writeFileSync(path.join(out, "certs", name), text);
  console.log(`wrote ${path.join(out, "haproxy.cfg")}, ${Object.keys(rendered.maps).length} map files and ${crtLists.length} crt-lists`);
  const certificates = Object.entries(rendered.certificates);
  if (certificates.length) {
    console.log(`certificates are assembled by the agent at run time (chain, then key): ${certificates
      .map(([name, files]) => `certs/${name} from ${files.certificateFile} and ${files.keyFile}`).join("; ")}`);
  }
  return 0;
}
