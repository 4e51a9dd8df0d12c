import { RULE_CODES } from "../../model/rules";
import { PREVIEW_RULES, RULES_WITHOUT_PROGRAM, invalidProgramFolders, invalidProgramsOf, ruleOfProgram } from "../support/invalidExamples";

describe("examples/invalid", () => {
  it("every rule is either enforced at preview or has a reason to have no program", () => {
    expect(PREVIEW_RULES.filter((code) => code in RULES_WITHOUT_PROGRAM)).toEqual([]);
    expect([...PREVIEW_RULES, ...Object.keys(RULES_WITHOUT_PROGRAM)].sort()).toEqual(Object.keys(RULE_CODES).sort());
  });

  it("holds a program for every rule enforced at preview", () => {
    expect(PREVIEW_RULES.filter((code) => invalidProgramsOf(code).length === 0)).toEqual([]);
  });

  it("holds no program for a rule outside that list", () => {
    expect(invalidProgramFolders().filter((folder) => !(PREVIEW_RULES as string[]).includes(ruleOfProgram(folder)))).toEqual([]);
  });
});
