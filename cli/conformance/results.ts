// Reading the conformance suite's results: the `go test -v` lines of its tests and the
// report it writes. Pure functions; `agc conformance` does the I/O.

export type Outcome = "PASS" | "FAIL" | "SKIP";

export interface TestOutcome {
  /** The suite's short name of the test, e.g. HTTPRouteSimpleSameNamespace. */
  name: string;
  outcome: Outcome;
  seconds: number;
}

// `--- PASS: TestConformance/HTTPRouteWeight (12.34s)`: indented by the test's depth with
// -test.v, which prints them when the whole run ends; unindented after a ^V (0x16) framing
// byte with -test.v=test2json, which prints each as its test finishes.
const RESULT_LINE = /^\x16?\s*--- (PASS|FAIL|SKIP): TestConformance\/(\S+) \((\d+(?:\.\d+)?)s\)/;
/** The framing byte -test.v=test2json puts before the lines the testing package writes. */
export const stripFraming = (line: string) => line.replace(/^\x16/, "");

/** The outcome of one finished test, when the line reports one (its own steps are left out). */
export function parseResultLine(line: string): TestOutcome | undefined {
  const m = RESULT_LINE.exec(line);
  if (!m || m[2].includes("/")) return undefined;
  return { name: m[2], outcome: m[1] as Outcome, seconds: Number(m[3]) };
}

// `=== RUN`, `=== PAUSE` and `=== CONT` of a top-level test: parallel tests pause until the
// serial ones are done, then continue side by side.
const PROGRESS_LINE = /^\x16?=== (RUN|PAUSE|CONT)\s+TestConformance\/([^/\s]+)$/;

/**
 * The tests running now (name to the time they last started or continued), after one more
 * line of output: a result ends a test, a pause sets it aside, a run or continue (re)starts it.
 * Several run at once, so the last test started is not necessarily the one still running.
 */
export function trackRunning(running: ReadonlyMap<string, number>, line: string, now: number): Map<string, number> {
  const next = new Map(running);
  const progress = PROGRESS_LINE.exec(line);
  if (progress) {
    if (progress[1] === "PAUSE") next.delete(progress[2]);
    else next.set(progress[2], now);
    return next;
  }
  const result = parseResultLine(line);
  if (result) next.delete(result.name);
  return next;
}

/** Every test's outcome in `go test -v` output, in the order they finished. */
export function parseTestOutput(output: string): TestOutcome[] {
  return output.split("\n").map(parseResultLine).filter((r): r is TestOutcome => r !== undefined);
}

/** A failed assertion: the test it failed in and testify's error and message, on one line. */
export interface Failure {
  test: string;
  message: string;
  /** The test's last log line before it, which often says what was awaited (a condition, a response). */
  lastLog?: string;
}

/**
 * The failed assertions in the output, from testify's blocks:
 *         Error Trace: ...
 *         Error:       Received unexpected error:
 *                      context deadline exceeded
 *         Test:        TestConformance
 *         Messages:    error waiting for ... namespaces to be ready
 */
export function parseFailures(output: string): Failure[] {
  const failures: Failure[] = [];
  let error: string[] | undefined;
  let test = "";
  let field = "";
  let lastLog: string | undefined;
  const finish = (messages?: string) => {
    if (error) failures.push({ test, message: [error.join(" "), messages].filter(Boolean).join(": "), ...(lastLog ? { lastLog } : {}) });
    error = undefined;
  };
  for (const line of output.split("\n")) {
    if (line.startsWith("=== RUN")) lastLog = undefined;
    const logged = /^\s+[\w-]+\.go:\d+: (.*\S)/.exec(line);
    if (logged) lastLog = logged[1];
    const labelled = /^\s+(Error Trace|Error|Test|Messages):\s*(.*)$/.exec(line);
    if (labelled) {
      field = labelled[1];
      if (field === "Error Trace") finish();
      else if (field === "Error") error = [labelled[2].trim()];
      else if (field === "Test") test = labelled[2].trim();
      else finish(labelled[2].trim());
      continue;
    }
    // Continuation lines of a field are indented with tabs and carry no label.
    const continued = /^ +\t +\t(.*)$/.exec(line);
    if (continued && error && field === "Error") error.push(continued[1].trim());
    else if (!continued && field !== "") {
      finish();
      field = "";
    }
  }
  finish();
  return failures;
}

