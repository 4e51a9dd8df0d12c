import { supervisorHealth } from "../../../dataplane/supervisor";

describe("the HAProxy supervisor's /healthz (the haproxy container's liveness)", () => {
  it("is healthy while waiting for the agent's first configuration: a restart would not bring one", () => {
    expect(supervisorHealth({ state: "waiting", for: "/run/agc/haproxy.cfg" })).toEqual({ status: 200, body: { ok: true, state: "waiting", for: "/run/agc/haproxy.cfg" } });
  });

  it("is healthy while HAProxy runs, and names its master", () => {
    expect(supervisorHealth({ state: "running", masterPid: 7 })).toEqual({ status: 200, body: { ok: true, state: "running", masterPid: 7 } });
  });

  it("answers 503 with the reason while HAProxy is down between restarts", () => {
    expect(supervisorHealth({ state: "down", exit: "killed by SIGKILL", attempt: 3, nextAttemptInMs: 800 })).toEqual({
      status: 503,
      body: { ok: false, reason: "haproxy is not running (killed by SIGKILL); restart attempt 3 in 800 ms" },
    });
  });
});
