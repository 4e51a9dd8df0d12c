// examples/sse through the real engine, with the package installed as a user installs it:
// `pulumi up` installs the ALB controller (as pods), the gateway with its frontend and a service
// streaming server-sent events behind a route whose request timeout is 0. Events 70 s apart go
// through the frontend's address on that route and the stream stays open, while the same
// stream on a route with the gateway's default (60 s) is cut before its second event, and on a
// route of 3 s after 3 s. Then `pulumi destroy` leaves no controller behind.
import { gatewayAddress } from "../../cli/demo/proof";
import { installObjects } from "../../controller/install";
import { eventsServiceObjects } from "../../examples/sse/objects";
import { KubeClient, resourcePath } from "../../kube/client";
import { DEFAULT_TIMEOUTS } from "../../model/ir";
import { eventually, sleep } from "../dataplane/harness";
import { EventStream, eventsOrEnd, openEventStream, routeVariant } from "../support/eventStream";
import { getThrough } from "../support/gatewayHttp";
import { testClient } from "../support/localCluster";
import { applyManifest, CONTROLLER_INSTALL_PATHS, removeManifests, uninstallAndWait, waitUntilGone, waitWhileTerminating } from "../support/manifests";
import { destroyExample, destroyStack, ExampleStack, uniqueStack, upExample } from "../support/pulumi";

jest.setTimeout(900_000);

type Obj = Record<string, any>;

const HOST = "sse.contoso.com";
/** The same backends on routes of their own: the gateway's default timeout, and a short one. */
const DEFAULT_HOST = "default.sse.contoso.com";
const SHORT_HOST = "short.sse.contoso.com";
const SHORT_TIMEOUT_MS = 3_000;
/** The gateway's request timeout: how long the backend may stay silent (agc-behaviour.md). */
const GATEWAY_TIMEOUT_MS = DEFAULT_TIMEOUTS.requestMs;
/** Events this far apart: longer than the gateway's timeout, by a margin. */
const QUIET_SECONDS = 70;
const FIELD_MANAGER = "example-sse-test";

let example: ExampleStack | undefined;
let client: KubeClient;
let address: string;
let outputs: Obj;
let variants: Obj[] = [];

beforeAll(async () => {
  client = testClient();
  await waitWhileTerminating(client, ["agc-system"]);
  example = await upExample("sse", uniqueStack("sse"));
  outputs = example.outputs;
  address = await eventually("the frontend's address on the Gateway", () => gatewayAddress(client, outputs.namespace, outputs.gatewayName), 120_000, 500);
  const route = await client.get(resourcePath("gateway.networking.k8s.io/v1", "httproutes", outputs.namespace, outputs.routeName));
  variants = [
    routeVariant(route, "events-gateway-default", DEFAULT_HOST),
    routeVariant(route, "events-short", SHORT_HOST, { request: `${SHORT_TIMEOUT_MS / 1000}s` }),
  ];
  for (const v of variants) await applyManifest(client, v, FIELD_MANAGER);
  // Ten in a row, each on a new connection: every data plane pod serves the new routes.
  for (const host of [HOST, DEFAULT_HOST, SHORT_HOST]) {
    await eventually(`GET /health with Host ${host} answered 200 ten times in a row`, () => healthy(host, 10), 120_000, 500);
  }
});

afterAll(async () => {
  if (client) await removeManifests(client, variants);
  await destroyExample(example);
  // Whatever destroy left behind, then wait until the controller's namespace and classes are gone.
  const service = eventsServiceObjects({ name: "events", namespace: "default", hostname: HOST, frontend: "" });
  if (client) await uninstallAndWait(client, installObjects(), Object.values(service));
  client?.close();
});

const health = (host: string) => getThrough(address, host, "/health").then((a) => a.status === 200 || undefined, () => undefined);

async function healthy(host: string, times: number): Promise<boolean | undefined> {
  for (let i = 0; i < times; i++) if (!(await health(host))) return undefined;
  return true;
}

const summary = (s: EventStream) => ({ status: s.status, events: s.events.length, open: s.endedAt === undefined });

test("GET /events through the frontend's address streams events: 200, text/event-stream, the first at once", async () => {
  expect(address).toMatch(/^10\.245\.0\.\d+$/);
  const stream = await openEventStream(address, HOST, "/events?every=1");
  try {
    await eventsOrEnd(stream, 3, 10_000);
    expect(summary(stream)).toEqual({ status: 200, events: 3, open: true });
    expect(stream.events[0].at - stream.startedAt).toBeLessThan(2_000);
    expect(stream.events.map((e) => JSON.parse(e.data).n)).toEqual([1, 2, 3]);
  } finally {
    stream.close();
  }
});

test(`events ${QUIET_SECONDS} s apart: the route with request timeout 0 keeps the stream open; the gateway's ${GATEWAY_TIMEOUT_MS / 1000} s cuts it on a route without; a route of ${SHORT_TIMEOUT_MS / 1000} s cuts it then`, async () => {
  const every = `/events?every=${QUIET_SECONDS}`;
  const [lifted, gatewayDefault, short] = await Promise.all([
    openEventStream(address, HOST, every),
    openEventStream(address, DEFAULT_HOST, every),
    openEventStream(address, SHORT_HOST, "/events?every=5"),
  ]);
  try {
    await eventsOrEnd(lifted, 2, (QUIET_SECONDS + 20) * 1000);
    await sleep(1_000);
    // The second event came after more than the gateway's timeout of silence, and the stream goes on.
    expect(summary(lifted)).toEqual({ status: 200, events: 2, open: true });
    expect(lifted.events[1].at - lifted.events[0].at).toBeGreaterThanOrEqual((QUIET_SECONDS - 1) * 1000);
    // The gateway's default: cut once the backend was silent for its timeout, before the second event.
    expect(summary(gatewayDefault)).toEqual({ status: 200, events: 1, open: false });
    const silentFor = gatewayDefault.endedAt! - gatewayDefault.events[0].at;
    expect(silentFor).toBeGreaterThanOrEqual(GATEWAY_TIMEOUT_MS - 1_000);
    expect(silentFor).toBeLessThan(QUIET_SECONDS * 1000);
    // The route's own short timeout: cut after it, before the event 5 s later.
    expect(summary(short)).toEqual({ status: 200, events: 1, open: false });
    const shortSilence = short.endedAt! - short.events[0].at;
    expect(shortSilence).toBeGreaterThanOrEqual(SHORT_TIMEOUT_MS - 500);
    expect(shortSilence).toBeLessThan(5_000);
  } finally {
    for (const s of [lifted, gatewayDefault, short]) s.close();
  }
});

test("destroy removes the controller and the service: agc-system, the classes and the events Deployment are gone", async () => {
  await removeManifests(client, variants);
  await destroyStack(example!);
  await waitUntilGone(client, [
    ...CONTROLLER_INSTALL_PATHS,
    resourcePath("apps/v1", "deployments", outputs.namespace, "events"),
  ]);
});
