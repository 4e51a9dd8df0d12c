// The pure parts of bench/propagation.ts: statistics, tables, options, and the snapshot that
// stands for the cluster's objects in the translate() timing.
import {
  DEFAULTS, acceptedRoutes, benchSnapshot, chooseKubeconfig, commandLine, emptyTally, addAnswer, headerLine, isProgrammed,
  loadTable, markdownTable, parseOptions, percentile, propagationTable, summarize, timeTranslate, translateTable,
} from "../../../bench/propagation";
import { CONTROLLER_NAME, translate } from "../../../translate";

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("percentile (nearest rank)", () => {
  it.each([
    ["1..100", 50, 50, oneTo(100)],
    ["1..100", 99, 99, oneTo(100)],
    ["1..100", 100, 100, oneTo(100)],
    ["1..100", 0, 1, oneTo(100)],
    ["1..100", 7, 7, oneTo(100)], // 0.07 * 100 is not 7 in floating point; 7 * 100 / 100 is
    ["1..10", 50, 5, oneTo(10)],
    ["1..10", 99, 10, oneTo(10)],
    ["30, 10, 20", 50, 20, [30, 10, 20]],
    ["42", 99, 42, [42]],
  ])("%s, p%i: %i", (_, p, expected, samples) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  it("has no value without samples, and leaves its input in order", () => {
    expect(percentile([], 50)).toBeUndefined();
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it("summarizes 100 changes as p50, p99 and max", () => {
    expect(summarize(oneTo(100).reverse())).toEqual({ n: 100, p50: 50, p99: 99, max: 100 });
    expect(summarize([])).toEqual({ n: 0, p50: undefined, p99: undefined, max: undefined });
  });
});

describe("tables", () => {
  it("formats a Markdown table as the other benchmarks print theirs", () => {
    expect(markdownTable(["a", "b"], [[1, "x"], [2, "y"]])).toBe("| a | b |\n|---|---|\n| 1 | x |\n| 2 | y |");
  });

  it("rounds propagation times to milliseconds and counts failures", () => {
    const table = propagationTable([
      { routes: 10, servedMs: [310.4, 290.6, 505.5], applyMs: [12.2, 9.9, 15], notServed: 0, notRemoved: 0 },
      { routes: 1000, servedMs: [], applyMs: [], notServed: 5, notRemoved: 0, stopped: "5 failures" },
    ]);
    expect(table).toBe([
      "| background routes | changes served | p50 ms | p99 ms | max ms | not served in 60 s | not removed in 60 s | apply call p50 ms |",
      "|---|---|---|---|---|---|---|---|",
      "| 10 | 3 | 310 | 506 | 506 | 0 | 0 | 12 |",
      "| 1000 | 0 (stopped: 5 failures) | n/a | n/a | n/a | 5 | 0 | n/a |",
    ].join("\n"));
  });

  it("gives translate() times with one decimal", () => {
    expect(translateTable([{ routes: 1000, irRoutes: 1000, runs: [41.26, 40.04, 55.5, 40.5] }])).toBe([
      "| HTTPRoutes | IR routes | runs | median ms | min ms | max ms |",
      "|---|---|---|---|---|---|",
      "| 1000 | 1000 | 4 | 40.5 | 40.0 | 55.5 |",
    ].join("\n"));
  });

  it("counts answers other than 200, connection errors and timeouts apart", () => {
    const tally = emptyTally();
    for (const a of [{ status: 200 }, { status: 200 }, { status: 503 }, { status: 502 }, { status: 503 }, { error: "ECONNRESET" }, { error: "timeout" }]) addAnswer(tally, a);
    expect(tally).toEqual({ requests: 7, ok: 2, statuses: { 502: 1, 503: 2 }, errors: { ECONNRESET: 1 }, timeouts: 1 });
    expect(loadTable([{ connections: "kept alive", loops: 2, tally }, { connections: "new per request", loops: 2, tally: { ...emptyTally(), requests: 5, ok: 5 } }])).toBe([
      "| client connections | loops | requests | 200 | other status | connection errors | timeouts (2 s) |",
      "|---|---|---|---|---|---|---|",
      "| kept alive | 2 | 7 | 2 | 3 (502: 1, 503: 2) | 1 (ECONNRESET: 1) | 1 |",
      "| new per request | 2 | 5 | 5 | 0 | 0 | 0 |",
    ].join("\n"));
  });

  it("opens with the machine, the versions and the data plane", () => {
    expect(headerLine({ date: "2026-12-01T10:00:00.000Z", cpus: 2, cpuModel: "AMD EPYC", node: "v20.20.2", haproxy: "2.6.12-1+deb12u4", kubernetes: "v1.33.1", dataplane: "2 replicas of agc-dataplane:dev", onCluster: true }))
      .toBe("2026-12-01T10:00:00.000Z, 2 CPUs (AMD EPYC), node v20.20.2, HAProxy 2.6.12-1+deb12u4, Kubernetes v1.33.1; data plane: 2 replicas of agc-dataplane:dev; the cluster, the data plane and the client share the machine.");
    expect(headerLine({ date: "2026-12-01T10:00:00.000Z", cpus: 2, cpuModel: "AMD EPYC", node: "v20.20.2", onCluster: false }))
      .toBe("2026-12-01T10:00:00.000Z, 2 CPUs (AMD EPYC), node v20.20.2; translate() alone, in this process.");
  });
});

describe("options", () => {
  it("defaults to 10, 100 and 1000 routes, 100 changes each", () => {
    const o = parseOptions([], {});
    expect(o).toEqual({ translateOnly: false, kubeconfig: undefined, ...DEFAULTS });
    expect(commandLine(o)).toBe("bench/run.sh propagation");
  });

  it("reads flags and environment, and shows what differs from the defaults in the command", () => {
    const o = parseOptions(["--translate-only", "--kubeconfig", "/tmp/k"], { BENCH_ROUTES: "100, 10,100", BENCH_CHANGES: "20" });
    expect(o).toMatchObject({ translateOnly: true, kubeconfig: "/tmp/k", routeCounts: [10, 100], changes: 20 });
    expect(commandLine(o)).toBe("BENCH_ROUTES=10,100 BENCH_CHANGES=20 bench/run.sh propagation --translate-only");
  });

  it.each([
    [[], { BENCH_CHANGES: "0" }, /BENCH_CHANGES must be a whole number from 1 to 1000; got '0'/],
    [[], { BENCH_ROUTES: "10,,100" }, /BENCH_ROUTES .* got '\(empty\)'/],
    [[], { BENCH_ROUTES: "100000" }, /from 1 to 5000/],
    [["--kubeconfig"], {}, /unknown argument '--kubeconfig'/],
    [["--fast"], {}, /unknown argument '--fast'/],
  ])("refuses %j %j", (argv, env, message) => {
    expect(() => parseOptions(argv, env)).toThrow(message);
  });

  it("takes --kubeconfig, else KUBECONFIG (read by the client), else the local cluster's", () => {
    expect(chooseKubeconfig("/a", "/b", "/local")).toBe("/a");
    expect(chooseKubeconfig(undefined, "/b", "/local")).toBeUndefined();
    expect(chooseKubeconfig(undefined, "", "/local")).toBe("/local");
    expect(chooseKubeconfig(undefined, undefined, "/local")).toBe("/local");
  });
});

describe("the snapshot translate() is timed on", () => {
  it("makes one data plane serving every background route, each accepted", () => {
    const snapshot = benchSnapshot(10);
    const result = translate(snapshot, { controllerName: CONTROLLER_NAME });
    expect(result.dataplanes).toHaveLength(1);
    expect(result.dataplanes[0].ir.routes).toHaveLength(10);
    expect(result.dataplanes[0].ir.clusters[0].endpoints).toEqual([{ address: "10.244.0.10", port: 3000 }]);
    const routes = result.statuses.filter((s) => s.kind === "HTTPRoute").map((s) => ({ metadata: { generation: 1 }, status: s.status }));
    expect(acceptedRoutes(routes)).toBe(10);
    const gw = result.statuses.find((s) => s.kind === "Gateway")!;
    expect(isProgrammed({ metadata: { generation: 1 }, status: gw.status })).toBe(true);
  });

  it("times the runs after the warm-ups; at 1,000 routes the document holds them all", () => {
    const row = timeTranslate(1000, 2, 1);
    expect(row).toMatchObject({ routes: 1000, irRoutes: 1000 });
    expect(row.runs).toHaveLength(2);
  });
});
