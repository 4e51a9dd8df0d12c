// What a local cluster may change on the machine, read with the system's own tools, so a test
// can compare the machine before `agc cluster up` and after `agc cluster down`.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const sh = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
};

const SYSCTLS = ["net/ipv4/ip_forward", "vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops", "net/ipv4/conf/all/route_localnet"];
const KUBELET_DIRS = ["/var/lib/kubelet", "/var/log/pods", "/var/log/containers", "/var/lib/cni", "/run/containerd", "/run/netns"];

export interface HostSnapshot {
  links: string[];
  netns: string[];
  routes: string[];
  chains: string[];
  mounts: string[];
  cgroups: string[];
  sysctls: Record<string, string>;
  kubeletDirs: string[];
  processes: string[];
  /** Connection tracking entries that name an address of the node's ranges. */
  conntrack: number;
}

/** The processes, this one aside, whose command line (arguments joined by spaces) mentions `text`. */
export function processesMentioning(text: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmdline.includes(text)) found.push({ pid: Number(pid), cmdline });
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

export function hostSnapshot(stateDir: string): HostSnapshot {
  const roots = [stateDir, ...KUBELET_DIRS];
  const chains = (save: string, family: string) => {
    let table = "";
    return sh(save, []).split("\n").flatMap((l) => {
      if (l.startsWith("*")) table = l.slice(1);
      return l.startsWith(":") ? [`${family} ${table} ${l.slice(1).split(" ")[0]}`] : [];
    });
  };
  return {
    links: sh("ip", ["-o", "link", "show"]).split("\n").filter(Boolean).map((l) => l.split(":")[1].trim().split("@")[0]).sort(),
    netns: sh("ip", ["netns", "list"]).split("\n").filter(Boolean).sort(),
    routes: sh("ip", ["route", "show"]).split("\n").filter(Boolean).sort(),
    chains: [...chains("iptables-save", "ipv4"), ...chains("ip6tables-save", "ipv6")].sort(),
    mounts: fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter(Boolean).map((l) => l.split(" ")[4])
      .filter((m) => roots.some((r) => m === r || m.startsWith(r + "/"))).sort(),
    cgroups: fs.readdirSync("/sys/fs/cgroup").flatMap((h) => {
      const dir = path.join("/sys/fs/cgroup", h);
      try {
        return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${h}/${e.name}`);
      } catch {
        return [];
      }
    }).sort(),
    sysctls: Object.fromEntries(SYSCTLS.map((k) => [k, fs.readFileSync(`/proc/sys/${k}`, "utf8").trim()])),
    kubeletDirs: KUBELET_DIRS.filter((d) => fs.existsSync(d)),
    processes: processesMentioning(stateDir).map((p) => `${p.pid} ${p.cmdline}`),
    conntrack: sh("conntrack", ["-L"]).split("\n").filter((l) => /=10\.(244\.0|96|245\.0)\./.test(l)).length,
  };
}
