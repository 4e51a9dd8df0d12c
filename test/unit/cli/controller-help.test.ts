import { main } from "../../../cli/commands/controller";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, "log").mockImplementation((m) => void out.push(String(m)));
  const error = jest.spyOn(console, "error").mockImplementation((m) => void err.push(String(m)));
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe("agc controller", () => {
  it("documents the data plane options with their defaults", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("--dataplane-image IMAGE  the data plane pods' image; default agc.local/alb-dataplane:dev");
    expect(out).toContain("--dataplane-replicas N  pods per data plane; default 2");
    expect(out).toContain("--address-pool CIDR  IPv4 range frontend Services' addresses come from; default\n                     10.245.0.0/24");
  });

  it("refuses a bad pool or replica count before connecting, naming the value", async () => {
    await expect(run(["--address-pool", "10.245.0.7/24"])).rejects.toThrow("--address-pool: 10.245.0.7/24 is not a valid IPv4 prefix");
    await expect(run(["--dataplane-replicas", "two"])).rejects.toThrow("--dataplane-replicas must be a whole number of pods (0 or more); got 'two'");
  });
});

describe("agc controller: the options its pods need", () => {
  it("documents the health endpoint and the log level", async () => {
    const { out } = await run(["--help"]);
    expect(out).toContain("--health-port N    serve /healthz (liveness: answers while the process runs) and /readyz");
    expect(out).toContain("--log-level LEVEL  error, warn, info or debug (also each probe answered); default info");
    expect(out).toContain("agc controller bootstrap ...   install the CRDs and keep them installed (--help for more)");
  });

  it("refuses a bad health port, a health address without a port, and an unknown log level, naming the value", async () => {
    await expect(run(["--health-port", "99999"])).rejects.toThrow("--health-port must be a TCP port from 1 to 65535 (or 0: any free one); got '99999'");
    await expect(run(["--health-address", "0.0.0.0"])).rejects.toThrow("--health-address needs --health-port (the health endpoint is off without a port)");
    await expect(run(["--log-level", "loud"])).rejects.toThrow("--log-level must be one of error, warn, info, debug; got 'loud'");
  });

  it("names an unknown option", async () => {
    const { code, err } = await run(["--helth-port", "8081"]);
    expect(code).toBe(2);
    expect(err).toContain("agc controller: unknown option --helth-port");
  });

  it("bootstrap --help says what it installs and how often it applies them again", async () => {
    const { code, out } = await run(["bootstrap", "--help"]);
    expect(code).toBe(0);
    expect(out).toContain("usage: agc controller bootstrap");
    expect(out).toContain("--gateway-api-crds DIR  the Gateway API release's CRD files (its config/crd/standard);\n                     default /app/gateway-api-crds/standard (in the controller image)");
    expect(out).toContain("--resync-seconds N  how often to apply them again; default 300");
  });

  it("bootstrap refuses a resync period that is not a whole number of seconds", async () => {
    await expect(run(["bootstrap", "--resync-seconds", "0.5"])).rejects.toThrow("--resync-seconds must be a whole number of seconds, 1 or more; got '0.5'");
  });
});

describe("agc controller install", () => {
  it("--help says what it applies and waits for, with the install's options", async () => {
    const { code, out } = await run(["install", "--help"]);
    expect(code).toBe(0);
    expect(out).toContain("usage: agc controller install [--kubeconfig FILE] [--context NAME] [--wait-seconds N]");
    expect(out).toContain("waits until the alb-controller-bootstrap\nand alb-controller Deployments have rolled out and GatewayClass agc is Accepted");
    expect(out).toContain("--wait-seconds N   how long to wait for the rollout; default 300");
    expect(out).toContain("--replicas N       alb-controller pods (one leads, the others stand by); default 2");
  });

  it("refuses a bad option or value before connecting, naming it", async () => {
    const bad = await run(["install", "--replicas", "two", "--kubeconfig", "/nonexistent"]);
    expect([bad.code, bad.err.split("\n")[0]]).toEqual([2, "agc controller install: --replicas must be a whole number, 1 or more; got 'two'"]);
    const unknown = await run(["install", "--replica", "2"]);
    expect([unknown.code, unknown.err.split("\n")[0]]).toEqual([2, "agc controller install: unknown option '--replica'"]);
    const wait = await run(["install", "--wait-seconds", "0"]);
    expect([wait.code, wait.err.split("\n")[0]]).toEqual([2, "agc controller install: --wait-seconds must be a whole number of seconds, 1 or more; got '0'"]);
  });
});
