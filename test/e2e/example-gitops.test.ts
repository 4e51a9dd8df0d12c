// examples/gitops the way Argo CD or Flux applies it, without Pulumi: the controller's install
// (the objects `agc render install` prints) by server-side apply, in the order AlbController
// creates them; then gateway.yaml and app.yaml, object by object in file order. The controller
// runs as pods from the images `agc images` built; a WebSocket message and a plain request go
// through the frontend's address; at the end everything is deleted and gone.
import * as path from "path";
import { webSocketRoundTrip } from "../../cli/demo/proof";
import { packageRoot } from "../../cli/paths";
import { BOOTSTRAP_DEPLOYMENT, CONTROLLER_DEPLOYMENT, installDependencies, installObjects, objectId } from "../../controller/install";
import { KubeClient, resourcePath } from "../../kube/client";
import { eventually } from "../dataplane/harness";
import { programmedAddress } from "../support/gatewayApi";
import { getThrough } from "../support/gatewayHttp";
import { testClient } from "../support/localCluster";
import { applyManifest, readManifests, uninstallAndWait, waitWhileTerminating } from "../support/manifests";

jest.setTimeout(900_000);

type Obj = Record<string, any>;

const FIELD_MANAGER = "example-gitops-test";
const HOST = "ws.contoso.com";
const EXAMPLE = path.join(packageRoot, "examples", "gitops");
const install = installObjects();
const gatewayObjects = readManifests(path.join(EXAMPLE, "gateway.yaml"));
const appObjects = readManifests(path.join(EXAMPLE, "app.yaml"));

const NAMESPACE = "agc-system";
const deploymentPath = (name: string) => resourcePath("apps/v1", "deployments", NAMESPACE, name);
const ours = (plural: string, name: string) => resourcePath("alb.agc.dev/v1alpha1", plural, NAMESPACE, name);

let client: KubeClient;
let address: string;

/** The Deployment's available pods, when at least `replicas`. */
async function available(name: string, replicas: number): Promise<number | undefined> {
  const n = (await client.get(deploymentPath(name))).status?.availableReplicas ?? 0;
  return n >= replicas ? n : undefined;
}

/** The install in AlbController's order: what waits for the bootstrap (the controller, the classes) once it is available, that is once the CRDs are installed. */
async function applyInstall(): Promise<void> {
  const dependencies = installDependencies(install);
  const bootstrapId = objectId(install.find((o) => o.kind === "Deployment" && o.metadata.name === BOOTSTRAP_DEPLOYMENT)!);
  for (const o of install) {
    if (dependencies.get(objectId(o))!.includes(bootstrapId)) await eventually("the bootstrap available (the CRDs installed)", () => available(BOOTSTRAP_DEPLOYMENT, 1), 180_000, 1_000);
    await applyManifest(client, o, FIELD_MANAGER);
  }
}

const condition = (o: Obj | undefined, type: string) => ((o?.status?.conditions ?? []) as Obj[]).find((c) => c.type === type);

beforeAll(async () => {
  client = testClient();
  await waitWhileTerminating(client, [NAMESPACE, "echo"]);
  await applyInstall();
  for (const o of gatewayObjects) await applyManifest(client, o, FIELD_MANAGER);
  await eventually("TrafficController gw Succeeded", async () => (await client.get(ours("trafficcontrollers", "gw"))).status?.provisioningState === "Succeeded", 180_000, 1_000);
  for (const o of appObjects) await applyManifest(client, o, FIELD_MANAGER);
  address = await eventually("Gateway echo/echo Programmed with an address", () => programmedAddress(client, "echo", "echo"), 180_000, 1_000);
});

afterAll(async () => {
  // The service and the gateway first, then the controller; then wait until the namespaces and the cluster-wide objects are gone.
  if (client) await uninstallAndWait(client, install, [...gatewayObjects, ...appObjects]);
  client?.close();
});

const get = (urlPath: string) => getThrough(address, HOST, urlPath, { "x-forwarded-for": "203.0.113.7" });

test("the install runs as pods: the bootstrap and two alb-controller replicas; the classes agc name our controller", async () => {
  expect(await eventually("two alb-controller replicas available", () => available(CONTROLLER_DEPLOYMENT, 2), 120_000, 1_000)).toBe(2);
  expect(await available(BOOTSTRAP_DEPLOYMENT, 1)).toBe(1);
  const gatewayClass = await client.get(resourcePath("gateway.networking.k8s.io/v1", "gatewayclasses", undefined, "agc"));
  expect(gatewayClass.spec.controllerName).toBe("alb.agc.dev/alb-controller");
  expect(condition(gatewayClass, "Accepted")?.status).toBe("True");
  expect((await client.get(resourcePath("networking.k8s.io/v1", "ingressclasses", undefined, "agc"))).spec.controller).toBe("alb.agc.dev/alb-controller");
});

test("the gateway is provisioned: gw lists its frontend and association, which holds the subnet's 10.1.0.0/24", async () => {
  const gw = await client.get(ours("trafficcontrollers", "gw"));
  expect(gw.status).toMatchObject({ provisioningState: "Succeeded", frontends: ["fe"], associations: ["gw-assoc"] });
  const association = await eventually("the association's block", async () => (await client.get(ours("associations", "gw-assoc"))).status?.allocatedPrefix, 60_000, 500);
  expect(association).toBe("10.1.0.0/24");
});

test("the Gateway is Programmed on the Frontend's address", async () => {
  expect(address).toMatch(/^10\.245\.0\.\d+$/);
  const addresses = await eventually("the Frontend's addresses", async () => (await client.get(ours("frontends", "fe"))).status?.addresses as string[] | undefined, 60_000, 500);
  expect(addresses).toEqual([address]);
});

test("a WebSocket message sent to the frontend's address with Host ws.contoso.com comes back", async () => {
  const echoed = await eventually("an echo through the gateway", async () => (await webSocketRoundTrip(address, HOST, "hello from gitops")).echoed, 120_000, 500);
  expect(echoed).toBe("hello from gitops");
});

test("GET /headers: the backend saw the scheme, the client's chain plus one hop, and a request id", async () => {
  const answer = await eventually("GET /headers answered 200", async () => {
    const a = await get("/headers");
    return a.status === 200 ? a : undefined;
  }, 60_000, 500);
  const headers = JSON.parse(answer.body);
  expect(headers["x-forwarded-proto"]).toBe("http");
  expect(headers["x-forwarded-for"]).toMatch(/^203\.0\.113\.7,\d+\.\d+\.\d+\.\d+$/);
  expect(headers["x-request-id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});
