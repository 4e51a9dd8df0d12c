import { parseShowProc, reloadProgress } from "../../../dataplane/haproxy";

// `show proc` as Debian's HAProxy 2.6.12 prints it on the master CLI.
const AFTER_START = `#<PID>          <type>          <reloads>       <uptime>        <version>
11149           master          0 [failed: 0]   0d00h00m01s     2.6.12-1+deb12u4
# workers
11155           worker          0               0d00h00m01s     2.6.12-1+deb12u4
# programs
`;
const AFTER_RELOAD = `#<PID>          <type>          <reloads>       <uptime>        <version>
11149           master          1 [failed: 0]   0d00h00m02s     2.6.12-1+deb12u4
# workers
11189           worker          0               0d00h00m01s     2.6.12-1+deb12u4
# old workers
11155           worker          1               0d01h02m03s     2.6.12-1+deb12u4
# programs
`;
const AFTER_FAILED_RELOAD = `#<PID>          <type>          <reloads>       <uptime>        <version>
11149           master          1 [failed: 1]   0d00h00m26s     2.6.12-1+deb12u4
# workers
11155           worker          1               0d00h00m15s     2.6.12-1+deb12u4
# programs
`;

describe("show proc", () => {
  it("reads the master's counters, the workers and the old workers", () => {
    expect(parseShowProc(AFTER_RELOAD)).toEqual({
      masterPid: 11149,
      reloads: 1,
      failedReloads: 0,
      workers: [{ pid: 11189, reloads: 0, uptimeSeconds: 1 }],
      oldWorkers: [{ pid: 11155, reloads: 1, uptimeSeconds: 3723 }],
    });
  });

  it("is undefined for anything else", () => {
    expect(parseShowProc("Unknown command.\n")).toBeUndefined();
    expect(parseShowProc("")).toBeUndefined();
  });

  it("counts a reload done only with a worker that was not there before", () => {
    const before = parseShowProc(AFTER_START)!;
    expect(reloadProgress(before, parseShowProc(AFTER_RELOAD)!)).toEqual({ state: "done", workerPid: 11189 });
    expect(reloadProgress(before, before)).toEqual({ state: "pending" });
    expect(reloadProgress(before, parseShowProc(AFTER_FAILED_RELOAD)!)).toEqual({ state: "failed" });
  });
});
