import { leveledLog, parseLogLevel } from "../../../controller/log";

test("a level lets through its own messages and the more severe ones", () => {
  const lines: string[] = [];
  const log = leveledLog("warn", "controller", (m) => lines.push(m));
  log.debug("probe answered");
  log.info("translated: 1 data plane(s)");
  log.warn("pool nearly exhausted");
  log.error("lost the lease");
  expect(lines).toEqual(["controller: pool nearly exhausted", "controller: lost the lease"]);
});

test("debug lets everything through", () => {
  const lines: string[] = [];
  const log = leveledLog("debug", "bootstrap", (m) => lines.push(m));
  log.debug("GET /readyz from 10.244.0.1: 200");
  log.info("CRDs unchanged: gateways.gateway.networking.k8s.io");
  expect(lines).toEqual(["bootstrap: GET /readyz from 10.244.0.1: 200", "bootstrap: CRDs unchanged: gateways.gateway.networking.k8s.io"]);
});

test("an unknown level is refused, naming the valid ones", () => {
  expect(parseLogLevel("debug")).toBe("debug");
  expect(() => parseLogLevel("verbose")).toThrow("--log-level must be one of error, warn, info, debug; got 'verbose'");
});
