import { healthLines } from "../../../cli/demo/proof";

describe("healthLines", () => {
  it("prints one line per endpoint with its status and last check, and a hint where there is one", () => {
    expect(healthLines({
      "default.echo.80": {
        healthyEndpoints: 1,
        endpoints: [
          { address: "10.244.0.7", port: 8888, status: "UP", healthy: true, lastCheck: "L7OK", weight: 1, server: "s0" },
          { address: "10.244.0.8", port: 8888, status: "DOWN", healthy: false, lastCheck: "L7STS", lastCheckCode: 400, hint: "use /health", weight: 1, server: "s1" },
        ],
      },
      "default.empty.80": { healthyEndpoints: 0, endpoints: [] },
    })).toEqual([
      "default.echo.80  10.244.0.7:8888  UP (L7OK)",
      "default.echo.80  10.244.0.8:8888  DOWN (L7STS): use /health",
      "default.empty.80: no endpoints",
    ]);
  });
});
