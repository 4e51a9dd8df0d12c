// `agc conformance`: the upstream Gateway API conformance suite against the local cluster.
// Sets up what the suite needs (toolchain, cluster, images, controller, CRDs, GatewayClass),
// runs the suite's test binary, and sums up its `go test -v` output and report.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { parseArgs } from "util";
import * as YAML from "yaml";
import { installGatewayApiCrds } from "../../controller/bootstrap";
import { GATEWAY_CLASS } from "../../controller/install";
import { KubeClient } from "../../kube/client";
import { CONTROLLER_NAME } from "../../translate";
import { clusterLayout } from "../cluster/local";
import { parseFailures, parseResultLine, parseTestOutput, profileResults, stripFraming, summarize, trackRunning } from "../conformance/results";
import { findCommand } from "../index";
import { packageRoot, stateDir, toolchainBin, toolchainGatewayApiCrds } from "../paths";

export const summary = "run the Gateway API conformance suite (GATEWAY-HTTP) against the local cluster";

const SUITE_BINARY = "gateway-api-conformance.test";

/**
 * The suite's timeouts (seconds) for a 2-core machine that also runs the cluster: its defaults
 * assume a fast cluster (e.g. 30 s for routes to converge, 300 s for the base pods).
 */
const DEFAULT_TIMEOUTS: Record<string, number> = {
  CreateTimeout: 120,
  DeleteTimeout: 60,
  GetTimeout: 30,
  GWCMustBeAccepted: 180,
  GatewayMustHaveAddress: 300,
  GatewayMustHaveCondition: 300,
  GatewayStatusMustHaveListeners: 120,
  GatewayListenersMustHaveConditions: 120,
  HTTPRouteMustHaveCondition: 120,
  HTTPRouteMustNotHaveParents: 120,
  RouteMustHaveParents: 120,
  LatestObservedGenerationSet: 120,
  MaxTimeToConsistency: 60,
  NamespacesMustBeReady: 600,
  RequestTimeout: 20,
  DefaultTestTimeout: 120,
};

/** The names -timeout-config-overrides knows (v1.6.3); it ignores others without a word. */
const TIMEOUT_NAMES = [
  "CreateTimeout", "DeleteTimeout", "GetTimeout", "GatewayMustHaveAddress", "GatewayMustHaveCondition",
  "GatewayStatusMustHaveListeners", "GatewayListenersMustHaveConditions", "ListenerSetMustHaveCondition",
  "ListenerSetListenersMustHaveConditions", "GWCMustBeAccepted", "HTTPRouteMustNotHaveParents", "HTTPRouteMustHaveCondition",
  "TLSRouteMustHaveCondition", "TCPRouteMustHaveCondition", "UDPRouteMustHaveCondition", "RouteMustHaveParents",
  "ManifestFetchTimeout", "MaxTimeToConsistency", "NamespacesMustBeReady", "RequestTimeout", "LatestObservedGenerationSet",
  "DefaultTestTimeout", "DefaultPollInterval", "RequiredConsecutiveSuccesses", "TestIsolation",
];

const HELP = `usage: agc conformance [options] [-- SUITE FLAGS...]

Runs the Gateway API conformance suite (sigs.k8s.io/gateway-api/conformance, the release
pinned in toolchain/versions.env) with the GATEWAY-HTTP profile against the local cluster.
First it builds the toolchain (cached), starts the cluster (agc cluster up), builds the
images (agc images), installs the ALB controller as pods (agc controller install: the
bootstrap and two leader-elected replicas), installs the Gateway API CRDs, creates
GatewayClass ${GATEWAY_CLASS} (controllerName ${CONTROLLER_NAME}) and waits until it is
Accepted. The suite then dials each Gateway's status.addresses from this machine.

Prints each test's result as it finishes, then a summary; writes the suite's report and
keeps its whole output in .agc/conformance/suite.log. Exits 1 when a core test fails.

  --supported-features LIST  comma-separated features to test; default: those the
                             GatewayClass lists in status.supportedFeatures
  --run-test NAME            only this test, e.g. HTTPRouteSimpleSameNamespace
  --skip-tests LIST          comma-separated tests to leave out
  --report FILE              the report; default conformance/report.yaml
  --timeouts LIST            Name:seconds;... over this machine's defaults
                             (${Object.entries(DEFAULT_TIMEOUTS).slice(0, 3).map(([k, v]) => `${k}:${v}`).join(";")};...)
  --kubeconfig FILE          use this cluster as it is (no toolchain, cluster or images step)
  --no-setup                 the local cluster and images are up already: skip those steps
  --gateway-api-crds DIR     the CRD files to install; default: the toolchain's standard channel
  --keep-base-resources      leave the suite's namespaces, Gateways and backends for a rerun
  --url URL                  the project's address in the report; default: package.json's
                             homepage, else its repository, else README.md
  --contact LIST             comma-separated maintainers' contacts for the report
  --verbose                  print all of the suite's output as it comes
  -- FLAGS                   passed to the suite as they are, e.g. -- -debug -fail-fast`;

