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
  translate: () => require("./commands/translate"),
  migrate: () => require("./commands/migrate"),
  conformance: () => require("./commands/conformance"),
};

/** A command by name, or undefined when this version has no such command. */
export function findCommand(name: string): Command | undefined {
  try {
    return Object.prototype.hasOwnProperty.call(commands, name) ? commands[name]() : undefined;
  } catch {
    return undefined; // a command not built into this version
  }
}

export function usage(): string {
  const lines = ["usage: agc <command> [options]", "", "commands:"];
  for (const name of Object.keys(commands)) {
    const command = findCommand(name);
    if (command) lines.push(`  ${name.padEnd(11)} ${command.summary}`);
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
  const command = findCommand(name);
  if (!command) {
    console.error(`agc: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.main(rest);
}
