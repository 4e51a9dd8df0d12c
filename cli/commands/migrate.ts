// `agc migrate -f FILE`: rewrites Ingresses of extensions/v1beta1 and networking.k8s.io/v1beta1
// as networking.k8s.io/v1 (other objects pass through unchanged) and prints the result.
import * as YAML from "yaml";
import { migrateObject } from "../../translate/migrate";
import { parseFlags } from "./render";
import { normalizeFlags, readObjects } from "./translate";

export const summary = "convert old Ingresses (extensions/v1beta1, networking.k8s.io/v1beta1) to networking.k8s.io/v1";

const HELP = `usage: agc migrate -f FILE

  -f, --filename FILE   YAML documents ('-' reads stdin); the converted documents go to stdout,
                        a line per change to stderr`;

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { flags, error } = parseFlags(normalizeFlags(args), ["--filename"]);
  if (error || !flags["--filename"]) {
    console.error(`agc migrate: ${error ?? "-f is required"}\n\n${HELP}`);
    return 2;
  }
  const objects = readObjects("agc migrate", flags["--filename"]);
  if (!objects) return 1;
  const migrated = objects.map(migrateObject);
  for (const m of migrated) for (const c of m.changes) console.error(c);
  process.stdout.write(migrated.map((m) => YAML.stringify(m.object, { lineWidth: 0 })).join("---\n"));
  return 0;
}
