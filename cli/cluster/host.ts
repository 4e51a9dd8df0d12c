// What the node changes on the machine, recorded when the cluster first starts and undone by
// `down`: the bridge and its routes, sysctls the kubelet and the CNI bridge set, iptables
// chains, mounts, cgroups and the kubelet's fixed directories. Pure parts (parsing, deciding
// what to undo) are exported for tests; the rest runs commands.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BRIDGE_ROUTES, NODE_NETWORK, nodePaths } from "./node";

/** Sysctls the stack changes: ip_forward (the bridge plugin) and the kubelet's kernel tunables. */
const RECORDED_SYSCTLS = [
  "net/ipv4/ip_forward",
  "vm/overcommit_memory",
  "vm/panic_on_oom",
  "kernel/panic",
  "kernel/panic_on_oops",
  "kernel/keys/root_maxkeys",
  "kernel/keys/root_maxbytes",
];

/** Paths the kubelet, containerd and the CNI plugins use whatever their configuration says. */
const FIXED_HOST_DIRS = ["/var/lib/kubelet", "/var/log/containers", "/var/log/pods", "/var/lib/cni", "/run/containerd", "/run/netns"];

/** Top-level cgroups the kubelet and containerd create in every hierarchy. */
const OUR_CGROUPS = ["kubepods", "k8s.io"];

/** iptables chains of kube-proxy and the CNI plugins. */
const OUR_CHAIN_PREFIXES = ["KUBE-", "CNI-"];

const CGROUP_ROOT = "/sys/fs/cgroup";

export interface HostRecord {
  /** The state directory whose cluster made these changes. */
  owner: string;
  sysctls: Record<string, string>;
  /** Fixed directories that did not exist before: `down` removes them. */
  createdDirs: string[];
  /** Per hierarchy, the cgroups of OUR_CGROUPS that did not exist before. */
  createdCgroups: string[];
  /** nftables tables ("ip nat", ...) there before: iptables-nft adds the others on first use. */
  nftTables: string[];
}

const recordFile = (clusterDir: string) => path.join(clusterDir, "host.json");

export function readHostRecord(clusterDir: string): HostRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(recordFile(clusterDir), "utf8")) as HostRecord;
  } catch {
    return undefined;
  }
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function tryRun(cmd: string, args: string[]): string | undefined {
  try {
    return run(cmd, args);
  } catch {
    return undefined;
  }
}

const readSysctl = (key: string) => fs.readFileSync(`/proc/sys/${key}`, "utf8").trim();

function cgroupHierarchies(): string[] {
  try {
    return fs
      .readdirSync(CGROUP_ROOT)
      .map((d) => path.join(CGROUP_ROOT, d))
      .filter((d) => fs.existsSync(path.join(d, "cgroup.procs")));
  } catch {
    return [];
  }
}

/** Chain names per table from `iptables-save` output. */
export function chainsOf(save: string): Array<{ table: string; chain: string }> {
  const out: Array<{ table: string; chain: string }> = [];
  let table = "";
  for (const line of save.split("\n")) {
    if (line.startsWith("*")) table = line.slice(1).trim();
    else if (line.startsWith(":")) out.push({ table, chain: line.slice(1).split(" ")[0] });
  }
  return out;
}

const ours = (chain: string) => OUR_CHAIN_PREFIXES.some((p) => chain.startsWith(p));

/**
 * An `iptables-restore --noflush` script that removes our chains from `iptables-save`
 * output: first the rules elsewhere that jump to them, then the chains themselves.
 * Empty when there is nothing of ours.
 */
export function chainCleanupScript(save: string): string {
  const byTable = new Map<string, { jumps: string[]; chains: string[] }>();
  let table = "";
  for (const line of save.split("\n")) {
    if (line.startsWith("*")) {
      table = line.slice(1).trim();
      byTable.set(table, { jumps: [], chains: [] });
    } else if (line.startsWith(":")) {
      const chain = line.slice(1).split(" ")[0];
      if (ours(chain)) byTable.get(table)!.chains.push(chain);
    } else if (line.startsWith("-A ")) {
      const [, chain] = line.split(" ");
      const target = / -[jg] (\S+)/.exec(line)?.[1] ?? "";
      if (!ours(chain) && ours(target)) byTable.get(table)!.jumps.push(`-D ${line.slice(3)}`);
    }
  }
  const lines: string[] = [];
  for (const [t, { jumps, chains }] of byTable) {
    if (!jumps.length && !chains.length) continue;
    lines.push(`*${t}`, ...jumps, ...chains.map((c) => `-F ${c}`), ...chains.map((c) => `-X ${c}`), "COMMIT");
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}

/** Table names ("ip nat") from `nft list tables`. */
export function parseNftTables(output: string): string[] {
  return output.split("\n").map((l) => /^table (\S+ \S+)/.exec(l.trim())?.[1]).filter((t): t is string => !!t);
}

/** Whether `nft list table` output holds any rule (not only empty chains with their hooks). */
export function nftTableHasRules(listing: string): boolean {
  return listing
    .split("\n")
    .map((l) => l.trim())
    .some((l) => l && l !== "}" && !l.startsWith("table ") && !l.startsWith("chain ") && !/^type \S+ hook \S+ priority \S+; policy \S+;$/.test(l));
}

/** The nftables tables on the machine now; none where nft is missing. */
const nftTablesNow = () => parseNftTables(tryRun("nft", ["list", "tables"]) ?? "");

const unescapeMount = (s: string) => s.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));

