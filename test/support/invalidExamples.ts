// The invalid example programs, by the rule each breaks. Which rules a program can break at
// preview is stated here, not read from the folders, so a missing or misnamed example fails.
import * as fs from "fs";
import * as path from "path";
import { packageRoot } from "../../cli/paths";
import { RuleCode } from "../../model/rules";

export const INVALID_EXAMPLES = path.join(packageRoot, "examples", "invalid");

/** The rules `pulumi preview` enforces; each has at least one program in examples/invalid. */
export const PREVIEW_RULES: readonly RuleCode[] = [
  "AGC001", "AGC002", "AGC003", "AGC004", "AGC005", "AGC006", "AGC007", "AGC008", "AGC009", "AGC010",
  "AGC011", "AGC012", "AGC013", "AGC014", "AGC015", "AGC016", "AGC017", "AGC018", "AGC019", "AGC020",
  "AGC021", "AGC022", "AGC023",
];

/** Rules no program's preview can break, and why: expected to have no example for now. */
export const RULES_WITHOUT_PROGRAM: Readonly<Partial<Record<RuleCode, string>>> = {};

/** The rule a program's folder is named for: "agc003-six-frontends" breaks AGC003. */
export function ruleOfProgram(folder: string): string {
  return folder.slice(0, 6).toUpperCase();
}

/** Every folder of examples/invalid that holds a program. */
export function invalidProgramFolders(): string[] {
  return fs.readdirSync(INVALID_EXAMPLES).filter((d) => fs.existsSync(path.join(INVALID_EXAMPLES, d, "Pulumi.yaml"))).sort();
}

/** The programs that break each preview rule, in PREVIEW_RULES order. */
export function invalidProgramsOf(rule: RuleCode): string[] {
  return invalidProgramFolders().filter((folder) => ruleOfProgram(folder) === rule);
}
