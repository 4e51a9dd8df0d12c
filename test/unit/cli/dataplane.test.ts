import { dataplaneConfig, FLAGS, HELP } from "../../../cli/commands/dataplane";
import * as proxy from "../../../cli/commands/dataplane-proxy";

/** HELP's entries: each `  --flag ...` line with its indented continuation lines. */
function helpEntries(help = HELP): Map<string, string> {
  const entries = new Map<string, string>();
  let current: string | undefined;
  for (const line of help.split("\n")) {
    const m = /^ {2}(--[a-z-]+)/.exec(line);
    if (m) entries.set((current = m[1]), line);
    else if (current && /^ {20,}\S/.test(line)) entries.set(current, `${entries.get(current)} ${line.trim()}`);
    else current = undefined;
  }
  return entries;
}

describe("agc dataplane", () => {
  it("documents every option, and each option's default", () => {
    const entries = helpEntries();
    expect([...entries.keys()].sort()).toEqual([...FLAGS].sort());
    for (const flag of FLAGS.filter((f) => f !== "--ir" && f !== "--configmap")) {
      expect([flag, /\[[^\]]+\]$/.test(entries.get(flag)!)]).toEqual([flag, true]);
    }
    expect(entries.get("--old-worker-timeout-seconds")).toMatch(/\[3600\]$/);
    expect(entries.get("--admin-port")).toMatch(/\[9901\]$/);
    expect(entries.get("--retry-max-seconds")).toMatch(/wait 0.2 s, doubling up to N s \[10\]$/);
  });

  it("takes defaults for what is not given", () => {
    expect(dataplaneConfig(["--configmap", "agc-system/gw-ir"], {}, 42)).toEqual({
      ok: true,
      config: {
        source: { kind: "configmap", configMap: { namespace: "agc-system", name: "gw-ir" }, pod: undefined, kubeconfig: undefined },
        runtimeDir: expect.stringMatching(/agc-dataplane-42$/),
        adminPort: 9901,
        haproxyBin: "/usr/sbin/haproxy",
        drainSeconds: 10,
        reloadTimeoutMs: 30_000,
        oldWorkerTimeoutMs: 3_600_000,
        retryMaxMs: 10_000,
        externalHaproxy: false,
      },
    });
  });

  it("takes --external-haproxy as a switch, anywhere on the line", () => {
    const r = dataplaneConfig(["--external-haproxy", "--configmap", "agc-system/gw-ir", "--runtime-dir", "/run/agc"], {}, 1);
    expect(r.ok && [r.config.externalHaproxy, r.config.runtimeDir]).toEqual([true, "/run/agc"]);
  });

  it("finds its pod from --pod or the downward API's environment", () => {
    const pod = (args: string[], env: Record<string, string>) => {
      const r = dataplaneConfig(["--configmap", "agc-system/gw-ir", ...args], env, 1);
      return r.ok ? (r.config.source as { pod?: unknown }).pod : r.error;
    };
    expect(pod(["--pod", "agc-system/gw-7d9f"], {})).toEqual({ namespace: "agc-system", name: "gw-7d9f" });
    expect(pod([], { POD_NAMESPACE: "agc-system", POD_NAME: "gw-1" })).toEqual({ namespace: "agc-system", name: "gw-1" });
    expect(pod(["--pod", "x/y"], { POD_NAMESPACE: "agc-system", POD_NAME: "gw-1" })).toEqual({ namespace: "x", name: "y" });
    expect(pod([], { POD_NAME: "gw-1" })).toBe("POD_NAME is 'gw-1' and POD_NAMESPACE is not set: set both (from the downward API) or pass --pod NAMESPACE/NAME");
    expect(pod(["--pod", "gw-1"], {})).toBe("--pod must be NAMESPACE/NAME, got 'gw-1'");
  });

  it("names the bad option, its value and what would do", () => {
    const error = (...args: string[]) => {
      const r = dataplaneConfig(args, {}, 1);
      return r.ok ? "accepted" : r.error;
    };
    expect(error("--ir", "a.json", "--configmap", "a/b")).toBe("give exactly one of --ir FILE and --configmap NAMESPACE/NAME");
    expect(error("--ir", "a.json", "--admin-port", "70000")).toBe("--admin-port must be an integer from 0 to 65535, got '70000'");
    expect(error("--ir", "a.json", "--old-worker-timeout-seconds", "soon")).toBe("--old-worker-timeout-seconds must be a number from 1 to 604800, got 'soon'");
    expect(error("--ir", "a.json", "--pod", "a/b")).toBe("--pod goes with --configmap, not --ir");
    expect(error("--configmap", "b")).toBe("--configmap must be NAMESPACE/NAME, got 'b'");
  });
});

describe("agc dataplane proxy", () => {
  it("documents every option, and each option's default", () => {
    const entries = helpEntries(proxy.HELP);
    expect([...entries.keys()].sort()).toEqual([...proxy.FLAGS].sort());
    expect(entries.get("--runtime-dir")).toMatch(/\(required\)$/);
    for (const flag of proxy.FLAGS.filter((f) => f !== "--runtime-dir")) expect([flag, /\[[^\]]+\]$/.test(entries.get(flag)!)]).toEqual([flag, true]);
  });

  it("takes defaults for what is not given", () => {
    expect(proxy.proxyConfig(["--runtime-dir", "/run/agc"])).toEqual({
      ok: true,
      config: { runtimeDir: "/run/agc", haproxyBin: "/usr/sbin/haproxy", drainSeconds: 10, retryMaxMs: 10_000 },
    });
  });

  it("names what is missing or wrong", () => {
    expect(proxy.proxyConfig([])).toEqual({ ok: false, error: "--runtime-dir DIR is required: the directory the agent writes haproxy.cfg into" });
    expect(proxy.proxyConfig(["--runtime-dir", "/run/agc", "--probe-port", "99999"])).toEqual({ ok: false, error: "--probe-port must be an integer from 1 to 65535, got '99999'" });
    expect(proxy.proxyConfig(["--runtime-dir", "/run/agc", "--configmap", "a/b"])).toEqual({ ok: false, error: "unknown option '--configmap'" });
  });
});
