import * as YAML from "yaml";
import { implementationOf, parseOptions, parseTimeouts, suiteArgs } from "../../../cli/commands/conformance";
import { parseFailures, parseResultLine, parseTestOutput, profileResults, summarize, trackRunning } from "../../../cli/conformance/results";

// What the suite's binary prints with -test.v, written by hand in its shape: log lines, steps
// of a test, a failed assertion as testify prints it (tab-separated columns), and the results
// of the tests and their steps at the end, indented by depth.
const GO_TEST_OUTPUT = `=== RUN   TestConformance
    conformance.go:122: Running conformance tests with:
    conformance.go:123:   GatewayClass: agc
=== RUN   TestConformance/GatewayClassObservedGenerationBump
=== RUN   TestConformance/GatewayClassObservedGenerationBump/observedGeneration_should_increment
=== RUN   TestConformance/HTTPRouteWeight
    weight.go:81: Request 12 was answered by infra-backend-v3 (want a 70/30/0 split)
    weight.go:95: 
        \tError Trace:\tsigs.k8s.io/gateway-api/conformance@v1.6.3/tests/httproute-weight.go:95
        \tError:      \tReceived unexpected error:
        \t            \tgot 50/50/0 requests, want 70/30/0
        \tTest:       \tTestConformance/HTTPRouteWeight
        \tMessages:   \trequests were not spread by weight
=== RUN   TestConformance/GRPCExactMethodMatching
    suite.go:571: Skipping GRPCExactMethodMatching: suite does not support GRPCRoute
=== RUN   TestConformance/HTTPRouteQueryParamMatching
    http.go:240: Response expectation failed for request: 404 != 200
--- FAIL: TestConformance (312.55s)
    --- PASS: TestConformance/GatewayClassObservedGenerationBump (0.05s)
        --- PASS: TestConformance/GatewayClassObservedGenerationBump/observedGeneration_should_increment (0.04s)
    --- FAIL: TestConformance/HTTPRouteWeight (61.20s)
    --- SKIP: TestConformance/GRPCExactMethodMatching (0.00s)
    --- FAIL: TestConformance/HTTPRouteQueryParamMatching (30.12s)
FAIL
`;

// A report the suite writes with -report-output, trimmed to what the summary reads.
const REPORT = `apiVersion: gateway.networking.k8s.io/v1
kind: ConformanceReport
gatewayAPIVersion: v1.6.3
gatewayAPIChannel: standard
profiles:
- name: GATEWAY-HTTP
  core:
    result: failure
    statistics:
      Failed: 1
      Passed: 34
      Skipped: 0
    failedTests:
    - HTTPRouteWeight
  extended:
    result: failure
    statistics:
      Failed: 1
      Passed: 8
      Skipped: 0
    failedTests:
    - HTTPRouteQueryParamMatching
    supportedFeatures:
    - HTTPRouteQueryParamMatching
`;

describe("conformance results", () => {
  test("every test's outcome, without the steps inside a test", () => {
    expect(parseTestOutput(GO_TEST_OUTPUT)).toEqual([
      { name: "GatewayClassObservedGenerationBump", outcome: "PASS", seconds: 0.05 },
      { name: "HTTPRouteWeight", outcome: "FAIL", seconds: 61.2 },
      { name: "GRPCExactMethodMatching", outcome: "SKIP", seconds: 0 },
      { name: "HTTPRouteQueryParamMatching", outcome: "FAIL", seconds: 30.12 },
    ]);
  });

  test("a result line as -test.v=test2json frames it, as its test finishes", () => {
    expect(parseResultLine("\x16--- PASS: TestConformance/HTTPRouteSimpleSameNamespace (2.50s)")).toEqual({
      name: "HTTPRouteSimpleSameNamespace",
      outcome: "PASS",
      seconds: 2.5,
    });
    expect(parseResultLine("--- FAIL: TestConformance (312.55s)")).toBeUndefined();
  });

  test("a failed assertion: its test, error and message on one line", () => {
    expect(parseFailures(GO_TEST_OUTPUT)).toEqual([
      {
        test: "TestConformance/HTTPRouteWeight",
        message: "Received unexpected error: got 50/50/0 requests, want 70/30/0: requests were not spread by weight",
        lastLog: "Request 12 was answered by infra-backend-v3 (want a 70/30/0 split)",
      },
    ]);
  });

  test("a core failure fails the run, and the summary says which level each failure is", () => {
    const summary = summarize(parseTestOutput(GO_TEST_OUTPUT), profileResults(YAML.parse(REPORT)), parseFailures(GO_TEST_OUTPUT));
    expect(summary.exitCode).toBe(1);
    expect(summary.lines).toEqual([
      "PASS  GatewayClassObservedGenerationBump     0.1s",
      "FAIL  HTTPRouteWeight                       61.2s (core)",
      "FAIL  HTTPRouteQueryParamMatching           30.1s (extended)",
      "1 passed, 2 failed, 1 skipped (not supported, or not in the profile)",
      "failed assertions:",
      "  TestConformance/HTTPRouteWeight: Received unexpected error: got 50/50/0 requests, want 70/30/0: requests were not spread by weight",
      "    last log: Request 12 was answered by infra-backend-v3 (want a 70/30/0 split)",
      "GATEWAY-HTTP core: failure (34 passed, 1 failed, 0 skipped); extended: failure (8 passed, 1 failed, 0 skipped)",
      "  core tests failed: HTTPRouteWeight",
      "  extended tests failed: HTTPRouteQueryParamMatching",
    ]);
  });

  test("extended failures alone do not fail the run", () => {
    const report = YAML.parse(REPORT);
    report.profiles[0].core = { result: "success", statistics: { Failed: 0, Passed: 35, Skipped: 0 } };
    expect(summarize([], profileResults(report)).exitCode).toBe(0);
  });

  test("a report without profiles, or none, means the setup failed: the run fails", () => {
    const setupFailed = YAML.parse(REPORT);
    setupFailed.profiles = null;
    for (const profiles of [profileResults(setupFailed), undefined]) {
      const summary = summarize([], profiles);
      expect(summary.exitCode).toBe(1);
      expect(summary.lines).toContain("the suite ran no profile: it stopped before its tests (its setup failed)");
    }
  });
});

