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
