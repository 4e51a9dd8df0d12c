import * as http from "http";
import * as net from "net";
import { LeaderElector, decide, isLeading, leaderTimings, observe } from "../../../controller/leader";
import { KubeClient } from "../../../kube/client";

const at = (iso: string) => Date.parse(iso);
const record = (holderIdentity: string | undefined, renewTime: string, extra: Record<string, unknown> = {}) => ({
  holderIdentity, leaseDurationSeconds: 15, acquireTime: "2026-11-22T07:00:00.000000Z", renewTime, leaseTransitions: 2, ...extra,
});

describe("observe: expiry is measured from when this replica saw the record change, on its own clock", () => {
  const first = observe(undefined, record("b", "2026-11-22T08:00:00.000000Z"), at("2026-11-22T09:30:00Z"));
  test.each([
    ["a first record is observed now", undefined, record("b", "2026-11-22T08:00:00.000000Z"), "2026-11-22T09:30:00Z", "2026-11-22T09:30:00Z"],
    ["an unchanged record keeps its observed time", first, record("b", "2026-11-22T08:00:00.000000Z"), "2026-11-22T09:30:10Z", "2026-11-22T09:30:00Z"],
    ["a renewed record is observed now", first, record("b", "2026-11-22T08:00:02.000000Z"), "2026-11-22T09:30:10Z", "2026-11-22T09:30:10Z"],
    ["a new holder is observed now", first, record("c", "2026-11-22T08:00:00.000000Z"), "2026-11-22T09:30:11Z", "2026-11-22T09:30:11Z"],
  ])("%s", (_what, previous, rec, now, observedAt) => {
    expect(observe(previous, rec, at(now)).observedAt).toBe(at(observedAt));
  });
});

describe("decide", () => {
  const seen = (rec: ReturnType<typeof record>, observedAt: string) => ({ record: rec, observedAt: at(observedAt) });
  test.each([
    // The holder's clock is an hour behind ours: its renewTime looks long expired, yet it renewed 10 s ago.
    ["skewed clock: a holder whose clock lags, renewed 10 s ago by our clock, still holds", seen(record("b", "2026-11-22T07:00:00.000000Z"), "2026-11-22T08:00:00Z"), "2026-11-22T08:00:10Z", "wait"],
    // Its clock is an hour ahead: renewTime is in our future, yet it stopped renewing 16 s ago.
    ["skewed clock: a holder whose clock runs ahead, silent for 16 s, may be replaced", seen(record("b", "2026-11-22T09:00:00.000000Z"), "2026-11-22T08:00:00Z"), "2026-11-22T08:00:16Z", "write"],
    ["a record observed 14.999 s ago is still held", seen(record("b", "2026-11-22T08:00:00.000000Z"), "2026-11-22T08:00:00Z"), "2026-11-22T08:00:14.999Z", "wait"],
    ["a record observed 15 s ago has expired", seen(record("b", "2026-11-22T08:00:00.000000Z"), "2026-11-22T08:00:00Z"), "2026-11-22T08:00:15Z", "write"],
    ["the holder's own leaseDurationSeconds counts", seen(record("b", "2026-11-22T08:00:00.000000Z", { leaseDurationSeconds: 60 }), "2026-11-22T08:00:00Z"), "2026-11-22T08:00:30Z", "wait"],
    ["our own lease is renewed", seen(record("a", "2026-11-22T08:00:00.000000Z"), "2026-11-22T08:00:00Z"), "2026-11-22T08:00:01Z", "write"],
    ["a released lease (no holder) is taken", seen(record(undefined, "2026-11-22T08:00:00.000000Z"), "2026-11-22T08:00:00Z"), "2026-11-22T08:00:01Z", "write"],
    ["no lease at all is created", undefined, "2026-11-22T08:00:01Z", "write"],
  ])("%s", (_what, observation, now, action) => {
    expect(decide(observation, "a", at(now), 15).action).toBe(action);
  });

  test("renewing keeps acquireTime and transitions; taking over counts a transition", () => {
    expect(decide({ record: record("a", "2026-11-22T08:00:00.000000Z"), observedAt: at("2026-11-22T08:00:00Z") }, "a", at("2026-11-22T08:00:02.5Z"), 15)).toEqual({
      action: "write",
      record: { holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "2026-11-22T07:00:00.000000Z", renewTime: "2026-11-22T08:00:02.500000Z", leaseTransitions: 2 },
    });
    expect(decide({ record: record("b", "2026-11-22T08:00:00.000000Z"), observedAt: at("2026-11-22T08:00:00Z") }, "a", at("2026-11-22T08:00:20Z"), 15)).toEqual({
      action: "write",
      record: { holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "2026-11-22T08:00:20.000000Z", renewTime: "2026-11-22T08:00:20.000000Z", leaseTransitions: 3 },
    });
    expect(decide(undefined, "a", at("2026-11-22T08:00:20Z"), 15)).toEqual({
      action: "write",
      record: { holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "2026-11-22T08:00:20.000000Z", renewTime: "2026-11-22T08:00:20.000000Z", leaseTransitions: 0 },
    });
  });
});