describe("conformance options", () => {
  const impl = { organization: "pulumi-agc", project: "pulumi-agc", url: "README.md", version: "0.1.0", contact: ["pulumi-agc maintainers"] };

  test("timeouts are Name:seconds pairs of names the suite knows", () => {
    expect(parseTimeouts("GatewayMustHaveAddress:90; MaxTimeToConsistency:45")).toEqual({ GatewayMustHaveAddress: 90, MaxTimeToConsistency: 45 });
    expect(() => parseTimeouts("GatewayMustHaveAdress:90")).toThrow("--timeouts: 'GatewayMustHaveAdress' is not a timeout of the suite; valid names: CreateTimeout,");
    expect(() => parseTimeouts("GatewayMustHaveAddress=90")).toThrow("--timeouts: 'GatewayMustHaveAddress=90' is not Name:seconds (e.g. GatewayMustHaveAddress:300)");
  });

  test("the suite's command line: profile, class, report with the implementation, and flags after --", () => {
    const options = parseOptions(["--timeouts", "MaxTimeToConsistency:45", "--", "-debug"]);
    if (options === "help") throw new Error("unexpected help");
    const args = suiteArgs(options, ["HTTPRouteQueryParamMatching"], "/tmp/report.yaml", impl);
    expect(args.slice(0, 5)).toEqual(["-test.v=test2json", "-test.run", "^TestConformance$", "-test.timeout", "180m"]);
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag("-gateway-class")).toBe("agc");
    expect(flag("-conformance-profiles")).toBe("GATEWAY-HTTP");
    expect(flag("-report-output")).toBe("/tmp/report.yaml");
    expect(flag("-contact")).toBe("pulumi-agc maintainers");
    expect(flag("-timeout-config-overrides")).toContain("MaxTimeToConsistency:45;NamespacesMustBeReady:600");
    expect(args).toContain("-cleanup-base-resources=true");
    // The suite reads the GatewayClass's features itself when no test is singled out.
    expect(args).not.toContain("-supported-features");
    expect(args[args.length - 1]).toBe("-debug");
  });

  test("with --run-test the class's features are passed, since the suite does not read them then", () => {
    const options = parseOptions(["--run-test", "HTTPRouteQueryParamMatching", "--keep-base-resources"]);
    if (options === "help") throw new Error("unexpected help");
    const args = suiteArgs(options, ["HTTPRouteQueryParamMatching", "HTTPRouteMethodMatching"], "/tmp/report.yaml", impl);
    expect(args[args.indexOf("-supported-features") + 1]).toBe("HTTPRouteQueryParamMatching,HTTPRouteMethodMatching");
    expect(args[args.indexOf("-run-test") + 1]).toBe("HTTPRouteQueryParamMatching");
    expect(args).toContain("-cleanup-base-resources=false");
  });

  test("an unknown option is refused, naming it", () => {
    expect(() => parseOptions(["--profile", "GATEWAY-GRPC"])).toThrow("agc conformance: Unknown option '--profile'");
  });

  test("the report names the package, its version, and a contact", () => {
    expect(implementationOf({ name: "pulumi-agc", version: "0.1.0" }, {})).toEqual({
      organization: "pulumi-agc",
      project: "pulumi-agc",
      url: "README.md",
      version: "0.1.0",
      contact: ["pulumi-agc maintainers"],
    });
    expect(implementationOf({ name: "pulumi-agc", version: "0.2.0", homepage: "https://agc.example/docs" }, { contact: ["@ops"] }).url).toBe("https://agc.example/docs");
  });
});

describe("trackRunning", () => {
  it("names the tests still running, not the last one started", () => {
    const lines: Array<[string, number]> = [
      ["=== RUN   TestConformance/GatewayObservedGenerationBump", 1],
      ["=== PAUSE TestConformance/GatewayObservedGenerationBump", 2],
      ["=== RUN   TestConformance/HTTPRouteWeight", 3],
      ["=== CONT  TestConformance/GatewayObservedGenerationBump", 4],
      ["\x16--- PASS: TestConformance/HTTPRouteWeight (1.00s)", 5],
      ["=== RUN   TestConformance/UDPRouteWeightedRouting", 6],
      ["    conformance.go:56: Skipping UDPRouteWeightedRouting: suite does not support UDPRoute", 7],
      ["\x16--- SKIP: TestConformance/UDPRouteWeightedRouting (0.00s)", 8],
      ["=== RUN   TestConformance/GatewayObservedGenerationBump/observedGeneration_should_increment", 9],
    ];
    let running = new Map<string, number>();
    for (const [line, at] of lines) running = trackRunning(running, line, at);
    expect([...running]).toEqual([["GatewayObservedGenerationBump", 4]]);
  });
});