/** Mount points from /proc/self/mountinfo under any of `roots`, deepest first. */
export function mountsUnder(mountinfo: string, roots: string[]): string[] {
  const points = mountinfo
    .split("\n")
    .filter(Boolean)
    .map((l) => unescapeMount(l.split(" ")[4]))
    .filter((p) => roots.some((r) => p === r || p.startsWith(r.endsWith("/") ? r : r + "/")));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function ourChainsPresent(): string[] {
  const found: string[] = [];
  for (const save of ["iptables-save", "ip6tables-save"]) {
    for (const c of chainsOf(tryRun(save, []) ?? "")) if (ours(c.chain)) found.push(`${save.replace("-save", "")} ${c.table} ${c.chain}`);
  }
  return found;
}

const bridgeExists = () => fs.existsSync(`/sys/class/net/${NODE_NETWORK.bridge}`);

function bridgeOwner(): string {
  try {
    return fs.readFileSync(`/sys/class/net/${NODE_NETWORK.bridge}/ifalias`, "utf8").trim();
  } catch {
    return "";
  }
}

/** Pids of the processes in a cgroup and the cgroups below it; none where it is gone. */
function cgroupTreePids(dir: string): string[] {
  let entries: fs.Dirent[];
  let pids: string[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
    pids = fs.readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
  return [...pids, ...entries.filter((e) => e.isDirectory()).flatMap((e) => cgroupTreePids(path.join(dir, e.name)))];
}

/** Every process's pid and arguments, as /proc lists them now. */
function processArguments(): Array<{ pid: number; args: string[] }> {
  const found: Array<{ pid: number; args: string[] }> = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      found.push({ pid: Number(entry), args: fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0") });
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

/**
 * What still runs of the cluster in `clusterDir`: processes whose arguments name its directory
 * (each part we start, and the containerd shims by their socket) and whatever is in our cgroups.
 */
function processesOf(clusterDir: string): string[] {
  const named = processArguments()
    .filter((p) => p.pid !== process.pid && p.args.some((a) => a.includes(clusterDir)))
    .map((p) => String(p.pid));
  const inCgroups = cgroupHierarchies().flatMap((h) => OUR_CGROUPS.flatMap((c) => cgroupTreePids(path.join(h, c))));
  return [...new Set([...named, ...inCgroups])];
}

/**
 * A node whose cluster no longer runs (the machine stopped under it, or its directory went
 * away) would keep every later `up` out: when nothing of it is left running, undo what it left,
 * with its own record where that can still be read. A node that runs is left alone.
 */
export async function reclaimAbandonedNode(clusterDir: string, log: (m: string) => void): Promise<void> {
  if (!bridgeExists()) return;
  const owner = bridgeOwner();
  if (!owner || (owner === clusterDir && readHostRecord(clusterDir))) return;
  const running = processesOf(owner);
  if (running.length) return; // recordHost refuses, naming the owner
  const record = readHostRecord(owner);
  log(`the node of ${owner} is on the machine but none of its processes runs: removing what it left${record ? "" : " (its record is gone: sysctls and directories it changed stay as they are)"}`);
  await restoreHost(owner, record ?? { owner, sysctls: {}, createdDirs: [], createdCgroups: [], nftTables: nftTablesNow() }, log);
}

/**
 * Records the machine's state before the first start, or returns the record made then; the
 * cluster directory is the record's owner. Refuses when another cluster's node (or another
 * kube-proxy) is on the machine: it would be unmade.
 */
export function recordHost(clusterDir: string): HostRecord {
  const existing = readHostRecord(clusterDir);
  if (existing) return existing;
  if (bridgeExists()) {
    const other = bridgeOwner();
    throw new Error(
      `the bridge ${NODE_NETWORK.bridge} already exists${other ? ` and belongs to the cluster in ${other}` : ""}; one local node runs per machine: ` +
        (other ? `stop it first (AGC_STATE_DIR=${path.dirname(other)} agc cluster down)` : `remove it if it is a leftover (ip link del ${NODE_NETWORK.bridge})`),
    );
  }
  const foreign = ourChainsPresent();
  if (foreign.length) {
    throw new Error(`iptables chains of another kube-proxy or CNI plugin are on this machine (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", ..." : ""}); a second node would remove them. Stop that cluster first`);
  }
  const record: HostRecord = {
    owner: clusterDir,
    sysctls: Object.fromEntries(RECORDED_SYSCTLS.map((k) => [k, readSysctl(k)])),
    createdDirs: FIXED_HOST_DIRS.filter((d) => !fs.existsSync(d)),
    createdCgroups: cgroupHierarchies().flatMap((h) => OUR_CGROUPS.map((c) => path.join(h, c))).filter((c) => !fs.existsSync(c)),
    nftTables: nftTablesNow(),
  };
  fs.mkdirSync(clusterDir, { recursive: true });
  fs.writeFileSync(recordFile(clusterDir), JSON.stringify(record, null, 2));
  return record;
}

/** The bridge with the node's address, up, and the routes to services and gateway addresses. */
export function ensureBridge(owner: string): void {
  const { bridge, nodeAddress, podCidr } = NODE_NETWORK;
  if (!bridgeExists()) run("ip", ["link", "add", bridge, "type", "bridge"]);
  // The alias names the cluster that owns the bridge, for the message a second cluster gets.
  run("ip", ["link", "set", bridge, "alias", owner]);
  const prefix = podCidr.split("/")[1];
  if (!run("ip", ["-o", "addr", "show", "dev", bridge]).includes(`inet ${nodeAddress}/${prefix}`)) run("ip", ["addr", "add", `${nodeAddress}/${prefix}`, "dev", bridge]);
  run("ip", ["link", "set", bridge, "up"]);
  for (const dst of BRIDGE_ROUTES) run("ip", ["route", "replace", dst, "dev", bridge, "src", nodeAddress]);
}

/** SIGKILL to `pid`; false when it is gone already. */
function sigkill(pid: number): boolean {
  try {
    process.kill(pid, "SIGKILL");
    return true;
  } catch {
    return false; // already gone
  }
}

/** Removes a cgroup tree depth first, after its processes have exited. */
async function removeCgroupTree(dir: string): Promise<void> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) await removeCgroupTree(path.join(dir, entry.name));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      if (Date.now() > deadline) throw new Error(`could not remove cgroup ${dir}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Processes our containers left: the shims of our containerd (found by its socket in their
 * arguments; they outlive containerd), and whatever is still in our cgroups (containers left
 * when their shim or the kubelet was gone).
 */
function killContainerProcesses(clusterDir: string, record: HostRecord, log: (m: string) => void): void {
  const socket = nodePaths(clusterDir).containerdSocket;
  for (const { pid, args } of processArguments()) {
    if (args[0].endsWith("containerd-shim-runc-v2") && args.includes(socket) && sigkill(pid)) log(`stopped a containerd shim (pid ${pid})`);
  }
  for (const cg of record.createdCgroups) for (const pid of cgroupTreePids(cg)) sigkill(Number(pid));
}

function removeOurChains(record: HostRecord): void {
  for (const [save, restore] of [["iptables-save", "iptables-restore"], ["ip6tables-save", "ip6tables-restore"]]) {
    const script = chainCleanupScript(tryRun(save, []) ?? "");
    if (script) execFileSync(restore, ["--noflush"], { input: script, stdio: ["pipe", "ignore", "pipe"] });
  }
  // Tables iptables-nft created for our rules, now empty; a table with anyone's rules stays.
  for (const table of nftTablesNow()) {
    if (record.nftTables?.includes(table)) continue;
    const listing = tryRun("nft", ["list", "table", ...table.split(" ")]);
    if (listing !== undefined && !nftTableHasRules(listing)) tryRun("nft", ["delete", "table", ...table.split(" ")]);
  }
}

/**
 * Puts the machine back as the record found it, once the cluster's processes are stopped:
 * mounts under the cluster directory and the fixed directories go too. Each step is safe to repeat.
 */
export async function restoreHost(clusterDir: string, record: HostRecord, log: (m: string) => void): Promise<void> {
  killContainerProcesses(clusterDir, record, log);
  removeOurChains(record);
  const mounts = mountsUnder(fs.readFileSync("/proc/self/mountinfo", "utf8"), [clusterDir, ...FIXED_HOST_DIRS]);
  for (const m of mounts) {
    if (tryRun("umount", [m]) === undefined) tryRun("umount", ["-l", m]);
  }
  if (mounts.length) log(`unmounted ${mounts.length} mounts`);
  if (bridgeExists() && bridgeOwner() === record.owner) {
    // Veths whose pod namespace outlived the kubelet still hang on the bridge.
    const ports = fs.readdirSync(`/sys/class/net/${NODE_NETWORK.bridge}/brif`);
    for (const port of ports) tryRun("ip", ["link", "del", port]);
    run("ip", ["link", "del", NODE_NETWORK.bridge]);
    log(`removed the bridge ${NODE_NETWORK.bridge}${ports.length ? ` and ${ports.length} veths` : ""}`);
  }
  // Connection tracking entries of the node's ranges would otherwise linger until they time out.
  for (const range of [NODE_NETWORK.podCidr, ...BRIDGE_ROUTES]) {
    tryRun("conntrack", ["-D", "-s", range]);
    tryRun("conntrack", ["-D", "-d", range]);
  }
  for (const cg of record.createdCgroups) if (fs.existsSync(cg)) await removeCgroupTree(cg);
  for (const [key, value] of Object.entries(record.sysctls)) {
    if (readSysctl(key) !== value) {
      fs.writeFileSync(`/proc/sys/${key}`, value);
      log(`restored ${key.replace(/\//g, ".")} = ${value}`);
    }
  }
  for (const dir of record.createdDirs) fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(recordFile(clusterDir), { force: true });
}
