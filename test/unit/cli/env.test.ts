import { execFileSync } from "child_process";
import { formatExports } from "../../../cli/env";

/** Evaluates the exports in sh, as `eval "$(agc cluster env)"` does, and reads one variable back. */
function readBack(exports: string, name: string): string {
  return execFileSync("sh", ["-c", `eval "$X"; printf %s "$${name}"`], { env: { PATH: process.env.PATH, X: exports }, encoding: "utf8" });
}

describe("formatExports", () => {
  const values: Record<string, string> = {
    PLAIN: "/usr/bin:/bin",
    SPACES: "/home/a user/.agc state/pulumi-state",
    QUOTE: "it's 'quoted'",
    ONLY_QUOTE: "'",
    SHELLY: 'a "b" $HOME `id` $(id) \\n ; & | * ? ~ #x',
    NEWLINE: "line one\nline two",
    EMPTY: "",
  };

  it.each(Object.keys(values))("%s survives sh unchanged", (name) => {
    expect(readBack(formatExports(values), name)).toBe(values[name]);
  });

  it("exports to child processes, one line per variable", () => {
    const out = formatExports({ A: "x y", B: "z" });
    expect(out.split("\n")).toHaveLength(2);
    const seen = execFileSync("sh", ["-c", `eval "$X"; sh -c 'printf %s "$A|$B"'`], { env: { PATH: process.env.PATH, X: out }, encoding: "utf8" });
    expect(seen).toBe("x y|z");
  });
});