export interface ConformanceOptions {
  supportedFeatures?: string[];
  runTest?: string;
  skipTests?: string[];
  report: string;
  timeouts: Record<string, number>;
  kubeconfig?: string;
  setup: boolean;
  gatewayApiCrds?: string;
  cleanupBaseResources: boolean;
  url?: string;
  contact?: string[];
  verbose: boolean;
  suiteFlags: string[];
}

const list = (v: string | undefined) => v?.split(",").map((s) => s.trim()).filter(Boolean);

/** "Name:seconds;Name:seconds" checked against the suite's names. */
export function parseTimeouts(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of text.split(";").map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\w+):(\d+)$/.exec(pair);
    if (!m) throw new Error(`--timeouts: '${pair}' is not Name:seconds (e.g. GatewayMustHaveAddress:300)`);
    if (!TIMEOUT_NAMES.includes(m[1])) throw new Error(`--timeouts: '${m[1]}' is not a timeout of the suite; valid names: ${TIMEOUT_NAMES.join(", ")}`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

export function parseOptions(args: string[]): ConformanceOptions | "help" {
  const dashDash = args.indexOf("--");
  let parsed;
  try {
    parsed = parseArgs({
      args: dashDash < 0 ? args : args.slice(0, dashDash),
      options: {
        help: { type: "boolean", short: "h" },
        "supported-features": { type: "string" },
        "run-test": { type: "string" },
        "skip-tests": { type: "string" },
        report: { type: "string" },
        timeouts: { type: "string" },
        kubeconfig: { type: "string" },
        "no-setup": { type: "boolean" },
        "gateway-api-crds": { type: "string" },
        "keep-base-resources": { type: "boolean" },
        url: { type: "string" },
        contact: { type: "string" },
        verbose: { type: "boolean" },
      },
    });
  } catch (e) {
    throw new Error(`agc conformance: ${(e as Error).message} (agc conformance --help lists the options)`);
  }
  const values = parsed.values;
  if (values.help) return "help";
  return {
    supportedFeatures: list(values["supported-features"]),
    runTest: values["run-test"],
    skipTests: list(values["skip-tests"]),
    report: values.report ?? path.join("conformance", "report.yaml"),
    timeouts: { ...DEFAULT_TIMEOUTS, ...parseTimeouts(values.timeouts ?? "") },
    kubeconfig: values.kubeconfig,
    setup: !values["no-setup"] && !values.kubeconfig,
    gatewayApiCrds: values["gateway-api-crds"],
    cleanupBaseResources: !values["keep-base-resources"],
    url: values.url,
    contact: list(values.contact),
    verbose: values.verbose ?? false,
    suiteFlags: dashDash < 0 ? [] : args.slice(dashDash + 1),
  };
}

export interface Implementation {
  organization: string;
  project: string;
  url: string;
  version: string;
  contact: string[];
}

/** Who the report names: this package, its version, where to read about it and whom to ask. */
export function implementationOf(pkg: Record<string, any>, options: Pick<ConformanceOptions, "url" | "contact">): Implementation {
  const repository = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
  const author = typeof pkg.author === "string" ? pkg.author : pkg.author?.name;
  return {
    organization: pkg.name,
    project: pkg.name,
    url: options.url ?? pkg.homepage ?? repository ?? "README.md",
    version: pkg.version,
    contact: options.contact ?? (author ? [author] : [`${pkg.name} maintainers`]),
  };
}

/**
 * The suite's command line. Without --run-test the suite reads the supported features from the
 * GatewayClass itself; with it, it does not, so the class's features are passed explicitly.
 */
export function suiteArgs(options: ConformanceOptions, classFeatures: string[], reportFile: string, impl: Implementation): string[] {
  const features = options.supportedFeatures ?? (options.runTest ? classFeatures : undefined);
  return [
    // test2json framing: each test's result line comes as it finishes, not at the very end.
    "-test.v=test2json",
    "-test.run", "^TestConformance$",
    // The whole run takes long on a small machine; the suite's own timeouts bound each step.
    "-test.timeout", "180m",
    "-gateway-class", GATEWAY_CLASS,
    "-conformance-profiles", "GATEWAY-HTTP",
    ...(features ? ["-supported-features", features.join(",")] : []),
    ...(options.runTest ? ["-run-test", options.runTest] : []),
    ...(options.skipTests ? ["-skip-tests", options.skipTests.join(",")] : []),
    `-cleanup-base-resources=${options.cleanupBaseResources}`,
    "-timeout-config-overrides", Object.entries(options.timeouts).map(([k, v]) => `${k}:${v}`).join(";"),
    "-report-output", reportFile,
    "-organization", impl.organization,
    "-project", impl.project,
    "-url", impl.url,
    "-version", impl.version,
    "-contact", impl.contact.join(","),
    ...options.suiteFlags,
  ];
}

type Log = (m: string) => void;

async function runCommand(name: string, args: string[], log: Log): Promise<void> {
  const command = findCommand(name);
  if (!command) throw new Error(`agc ${name} is not part of this version`);
  log(`agc ${[name, ...args].join(" ")}`);
  const code = await command.main(args);
  if (code !== 0) throw new Error(`agc ${[name, ...args].join(" ")} failed (exit code ${code})`);
}

/** Toolchain, cluster, the images its pods run, and the controller installed as pods. */
async function setUpLocalCluster(log: Log): Promise<void> {
  await runCommand("toolchain", [], log);
  await runCommand("cluster", ["up"], log);
  await runCommand("images", [], log);
  await runCommand("controller", ["install", "--kubeconfig", clusterLayout(stateDir()).kubeconfig], log);
}

const isAccepted = (gc: Record<string, any>) =>
  (gc.status?.conditions ?? []).some((c: any) => c.type === "Accepted" && c.status === "True" && c.observedGeneration === gc.metadata?.generation);

/** Applies GatewayClass agc, waits until it is Accepted, and returns the features its status lists. */
async function ensureGatewayClass(client: KubeClient, log: Log, timeoutMs = 120_000): Promise<string[]> {
  const classPath = `/apis/gateway.networking.k8s.io/v1/gatewayclasses/${GATEWAY_CLASS}`;
  await client.apply(
    classPath,
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: GATEWAY_CLASS }, spec: { controllerName: CONTROLLER_NAME } },
    "agc-conformance",
  );
  const deadline = Date.now() + timeoutMs;
  let gc = await client.get(classPath);
  while (!isAccepted(gc)) {
    if (Date.now() > deadline) {
      const conditions = (gc.status?.conditions ?? []).map((c: any) => `${c.type}=${c.status} (${c.reason}: ${c.message})`).join("; ") || "none";
      throw new Error(
        `GatewayClass ${GATEWAY_CLASS} is not Accepted at generation ${gc.metadata.generation} after ${timeoutMs / 1000} s (conditions: ${conditions}); ` +
          `is a controller for ${CONTROLLER_NAME} running? (agc controller install; on the local cluster its pods' logs are in ${clusterLayout(stateDir()).node.podLogs})`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
    gc = await client.get(classPath);
  }
  const features: string[] = (gc.status?.supportedFeatures ?? []).map((f: any) => (typeof f === "string" ? f : f.name));
  log(`GatewayClass ${GATEWAY_CLASS} is Accepted; it supports: ${features.join(", ") || "(none listed)"}`);
  return features;
}

/**
 * Waits until namespaces a previous run deleted are gone: the suite recreates them at once and
 * fails when one is still terminating.
 */
async function waitForTerminatingNamespaces(client: KubeClient, log: Log, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let logged = false; ; logged = true) {
    const namespaces = await client.get("/api/v1/namespaces");
    const terminating = namespaces.items
      .filter((ns: any) => ns.metadata.name.startsWith("gateway-conformance") && ns.status?.phase === "Terminating")
      .map((ns: any) => ns.metadata.name);
    if (!terminating.length) return;
    if (Date.now() > deadline) throw new Error(`namespaces of an earlier run are still terminating after ${timeoutMs / 1000} s: ${terminating.join(", ")}`);
    if (!logged) log(`waiting for namespaces of an earlier run to go: ${terminating.join(", ")}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Runs the suite binary, writing every line to the log and printing results as tests finish. */
function runSuite(binary: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, verbose: boolean, log: Log): Promise<{ code: number; tail: string[] }> {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.createWriteStream(logFile);
  const child = spawn(binary, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const tail: string[] = [];
  let running = new Map<string, number>();
  const onLine = (framed: string) => {
    const line = stripFraming(framed);
    out.write(line + "\n");
    tail.push(line);
    if (tail.length > 40) tail.shift();
    if (verbose) console.log(line);
    running = trackRunning(running, line, Date.now());
    const result = parseResultLine(line);
    if (!verbose && result && result.outcome !== "SKIP") console.log(`${result.outcome}  ${result.name} (${result.seconds.toFixed(1)}s)`);
  };
  readline.createInterface({ input: child.stdout! }).on("line", onLine);
  readline.createInterface({ input: child.stderr! }).on("line", onLine);
  const heartbeat = setInterval(() => {
    const now = Date.now();
    const names = [...running].map(([name, since]) => `${name} (${Math.round((now - since) / 1000)} s)`);
    if (names.length && !verbose) log(`still running ${names.join(", ")}`);
  }, 60_000);
  const interrupt = () => child.kill("SIGINT");
  process.once("SIGINT", interrupt);
  return new Promise((resolve, reject) => {
    child.on("error", (e) => reject(new Error(`could not start ${binary}: ${e.message}`)));
    child.on("close", (code, signal) => {
      clearInterval(heartbeat);
      process.removeListener("SIGINT", interrupt);
      out.end(() => resolve({ code: code ?? (signal ? 128 : 1), tail }));
    });
  });
}

export async function main(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === "help") {
    console.log(HELP);
    return 0;
  }
  const log: Log = (m) => console.error(`conformance: ${m}`);
  if (options.setup) await setUpLocalCluster(log);
  const kubeconfig = path.resolve(options.kubeconfig ?? clusterLayout(stateDir()).kubeconfig);
  const binary = path.join(toolchainBin(), SUITE_BINARY);
  if (!fs.existsSync(binary)) throw new Error(`the suite is not built (expected ${binary}); run \`agc toolchain\``);
  const crds = options.gatewayApiCrds ?? toolchainGatewayApiCrds();
  if (!crds) throw new Error("no Gateway API CRDs: run `agc toolchain`, or pass --gateway-api-crds DIR");

  const client = KubeClient.fromKubeconfig(kubeconfig);
  let classFeatures: string[];
  try {
    await installGatewayApiCrds(client, crds, log);
    classFeatures = await ensureGatewayClass(client, log);
    if (!classFeatures.length && !options.supportedFeatures) {
      throw new Error(
        `GatewayClass ${GATEWAY_CLASS} lists no status.supportedFeatures, and the suite needs them; ` +
          "pass --supported-features (e.g. Gateway,HTTPRoute,ReferenceGrant for the core tests alone)",
      );
    }
    await waitForTerminatingNamespaces(client, log);
  } finally {
    client.close();
  }

  const reportFile = path.resolve(options.report);
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  fs.rmSync(reportFile, { force: true }); // a report left from an earlier run must not pass for this one's
  const impl = implementationOf(JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")), options);
  const logFile = path.join(stateDir(), "conformance", "suite.log");
  log(`running the suite against ${kubeconfig}; its output goes to ${logFile}`);
  const started = Date.now();
  const run = await runSuite(binary, suiteArgs(options, classFeatures, reportFile, impl), { ...process.env, KUBECONFIG: kubeconfig }, logFile, options.verbose, log);

  const report = fs.existsSync(reportFile) ? YAML.parse(fs.readFileSync(reportFile, "utf8")) : undefined;
  const output = fs.readFileSync(logFile, "utf8");
  const failures = parseFailures(output);
  // Nothing to explain the end (a crash, say): show how the output ended.
  if (!report && !failures.length && !options.verbose) run.tail.forEach((line) => console.error(`  | ${line}`));
  const result = summarize(parseTestOutput(output), report ? profileResults(report) : undefined, failures);
  console.log("");
  result.lines.forEach((line) => console.log(line));
  console.log(`suite exit code ${run.code} after ${Math.round((Date.now() - started) / 1000)} s; report: ${report ? reportFile : "none"}; log: ${logFile}`);
  return result.exitCode;
}
