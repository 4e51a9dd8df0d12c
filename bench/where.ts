/**
 * Where the time goes: the generated configuration for the bench gateway, and variants of it
 * with one thing removed or changed each, in front of the fast backend (HAProxy answering
 * every request itself), in interleaved rounds. Not configurations to ship (most variants drop
 * a behaviour): a measurement. For each, with a 3-byte body over HTTP/1.1 (wrk) and h2c
 * (h2load): HAProxy's CPU time per request, and its ratio to the hand-written configuration
 * with the same features measured in the same round (that one's µs/req over this one's, so
 * above 1 is cheaper), and the same ratio by requests per second; medians over the rounds.
 *
 * Run with `bench/run.sh where`. Environment: BENCH_SECONDS (per load run, default 5),
 * BENCH_ROUNDS (default 3), BENCH_ONLY (a regular expression: the variants whose name it
 * matches, besides the reference).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AccessLogReader } from "../dataplane/access-log";
import { DataplaneAgent } from "../dataplane/agent";
import { accessLogSocket, render } from "../dataplane/render";
import { GatewayIr } from "../model/ir";
import { freePort, sleep } from "../test/dataplane/harness";
import { h2load, median, minimalConfig, sameFeaturesConfig, SECONDS, startFastBackend, startHaproxy, withCpu, wrk } from "./targets";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
const REFERENCE = "hand-written, same features";

interface Variant {
  name: string;
  /** The configuration to run, given the generated one and the hand-written ones. */
  cfg: (generated: string, hand: { same: string; minimal: string }) => string;
  /** Run by the data plane agent from the IR (as `bench/run.sh` does), not from `cfg`. */
  byAgent?: true;
}

interface Running { pid: number; logLines: () => number; stop: () => Promise<void> }

/** The agent, from the IR: it renders, starts HAProxy (`-W -S`) and reads the access log itself. */
async function startAgent(dir: string, ir: GatewayIr): Promise<Running> {
  let lines = 0;
  const agent = new DataplaneAgent({ runtimeDir: path.join(dir, "run"), accessLog: () => { lines++; }, diagnostics: () => undefined });
  const irFile = path.join(dir, "ir.json");
  fs.writeFileSync(irFile, JSON.stringify(ir));
  const started = await agent.watchFile(irFile, 20);
  if (started.kind !== "start") throw new Error(`agent did not start: ${JSON.stringify(started)}`);
  return { pid: agent.haproxyPid!, logLines: () => lines, stop: () => agent.stop() };
}

/** HAProxy with `cfg`; whatever it logs goes to the same reader, in this process, as the agent's does. */
async function startConfig(dir: string, cfg: string, port: number): Promise<Running> {
  let lines = 0;
  const reader = new AccessLogReader(accessLogSocket(dir), (ls) => { lines += ls.length; });
  await reader.start();
  const hp = await startHaproxy(dir, "haproxy", cfg, port);
  return { pid: hp.child.pid!, logLines: () => lines, stop: async () => { await hp.stop(); await reader.stop(); } };
}

const lines = (cfg: string, keep: (l: string) => boolean) => cfg.split("\n").filter(keep).join("\n");
const noLog = (c: string) => lines(c, (l) => !/^\s+log ring@/.test(l));

const noNormalization = (c: string) => lines(c, (l) => !/normalize-uri|climbs above the root/.test(l));
const xffUnmerged = (c: string) => lines(c, (l) => !/txn\.xff|X-Forwarded-For lines/.test(l))
  .replace(/(\n\s+http-request set-header X-Forwarded-Proto https)/, "\n    http-request set-header X-Forwarded-For %[src]$1");
const noRouteLookup = (c: string) => lines(c, (l) => /use_backend/.test(l) || !/txn\.(host|key|plain|plain_rank|route|cluster)\b|route has no backend|no route for this host/.test(l))
  .replace(/use_backend %\[var\(txn.cluster\)\]/, "use_backend cl_app");

