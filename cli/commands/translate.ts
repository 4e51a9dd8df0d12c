// `agc translate -f FILE [-o yaml|json]`: what the controller would make of a set of objects,
// offline: every data plane's IR, every status, every warning.
import * as fs from "fs";
import * as YAML from "yaml";
import { CONTROLLER_NAME, translate } from "../../translate";
import { ASSIGNED_ADDRESSES_KIND, snapshotFromObjects } from "../../translate/snapshot";
import { parseFlags } from "./render";

export const summary = "print the data plane IRs and statuses the controller would make of Kubernetes objects";

const HELP = `usage: agc translate -f FILE [-o yaml|json]

  -f, --filename FILE   Kubernetes objects (YAML documents or a List; '-' reads stdin): Gateway API,
                        Ingress, Services, EndpointSlices, Secrets, Namespaces and alb.agc.dev objects
  -o, --output FORMAT   yaml (default) or json

Addresses of frontend Services can be given in a document of kind ${ASSIGNED_ADDRESSES_KIND}:
  kind: ${ASSIGNED_ADDRESSES_KIND}
  addresses: {Gateway/default/my-gateway: [192.0.2.10], Frontend/agc-system/fe: [10.1.0.4]}`;

/**
 * The YAML documents of a file or stdin ('-'); undefined, with the reason printed as
 * `<command>: cannot read FILE: ...`, when the file cannot be read or is not valid YAML.
 */
export function readObjects(command: string, file: string): unknown[] | undefined {
  try {
    const docs = YAML.parseAllDocuments(fs.readFileSync(file === "-" ? 0 : file, "utf8"));
    const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
    if (errors.length) throw new Error(`${file} is not valid YAML: ${errors.join("; ")}`);
    return docs.map((d) => d.toJS()).filter(Boolean);
  } catch (e) {
    console.error(`${command}: cannot read ${file}: ${(e as Error).message}`);
    return undefined;
  }
}

export function normalizeFlags(args: string[]): string[] {
  return args.map((a) => (a === "-f" ? "--filename" : a === "-o" ? "--output" : a));
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { flags, error } = parseFlags(normalizeFlags(args), ["--filename", "--output"]);
  const output = flags["--output"] ?? "yaml";
  const problem = error ?? (!flags["--filename"] ? "-f is required" : !["yaml", "json"].includes(output) ? `-o '${output}' is not a format; use yaml or json` : undefined);
  if (problem) {
    console.error(`agc translate: ${problem}\n\n${HELP}`);
    return 2;
  }
  const objects = readObjects("agc translate", flags["--filename"]);
  if (!objects) return 1;
  const { snapshot, ignored } = snapshotFromObjects(objects);
  if (ignored.length) console.error(`agc translate: ignored (not read by the translator): ${ignored.join(", ")}`);
  let result;
  try {
    result = translate(snapshot, { controllerName: CONTROLLER_NAME });
  } catch (e) {
    // The API server validates objects against their schemas; a hand-written file may not be.
    console.error(`agc translate: ${flags["--filename"]} holds an object the translator cannot read (is it valid against its CRD schema?): ${(e as Error).message}`);
    return 1;
  }
  process.stdout.write(output === "json" ? `${JSON.stringify(result, null, 2)}\n` : YAML.stringify(result, { lineWidth: 0, aliasDuplicateObjects: false }));
  return 0;
}
