// `agc demo` as the README's first command runs it, in a state directory of its own: it ends
// with the printed proof (a WebSocket round trip, the forwarded headers, the backends' health),
// and `agc demo --down` destroys the stack and stops the cluster, leaving the machine as it was.
// One node runs per machine: this project runs alone (jest -c jest.host.config.js).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { agcWithState } from "../support/agcCommand";
import { hostSnapshot, HostSnapshot } from "../support/hostSnapshot";

jest.setTimeout(900_000);

const state = fs.mkdtempSync(path.join(os.tmpdir(), "agc-demo-"));
const agc = agcWithState(state);
let before: HostSnapshot;

beforeAll(() => {
  before = hostSnapshot(state);
});

afterAll(async () => {
  await agc("cluster", "down");
  fs.rmSync(state, { recursive: true, force: true });
});

test("agc demo ends with the proof: an echoed WebSocket message, the forwarded headers, healthy backends", async () => {
  const r = await agc("demo");
  expect({ code: r.code, stderr: r.code ? r.stderr : "" }).toEqual({ code: 0, stderr: "" });
  expect(r.stderr).toMatch(/demo: pulumi up: done in \d+\.\d s/);
  expect(r.stderr).toMatch(/sent "hello through the gateway" to ws:\/\/10\.245\.0\.\d+\/ \(Host: ws\.contoso\.com\), got "hello through the gateway" back in \d+ ms/);
  expect(r.stderr).toMatch(/ {2}x-forwarded-for: 10\.244\.0\.1\n/);
  expect(r.stderr).toMatch(/ {2}x-forwarded-proto: http\n/);
  expect(r.stderr).toMatch(/ {2}x-request-id: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n/);
  // Both echo pods, healthy by the HealthCheckPolicy's probe on /health.
  expect(r.stderr.match(/ {2}alb-\S+: \S+ {2}10\.244\.0\.\d+:8888 {2}UP \(L7OK\)/g)?.length).toBeGreaterThanOrEqual(2);
  expect(r.stderr).toMatch(/stop everything: agc demo --down/);
});

test("agc demo --down destroys the stack and stops the cluster: the machine is as it was", async () => {
  const r = await agc("demo", "--down");
  expect({ code: r.code, stderr: r.code ? r.stderr : "" }).toEqual({ code: 0, stderr: "" });
  expect(r.stderr).toMatch(/pulumi destroy of stack dev: done/);
  expect(r.stderr).toMatch(/host restored/);
  expect(hostSnapshot(state)).toEqual(before);
});