describe("isLeading: a leader that has not renewed within renewDeadline stops, before the lease could expire for others", () => {
  test.each([
    ["renewed 9.999 s ago", "2026-11-22T08:00:00Z", "2026-11-22T08:00:09.999Z", true],
    ["renewed 10 s ago", "2026-11-22T08:00:00Z", "2026-11-22T08:00:10Z", false],
    ["never renewed", undefined, "2026-11-22T08:00:00Z", false],
  ])("%s", (_what, renewedAt, now, leading) => {
    expect(isLeading(renewedAt === undefined ? undefined : at(renewedAt), at(now), 10_000)).toBe(leading);
  });
});

describe("leaderTimings", () => {
  test("client-go's defaults: lease 15 s, renew deadline 10 s, retry every 2 s; scaled when only the lease is given", () => {
    expect(leaderTimings({})).toEqual({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, attemptTimeoutMs: 5_000 });
    expect(leaderTimings({ leaseSeconds: 3 })).toEqual({ leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, attemptTimeoutMs: 1_000 });
    expect(leaderTimings({ leaseSeconds: 60, renewDeadlineSeconds: 40, retryPeriodSeconds: 5 })).toEqual({
      leaseDurationMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 5_000, attemptTimeoutMs: 5_000,
    });
  });
  test("refuses timings that would let two replicas lead", () => {
    expect(() => leaderTimings({ leaseSeconds: 10, renewDeadlineSeconds: 10 })).toThrow("renew deadline (10 s) must be shorter than the lease duration (10 s)");
    expect(() => leaderTimings({ leaseSeconds: 15, renewDeadlineSeconds: 2, retryPeriodSeconds: 2 })).toThrow(
      "retry period (2 s) must be shorter than the renew deadline (2 s) divided by 1.2",
    );
  });
});

describe("LeaderElector against an API server whose renewals hang", () => {
  // A local HTTP server stands in for the API server: a real one cannot be made to stop
  // answering one client's PUTs while it answers its GETs.
  let server: http.Server;
  let hang = false;
  let lease: Record<string, any> | undefined;
  const held: http.ServerResponse[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const json = (code: number, obj: unknown) => {
          res.writeHead(code, { "Content-Type": "application/json" });
          res.end(JSON.stringify(obj));
        };
        if (req.method === "GET") return lease ? json(200, lease) : json(404, { kind: "Status", reason: "NotFound", message: "not found" });
        if (hang) return void held.push(res);
        if (req.method === "POST" && req.url!.endsWith("/namespaces")) return json(201, {});
        lease = { ...JSON.parse(body), metadata: { name: "alb-controller", namespace: "ns", resourceVersion: String(Date.now()) } };
        json(req.method === "POST" ? 201 : 200, lease);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    for (const r of held) r.destroy();
    await new Promise((r) => server.close(r));
  });

  test("the leader stops within renewDeadline, long before the lease expires, and its signal aborts", async () => {
    const client = new KubeClient({ server: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` });
    const elector = new LeaderElector(client, { namespace: "ns", name: "alb-controller", identity: "a", leaseSeconds: 6, renewDeadlineSeconds: 1, retryPeriodSeconds: 0.2 });
    try {
      await elector.acquire();
      expect(elector.isLeader()).toBe(true);
      let lostAt = 0;
      const lost = new Promise<void>((resolve) => elector.keepRenewing(() => ((lostAt = Date.now()), resolve())));
      await new Promise((r) => setTimeout(r, 500));
      expect(elector.isLeader()).toBe(true); // renewals go through
      hang = true;
      const hangFrom = Date.now();
      await lost;
      expect(elector.isLeader()).toBe(false);
      expect(elector.signal.aborted).toBe(true);
      // It stepped down about renewDeadline (1 s) after its last renewal, not after the lease's 6 s.
      expect(lostAt - hangFrom).toBeLessThan(1_500);
    } finally {
      elector.stop();
      client.close();
    }
  });
});
