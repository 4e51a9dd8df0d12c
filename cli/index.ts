// Dispatches `agc <command> ...` to cli/commands/<command>.ts. Each command module exports
// `summary` (one line for `agc --help`) and `main(args)`, which returns the exit code.

import * as path from "path";
import { packageRoot } from "./paths";

export interface Command {
  summary: string;
  main(args: string[]): Promise<number>;
}

const commands: Record<string, () => Command> = {
  toolchain: () => require("./commands/toolchain"),
  cluster: () => require("./commands/cluster"),
  images: () => require("./commands/images"),
  demo: () => require("./commands/demo"),
  dataplane: () => require("./commands/dataplane"),
  controller: () => require("./commands/controller"),
  render: () => require("./commands/render"),
};

export function usage(): string {
  const lines = ["usage: agc <command> [options]", "", "commands:"];
  for (const [name, load] of Object.entries(commands)) {
    let summary: string;
    try {
      summary = load().summary;
    } catch {
      continue; // a command not built into this version
    }
    lines.push(`  ${name.padEnd(11)} ${summary}`);
  }
  lines.push("", "Run `agc <command> --help` for a command's options; `agc --version` for the version.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v") {
    console.log(require(path.join(packageRoot, "package.json")).version);
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  let command: Command | undefined;
  try {
    command = load?.();
  } catch {
    command = undefined;
  }
  if (!command) {
    console.error(`agc: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.main(rest);
}
