// The controller's bootstrap of the Gateway API CRDs against the real API server, with the
// release files the toolchain keeps: an older release is upgraded, and a second run changes nothing.
import { installGatewayApiCrds, readGatewayApiCrds } from "../../controller/bootstrap";
import { KubeClient } from "../../kube/client";
import { gatewayApiCrdsDir } from "../support/gatewayApi";
import { testClient } from "../support/localCluster";

jest.setTimeout(120_000);

const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const BUNDLE = "gateway.networking.k8s.io/bundle-version";
const STANDARD_CRDS = [
  "backendtlspolicies.gateway.networking.k8s.io",
  "gatewayclasses.gateway.networking.k8s.io",
  "gateways.gateway.networking.k8s.io",
  "grpcroutes.gateway.networking.k8s.io",
  "httproutes.gateway.networking.k8s.io",
  "listenersets.gateway.networking.k8s.io",
  "referencegrants.gateway.networking.k8s.io",
  "tcproutes.gateway.networking.k8s.io",
  "tlsroutes.gateway.networking.k8s.io",
  "udproutes.gateway.networking.k8s.io",
];

describe("Gateway API CRD bootstrap", () => {
  let client: KubeClient;
  let dir: string;

  beforeAll(() => {
    client = testClient();
    dir = gatewayApiCrdsDir();
  });

  afterAll(() => client.close());

  test("an older release in the cluster is upgraded to v1.6.3, and a second run changes nothing", async () => {
    // As an earlier install would have left it: the same CRD, another manager, release v1.5.0.
    const gateways = readGatewayApiCrds(dir).crds.find((c) => c.metadata.name === "gateways.gateway.networking.k8s.io")!;
    const older = { ...gateways, metadata: { ...gateways.metadata, annotations: { ...gateways.metadata.annotations, [BUNDLE]: "v1.5.0" } } };
    await client.apply(`${CRD_PATH}/gateways.gateway.networking.k8s.io`, older, "an-earlier-install", { force: true });

    const first = await installGatewayApiCrds(client, dir);
    expect(first.map((r) => r.name).sort()).toEqual(STANDARD_CRDS);
    expect(first.find((r) => r.name === "gateways.gateway.networking.k8s.io")!.change).toBe("updated");
    const installed = await client.get(`${CRD_PATH}/gateways.gateway.networking.k8s.io`);
    expect(installed.metadata.annotations[BUNDLE]).toBe("v1.6.3");
    expect(installed.status.conditions.find((c: any) => c.type === "Established").status).toBe("True");

    const before = await Promise.all(STANDARD_CRDS.map(async (n) => (await client.get(`${CRD_PATH}/${n}`)).metadata.resourceVersion));
    const lines: string[] = [];
    const second = await installGatewayApiCrds(client, dir, (m) => lines.push(m));
    expect(second.map((r) => r.change)).toEqual(STANDARD_CRDS.map(() => "unchanged"));
    const after = await Promise.all(STANDARD_CRDS.map(async (n) => (await client.get(`${CRD_PATH}/${n}`)).metadata.resourceVersion));
    expect(after).toEqual(before);
    expect(lines).toEqual([`Gateway API v1.6.3 CRDs from ${dir}`, `CRDs unchanged: ${STANDARD_CRDS.join(", ")}`]);
  });
});
