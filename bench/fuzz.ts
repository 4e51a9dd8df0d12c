/**
 * Fuzzing (not a test): preview's validation and the IR parser over many generated inputs,
 * the same generators as test/unit/fuzz with more runs. Prints counts; exits 1 on any finding.
 * Run with `bench/run.sh fuzz`; FUZZ_RUNS (default 10000) per generator, FUZZ_SEED to replay.
 */
import fc from "fast-check";
import { parseIr } from "../model/ir";
import { CODE_SUFFIX, arbitraryPlan, faultyPlan, previewMessages, validPlan } from "../test/support/plans";

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

interface Tally {
  runs: number;
  findings: string[];
}

/** Runs `check` over RUNS samples; a thrown error or a returned text is a finding. */
async function tally<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<string | undefined> | string | undefined): Promise<Tally> {
  const findings: string[] = [];
  for (const value of fc.sample(arbitrary, { numRuns: RUNS, seed: SEED })) {
    try {
      const finding = await check(value);
      if (finding) findings.push(finding);
    } catch (e) {
      findings.push(`threw ${(e as Error).stack ?? e} on ${JSON.stringify(value)}`);
    }
  }
  return { runs: RUNS, findings };
}

async function main(): Promise<void> {
  const refusedByRule = new Map<string, number>();
  const started = Date.now();
  const results: [string, Tally][] = [
    ["valid plans pass", await tally(validPlan, async (plan) => {
      const messages = await previewMessages(plan);
      return messages.length ? `valid plan refused: ${messages[0]}` : undefined;
    })],
    ["planted faults refused with their rule", await tally(faultyPlan, async ({ fault, rule, plan }) => {
      const refused = (await previewMessages(plan)).some((m) => m.endsWith(`[${rule}]`));
      if (refused) refusedByRule.set(rule, (refusedByRule.get(rule) ?? 0) + 1);
      return refused ? undefined : `${fault} was not refused with ${rule}`;
    })],
    ["arbitrary plans: every message carries a rule code", await tally(arbitraryPlan, async (plan) => {
      const uncoded = (await previewMessages(plan)).filter((m) => !CODE_SUFFIX.test(m));
      return uncoded.length ? `message without a rule code: ${uncoded[0]}` : undefined;
    })],
    ["parseIr answers any value", await tally(fc.anything({ maxDepth: 4 }), (value) => {
      const result = parseIr(value);
      return result.ok || result.errors.length > 0 ? undefined : "refused without an error";
    })],
  ];
  console.log(`seed ${SEED}, ${RUNS} inputs per generator, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  console.log("| generator | inputs | findings |\n|---|---|---|");
  for (const [name, t] of results) console.log(`| ${name} | ${t.runs} | ${t.findings.length} |`);
  console.log(`\nfaults refused, by rule: ${[...refusedByRule].sort().map(([rule, n]) => `${rule} ${n}`).join(", ")}`);
  const findings = results.flatMap(([name, t]) => t.findings.slice(0, 5).map((f) => `${name}: ${f}`));
  if (findings.length) {
    console.log(`\nfirst findings:\n${findings.join("\n")}`);
    process.exitCode = 1;
  }
}

void main();