const VARIANTS: Variant[] = [
  { name: REFERENCE, cfg: (_, h) => h.same },
  { name: "hand-written, minimal", cfg: (_, h) => h.minimal },
  { name: "generated", cfg: (c) => c },
  { name: "generated, run by the agent", cfg: (c) => c, byAgent: true },
  { name: "generated, no access log", cfg: noLog },
  { name: "generated, no path normalization", cfg: noNormalization },
  { name: "generated, X-Forwarded-For without merging the client's lines", cfg: xffUnmerged },
  { name: "generated, no route lookup (use_backend cl_app)", cfg: noRouteLookup },
  { name: "generated, none of the three above", cfg: (c) => noRouteLookup(xffUnmerged(noNormalization(c))) },
  // Candidates that keep the behaviour: each normalizer only when the path has what it rewrites,
  // and the X-Forwarded-For lines merged only when the client sent one.
  {
    name: "generated, each normalizer only when needed",
    cfg: (c) => c
      .replace(/(normalize-uri fragment-strip)$/m, "$1 if { url -m sub '#' }")
      .replace(/(normalize-uri percent-\S+ strict)$/gm, "$1 if { url -m sub % }")
      .replace(/(normalize-uri path-merge-slashes)$/m, "$1 if { path -m sub // }")
      .replace(/(normalize-uri path-strip-dot)$/m, "$1 if { path -m sub /. }")
      .replace(/(normalize-uri path-strip-dotdot)$/m, "$1 if { path -m sub /.. }"),
  },
  {
    name: "generated, X-Forwarded-For lines merged only when sent",
    cfg: (c) => c.replace(/(set-var-fmt\(txn\.xff\) '%\[var\(txn\.xff\)\].*) if \{/g, "$1 if { var(txn.xff) -m found } {"),
  },
  { name: "generated, no health check", cfg: (c) => c.replace(/default-server check .*/, "default-server").replace(/option httpchk\n/, "") },
  { name: "generated, one server slot", cfg: (c) => lines(c, (l) => !/server-template/.test(l)) },
  { name: "generated, no master-worker", cfg: (c) => lines(c, (l) => !/^\s+master-worker/.test(l)) },
];

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-where-"));
  const backendPort = await freePort();
  const backend = await startFastBackend(dir, backendPort);
  const vs = VARIANTS.filter((v) => !ONLY || v.name === REFERENCE || ONLY.test(v.name));
  const protocols = [
    { label: "HTTP/1.1", load: (url: string) => wrk(url) },
    { label: "h2c", load: (url: string) => h2load(url, dir) },
  ];
  // variant -> protocol -> one value per round
  const perProtocol = () => new Map(vs.map((v) => [v.name, protocols.map(() => [] as number[])]));
  const rpsRatios = perProtocol();
  const cpuRatios = perProtocol();
  const cpuUs = perProtocol();
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
  const loadBefore = load();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const reference = protocols.map(() => ({ rps: NaN, cpuUs: NaN }));
      for (const v of vs) {
        const port = await freePort();
        const vdir = path.join(dir, `${round}-${vs.indexOf(v)}`);
        fs.mkdirSync(path.join(vdir, "maps"), { recursive: true });
        const ir: GatewayIr = {
          apiVersion: "ir.agc.dev/v1", gateway: "bench",
          frontends: [{ name: "web", port, address: "127.0.0.1" }],
          routes: [{ name: "all", backends: [{ cluster: "app" }] }],
          clusters: [{ name: "app", endpoints: [{ address: "127.0.0.1", port: backendPort }] }],
        };
        const out = render(ir, { runtimeDir: vdir });
        for (const [name, text] of Object.entries(out.maps)) fs.writeFileSync(path.join(vdir, "maps", name), text);
        const cfg = v.cfg(out.haproxyCfg, { same: sameFeaturesConfig(port, backendPort, vdir), minimal: minimalConfig(port, backendPort) });
        const hp = v.byAgent ? await startAgent(vdir, ir) : await startConfig(vdir, cfg, port);
        try {
          await sleep(300);
          const measured: string[] = [];
          for (const [i, p] of protocols.entries()) {
            const r = await withCpu(hp.pid, () => p.load(`http://127.0.0.1:${port}/small`));
            if (v.name === REFERENCE) reference[i] = r;
            rpsRatios.get(v.name)![i].push(r.rps / reference[i].rps);
            cpuRatios.get(v.name)![i].push(reference[i].cpuUs / r.cpuUs);
            cpuUs.get(v.name)![i].push(r.cpuUs);
            measured.push(`${p.label} ${Math.round(r.rps)} req/s ${r.cpuUs.toFixed(1)} µs/req`);
          }
          process.stderr.write(`round ${round + 1} ${v.name}: ${measured.join(", ")}, ${hp.logLines()} log lines\n`);
        } finally {
          await hp.stop();
        }
      }
    }
    console.log(`${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${loadBefore} before, ${load()} after; ` +
      `${ROUNDS} rounds of ${SECONDS} s, wrk -t2 -c32 and h2load -c32 -m10 -t2, 3-byte body, fast backend\n`);
    const head = (p: string) => `${p} CPU µs/req | ${p} CPU ratio | per round | ${p} req/s ratio`;
    console.log(`| variant | ${protocols.map((p) => head(p.label)).join(" | ")} |\n|---|${protocols.map(() => "---|---|---|---|").join("")}`);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
    for (const v of vs) {
      const cells = protocols.map((_, i) => {
        const cpu = cpuRatios.get(v.name)![i];
        return `${median(cpuUs.get(v.name)![i]).toFixed(1)} | ${median(cpu).toFixed(2)} | ${list(cpu)} | ${median(rpsRatios.get(v.name)![i]).toFixed(2)}`;
      });
      console.log(`| ${v.name} | ${cells.join(" | ")} |`);
    }
  } finally {
    await backend.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
