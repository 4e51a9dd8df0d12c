/**
 * Preview time for a large program (not a test). In one run, alternating, `pulumi preview` of:
 * - floor: the engine's own cost: as many trivial dynamic resources, wired the same way
 *   (each frontend and association takes its gateway's id), whose check accepts anything;
 * - ours: the same program with pulumi-agc: 100 gateways with 5 frontends, a subnet and an
 *   association each (800 resources), with no cluster reachable.
 * Run with `npm run build && bench/run.sh preview`. PREVIEW_GATEWAYS (default 100),
 * PREVIEW_ROUNDS (default 3), PREVIEW_PROFILE=1 writes CPU profiles of the program and of the
 * dynamic provider host (node --cpu-prof) to bench/results/profiles/.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { localEnv } from "../cli/env";
import { packageRoot } from "../cli/paths";
import { installPackedPackage } from "../cli/workspace";
import { UNREACHABLE_KUBECONFIG } from "../test/support/unreachableCluster";

const GATEWAYS = Number(process.env.PREVIEW_GATEWAYS ?? 100);
const ROUNDS = Number(process.env.PREVIEW_ROUNDS ?? 3);
const PROFILE = process.env.PREVIEW_PROFILE === "1";

/** The shape both programs declare: per gateway, 5 frontends, a subnet and an association. */
const LAYOUT = `
for (let i = 0; i < ${GATEWAYS}; i++) {
  const gw = make("TrafficController", \`gw-\${i}\`, { location: "westeurope" });
  const subnet = make("SubnetDelegation", \`sn-\${i}\`, {
    location: "westeurope", virtualNetworkAddressSpace: ["10.0.0.0/8"], addressPrefix: \`10.\${Math.floor(i / 256)}.\${i % 256}.0/24\`,
  });
  make("Association", \`as-\${i}\`, { trafficControllerId: gw.id, subnetId: subnet.id });
  for (let j = 0; j < 5; j++) make("Frontend", \`fe-\${i}-\${j}\`, { trafficControllerId: gw.id });
}
`;

const PROGRAMS: Record<string, string> = {
  floor: `const pulumi = require("@pulumi/pulumi");
const providers = {};
for (const kind of ["TrafficController", "Frontend", "Association", "SubnetDelegation"]) {
  providers[kind] = { check: async (olds, news) => ({ inputs: news }), create: async (inputs) => ({ id: "id", outs: inputs }) };
}
const make = (kind, name, props) => new pulumi.dynamic.Resource(providers[kind], name, props, {}, "floor", kind);
${LAYOUT}`,
  ours: `const agc = require("pulumi-agc");
const make = (kind, name, props) => new agc[kind](name, props);
${LAYOUT}`,
};

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): { code: number; output: string; seconds: number } {
  const started = process.hrtime.bigint();
  const r = spawnSync("pulumi", [...args, "--non-interactive"], { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}`, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/**
 * A directory with a `node` that writes a CPU profile of every process it runs (node refuses
 * --cpu-prof in NODE_OPTIONS): the language host and the dynamic provider launcher start
 * `node` from PATH.
 */
function profilingNode(workspace: string, profiles: string): string {
  const dir = path.join(workspace, "profiling-bin");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "node"), `#!/bin/sh\nexec ${process.execPath} --cpu-prof --cpu-prof-dir=${profiles} "$@"\n`, { mode: 0o755 });
  return dir;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function main(): void {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "agc-preview-bench-"));
  try {
    installPackedPackage(workspace);
    const kubeconfig = path.join(workspace, "unreachable.kubeconfig");
    fs.writeFileSync(kubeconfig, UNREACHABLE_KUBECONFIG);
    const profiles = path.join(packageRoot, "bench", "results", "profiles");
    const env: NodeJS.ProcessEnv = { ...process.env, ...localEnv(path.join(workspace, ".agc")), KUBECONFIG: kubeconfig };
    if (PROFILE) env.PATH = `${profilingNode(workspace, profiles)}${path.delimiter}${env.PATH}`;
    for (const [name, source] of Object.entries(PROGRAMS)) {
      const dir = path.join(workspace, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: preview-bench-${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n`);
      fs.writeFileSync(path.join(dir, "index.js"), source);
      const init = run(["stack", "init", "bench"], dir, env);
      if (init.code !== 0) throw new Error(`stack init ${name} failed:\n${init.output}`);
    }
    const seconds: Record<string, number[]> = { floor: [], ours: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(PROGRAMS)) {
        const r = run(["preview", "--stack", "bench"], path.join(workspace, name), env);
        if (r.code !== 0) throw new Error(`preview of ${name} failed:\n${r.output.slice(-4000)}`);
        seconds[name]!.push(r.seconds);
      }
    }
    const floor = median(seconds.floor!);
    const ours = median(seconds.ours!);
    console.log(`${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}, node ${process.version}`);
    console.log(`${GATEWAYS} gateways: ${GATEWAYS * 8} resources per program, ${ROUNDS} previews each, alternating\n`);
    console.log("| program | median s | per round s |\n|---|---|---|");
    for (const name of Object.keys(PROGRAMS)) console.log(`| ${name} | ${median(seconds[name]!).toFixed(2)} | ${seconds[name]!.map((s) => s.toFixed(2)).join(" ")} |`);
    console.log(`\nours / floor: ${(ours / floor).toFixed(2)}; ours - floor: ${(ours - floor).toFixed(2)} s`);
    if (PROFILE) console.log(`CPU profiles in ${profiles} (open in Chrome DevTools or speedscope)`);
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main();
