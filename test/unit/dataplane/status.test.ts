import { healthzAnswer, readyzAnswer } from "../../../dataplane/status";

describe("/healthz and /readyz", () => {
  const refused = { errors: ["routes[0].backends[0].cluster: no cluster named \"missing\""], at: "2026-11-22T21:00:00.000Z" };
  const down = { running: false as const, started: true as const, exit: "exit code 1", attempt: 3, nextAttemptInMs: 800 };

  it("answer 503 with the reason while nothing serves", () => {
    expect(readyzAnswer({ haproxy: { running: false, started: false } })).toEqual({ status: 503, body: { ready: false, reason: "no configuration applied yet; waiting for an IR" } });
    expect(readyzAnswer({ haproxy: { running: false, started: false }, refused })).toEqual({
      status: 503,
      body: { ready: false, reason: 'no configuration applied yet; the latest IR was refused: routes[0].backends[0].cluster: no cluster named "missing"', refused },
    });
    expect(healthzAnswer({ haproxy: { running: false, started: false } })).toEqual({ status: 200, body: { ok: true } });
    // HAProxy run by another process, not there yet: said instead of "waiting for an IR"; still healthy.
    const waiting = { haproxy: { running: false as const, started: false as const, waitingFor: "the haproxy master to answer on /run/agc/master.sock (agc dataplane proxy starts it)" } };
    expect(readyzAnswer(waiting)).toEqual({ status: 503, body: { ready: false, reason: "no configuration applied yet; waiting for the haproxy master to answer on /run/agc/master.sock (agc dataplane proxy starts it)" } });
    expect(healthzAnswer(waiting)).toEqual({ status: 200, body: { ok: true } });
  });

  it("answer 503 while HAProxy is down between restarts", () => {
    const s = { serving: { gateway: "gw", revision: "r7" }, haproxy: down };
    const reason = "haproxy is not running (exit code 1); restart attempt 3 in 800 ms";
    expect(healthzAnswer(s)).toEqual({ status: 503, body: { ok: false, reason } });
    expect(readyzAnswer(s)).toEqual({ status: 503, body: { ready: false, reason, gateway: "gw", revision: "r7" } });
  });

  it("stay ready with the last good configuration, listing what went wrong since", () => {
    const s = { serving: { gateway: "gw", revision: "r7" }, haproxy: { running: true as const }, refused, missingCertificates: ["frontend tls: Secret apps/shop-tls: not found; the frontend is not served"] };
    expect(readyzAnswer(s)).toEqual({
      status: 200,
      body: { ready: true, gateway: "gw", revision: "r7", refused, missingCertificates: ["frontend tls: Secret apps/shop-tls: not found; the frontend is not served"] },
    });
  });
});
