// Waits of the e2e tests that run a Controller in their own process: a timeout shows what the
// controller logged last, which is what tells why.
import { eventually } from "../dataplane/harness";

/** eventually(), looked at every 250 ms for up to 2 minutes unless told; a timeout adds the last 20 lines of `logs`. */
export function untilShowing(logs: readonly string[]) {
  return <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> =>
    eventually<T>(what, probe, timeoutMs, 250).catch((e: Error) => {
      throw new Error(`${e.message}\n${logs.slice(-20).join("\n")}`);
    });
}