/** One support level of a profile, as the suite's report states it. */
export interface LevelResult {
  result: string;
  passed: number;
  failed: number;
  skipped: number;
  failedTests: string[];
}

export interface ProfileResult {
  name: string;
  core: LevelResult;
  extended?: LevelResult & { supportedFeatures: string[]; unsupportedFeatures: string[] };
}

type Obj = Record<string, any>;

function levelResult(level: Obj | undefined): LevelResult {
  const stats = level?.statistics ?? {};
  return {
    result: String(level?.result ?? "unknown"),
    passed: Number(stats.Passed ?? 0),
    failed: Number(stats.Failed ?? 0),
    skipped: Number(stats.Skipped ?? 0),
    failedTests: level?.failedTests ?? [],
  };
}

/** The profiles of a ConformanceReport (the YAML the suite writes with -report-output). */
export function profileResults(report: Obj): ProfileResult[] {
  return (report?.profiles ?? []).map((p: Obj) => ({
    name: String(p.name),
    core: levelResult(p.core),
    extended: p.extended
      ? { ...levelResult(p.extended), supportedFeatures: p.extended.supportedFeatures ?? [], unsupportedFeatures: p.extended.unsupportedFeatures ?? [] }
      : undefined,
  }));
}

export interface Summary {
  lines: string[];
  /** 0 when no core test failed (skipped ones, e.g. with --run-test, make a partial result); 1 when one failed or no profile ran. */
  exitCode: number;
}

const seconds = (s: number) => `${s.toFixed(1)}s`;
const MAX_FAILURES_SHOWN = 20;

/**
 * The end of a run: one line per test that ran (skipped ones counted), the failed assertions,
 * each profile's core and extended verdict, and the exit code. A report without profiles, or
 * none, means the suite stopped before its tests (a setup failure): that fails the run.
 */
export function summarize(tests: TestOutcome[], profiles: ProfileResult[] | undefined, failures: Failure[] = []): Summary {
  const lines: string[] = [];
  const level = (test: string) =>
    profiles?.some((p) => p.core.failedTests.includes(test)) ? " (core)" : profiles?.some((p) => p.extended?.failedTests.includes(test)) ? " (extended)" : "";
  const ran = tests.filter((t) => t.outcome !== "SKIP");
  const width = Math.max(0, ...ran.map((t) => t.name.length));
  for (const t of ran) lines.push(`${t.outcome}  ${t.name.padEnd(width)}  ${seconds(t.seconds).padStart(7)}${t.outcome === "FAIL" ? level(t.name) : ""}`);
  const count = (o: Outcome) => tests.filter((t) => t.outcome === o).length;
  lines.push(`${count("PASS")} passed, ${count("FAIL")} failed, ${count("SKIP")} skipped (not supported, or not in the profile)`);
  const shown = failures.slice(0, MAX_FAILURES_SHOWN);
  const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}...` : text);
  if (shown.length) lines.push("failed assertions:", ...shown.flatMap((f) => [`  ${f.test}: ${clip(f.message)}`, ...(f.lastLog ? [`    last log: ${clip(f.lastLog)}`] : [])]));
  if (failures.length > shown.length) lines.push(`  (and ${failures.length - shown.length} more in the log)`);
  // A setup failure still writes a report, with no profiles in it.
  if (!profiles?.length) {
    lines.push("the suite ran no profile: it stopped before its tests (its setup failed)");
    return { lines, exitCode: 1 };
  }
  const stats = (l: LevelResult) => `${l.result} (${l.passed} passed, ${l.failed} failed, ${l.skipped} skipped)`;
  for (const p of profiles) {
    lines.push(`${p.name} core: ${stats(p.core)}${p.extended ? `; extended: ${stats(p.extended)}` : ""}`);
    if (p.core.failedTests.length) lines.push(`  core tests failed: ${p.core.failedTests.join(", ")}`);
    if (p.extended?.failedTests.length) lines.push(`  extended tests failed: ${p.extended.failedTests.join(", ")}`);
  }
  const coreFailed = profiles.some((p) => p.core.result === "failure" || p.core.failed > 0);
  return { lines, exitCode: coreFailed ? 1 : 0 };
}
