// examples/multi-frontend through the real engine, with the package installed as a user installs
// it: `pulumi up` installs the ALB controller (as pods), two gateways sharing one /23 subnet,
// two frontends on each and a WebSocket service behind each frontend. Each of the four
// frontend addresses echoes a WebSocket message from its own service's pod and answers no other
// service's host name; then `pulumi destroy` leaves no controller behind.
import { isDeepStrictEqual } from "util";
import WebSocket from "ws";
import { installObjects } from "../../controller/install";
import { multiFrontendLayout } from "../../examples/multi-frontend/layout";
import { KubeClient, resourcePath } from "../../kube/client";
import { manifestsOf, webSocketServiceObjects, webSocketServiceSpec } from "../../sdk/websocketObjects";
import { eventually } from "../dataplane/harness";
import { programmedAddress } from "../support/gatewayApi";
import { getThrough } from "../support/gatewayHttp";
import { testClient } from "../support/localCluster";
import { CONTROLLER_INSTALL_PATHS, uninstallAndWait, waitUntilGone, waitWhileTerminating } from "../support/manifests";
import { destroyExample, destroyStack, ExampleStack, uniqueStack, upExample } from "../support/pulumi";

jest.setTimeout(900_000);

/** A stack output `routes` entry, with the address its Gateway was given. */
interface Route {
  gateway: string;
  frontend: string;
  fqdn: string;
  service: string;
  hostname: string;
  namespace: string;
  gatewayName: string;
  address: string;
}

let example: ExampleStack | undefined;
let client: KubeClient;
let outputs: { allocatedPrefixes: string[]; routes: Route[] };
let routes: Route[] = [];

beforeAll(async () => {
  client = testClient();
  await waitWhileTerminating(client, ["agc-system"]);
  example = await upExample("multi-frontend", uniqueStack("multi-frontend"));
  outputs = example.outputs as typeof outputs;
  for (const r of outputs.routes) {
    const address = await eventually(`Gateway ${r.namespace}/${r.gatewayName} Programmed with an address`, () => programmedAddress(client, r.namespace, r.gatewayName), 180_000, 1_000);
    routes.push({ ...r, address });
  }
});

afterAll(async () => {
  await destroyExample(example);
  // Whatever destroy left behind, then wait until the controller's namespace and classes are gone.
  const services = multiFrontendLayout("contoso.com").flatMap((g) =>
    g.services.flatMap((s) => manifestsOf(webSocketServiceObjects(s.service, webSocketServiceSpec({ hostname: s.hostname, frontend: `agc-system/${s.frontend}` })))),
  );
  if (client) await uninstallAndWait(client, installObjects(), services);
  client?.close();
});

/** A WebSocket message through `address` with Host `host`: what came back, and the pod that answered the upgrade. */
function echoThrough(address: string, host: string, message: string): Promise<{ echoed: string; servedBy: string | undefined } | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${address}/`, { headers: { host }, handshakeTimeout: 5_000 });
    let servedBy: string | undefined;
    ws.once("upgrade", (res) => (servedBy = res.headers["x-served-by"] as string | undefined));
    ws.once("open", () => ws.send(message));
    ws.once("message", (data) => {
      resolve({ echoed: String(data), servedBy });
      ws.close();
    });
    ws.once("error", () => resolve(undefined));
  });
}

/** The status of GET /health through `address` with Host `host`; 0 when no answer came. */
const statusOf = (address: string, host: string) => getThrough(address, host, "/health").then((a) => a.status, () => 0);

test("the two gateways share the /23, one /24 each; each is Succeeded with its two frontends and its association", async () => {
  expect([...outputs.allocatedPrefixes].sort()).toEqual(["10.1.0.0/24", "10.1.1.0/24"]);
  for (const g of ["a", "b"]) {
    const tc = await client.get(resourcePath("alb.agc.dev/v1alpha1", "trafficcontrollers", "agc-system", `gw-${g}`));
    expect(tc.status).toMatchObject({ provisioningState: "Succeeded", frontends: [`fe-${g}1`, `fe-${g}2`], associations: [`gw-${g}-assoc`] });
  }
});

test("four frontends, four addresses: each Gateway is Programmed on its own frontend's address", async () => {
  expect(routes.map((r) => `${r.gateway} ${r.frontend} ${r.service} ${r.hostname}`)).toEqual([
    "gw-a fe-a1 echo-a1 a1.contoso.com",
    "gw-a fe-a2 echo-a2 a2.contoso.com",
    "gw-b fe-b1 echo-b1 b1.contoso.com",
    "gw-b fe-b2 echo-b2 b2.contoso.com",
  ]);
  for (const r of routes) expect(r.address).toMatch(/^10\.245\.0\.\d+$/);
  expect(new Set(routes.map((r) => r.address)).size).toBe(4);
  expect(new Set(routes.map((r) => r.fqdn)).size).toBe(4);
  for (const r of routes) {
    const addresses = await eventually(`Frontend ${r.frontend}'s addresses`, async () => (await client.get(resourcePath("alb.agc.dev/v1alpha1", "frontends", "agc-system", r.frontend))).status?.addresses as string[] | undefined, 60_000, 500);
    expect({ frontend: r.frontend, addresses }).toEqual({ frontend: r.frontend, addresses: [r.address] });
  }
});

test("each frontend's address echoes a WebSocket message sent with its host name, from its own service's pod", async () => {
  for (const r of routes) {
    const reply = await eventually(`an echo through ${r.frontend} (${r.address}) for ${r.hostname}`, () => echoThrough(r.address, r.hostname, `hello ${r.frontend}`), 120_000, 500);
    expect({ frontend: r.frontend, echoed: reply.echoed }).toEqual({ frontend: r.frontend, echoed: `hello ${r.frontend}` });
    expect(reply.servedBy).toMatch(new RegExp(`^${r.service}-[a-z0-9]+-[a-z0-9]+$`));
  }
});

test("each frontend's address answers its own host name (200) and no other service's (404)", async () => {
  const expected: Record<string, number> = {};
  for (const r of routes) for (const other of routes) expected[`${other.hostname} at ${r.frontend}`] = other === r ? 200 : 404;
  const matrix = async () => {
    const seen: Record<string, number> = {};
    for (const r of routes) for (const other of routes) seen[`${other.hostname} at ${r.frontend}`] = await statusOf(r.address, other.hostname);
    return seen;
  };
  let last: Record<string, number> = {};
  // Both data plane pods of each gateway must agree: a few rounds may be needed right after up.
  await eventually("every frontend answering its own host only", async () => {
    last = await matrix();
    return isDeepStrictEqual(last, expected) || undefined;
  }, 60_000, 1_000).catch(() => undefined);
  expect(last).toEqual(expected);
});

test("destroy removes the controller and the services: agc-system and the classes are gone", async () => {
  await destroyStack(example!);
  await waitUntilGone(client, [
    ...CONTROLLER_INSTALL_PATHS,
    ...routes.map((r) => resourcePath("gateway.networking.k8s.io/v1", "gateways", r.namespace, r.gatewayName)),
  ]);
});
