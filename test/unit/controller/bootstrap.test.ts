import * as http from "http";
import { describeCrdChanges, gatewayApiCrdsFromFiles, installCrds, isOlderBundle, reasonToKeep } from "../../../controller/bootstrap";
import { KubeClient } from "../../../kube/client";
import { StandInApi, standInApi } from "./stand-in-api";

// A release file trimmed to what the bootstrap reads, and the admission policy file that sits
// beside the CRDs in config/crd/standard.
const GATEWAYS_FILE = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    gateway.networking.k8s.io/bundle-version: v1.6.3
    gateway.networking.k8s.io/channel: standard
  name: gateways.gateway.networking.k8s.io
spec:
  group: gateway.networking.k8s.io
status:
  acceptedNames:
    kind: ""
    plural: ""
`;
const POLICY_FILE = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: safe-upgrades.gateway.networking.k8s.io
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: safe-upgrades.gateway.networking.k8s.io
`;

const crd = (version: string, channel = "standard") => ({
  metadata: { name: "gateways.gateway.networking.k8s.io", annotations: { "gateway.networking.k8s.io/bundle-version": version, "gateway.networking.k8s.io/channel": channel } },
});

describe("Gateway API CRD files", () => {
  test("only the CRDs are taken, without the status the release files carry", () => {
    const { crds, bundleVersion } = gatewayApiCrdsFromFiles(
      [
        { file: "crds/gateway.networking.k8s.io_gateways.yaml", text: GATEWAYS_FILE },
        { file: "crds/gateway.networking.k8s.io_vap_safeupgrades.yaml", text: POLICY_FILE },
      ],
      "crds",
    );
    expect(bundleVersion).toBe("v1.6.3");
    expect(crds.map((c) => c.metadata.name)).toEqual(["gateways.gateway.networking.k8s.io"]);
    expect(crds[0].status).toBeUndefined();
  });

  test("a CRD without the bundle version is refused, naming it and its file", () => {
    const text = GATEWAYS_FILE.replace("    gateway.networking.k8s.io/bundle-version: v1.6.3\n", "");
    expect(() => gatewayApiCrdsFromFiles([{ file: "crds/gw.yaml", text }], "crds")).toThrow(
      "Gateway API CRDs: gateways.gateway.networking.k8s.io in crds/gw.yaml has no gateway.networking.k8s.io/bundle-version annotation",
    );
  });

  test("files of two releases are refused", () => {
    const other = GATEWAYS_FILE.replace("v1.6.3", "v1.5.0").replace("name: gateways.", "name: httproutes.");
    expect(() => gatewayApiCrdsFromFiles([{ file: "a.yaml", text: GATEWAYS_FILE }, { file: "b.yaml", text: other }], "crds")).toThrow(
      "Gateway API CRDs in crds mix bundle versions (gateways.gateway.networking.k8s.io=v1.6.3, httproutes.gateway.networking.k8s.io=v1.5.0); use the files of one release",
    );
  });

  test("a directory without CRDs is refused", () => {
    expect(() => gatewayApiCrdsFromFiles([{ file: "crds/vap.yaml", text: POLICY_FILE }], "crds")).toThrow(
      "Gateway API CRDs: no CustomResourceDefinition in crds; expected the files of a Gateway API release's config/crd/standard",
    );
  });
});

describe("upgrades", () => {
  test("bundle versions compare as numbers, a pre-release before its release", () => {
    expect(isOlderBundle("v1.6.3", "v1.7.0")).toBe(true);
    expect(isOlderBundle("v1.10.0", "v1.9.9")).toBe(false);
    expect(isOlderBundle("v1.7.0-rc.1", "v1.7.0")).toBe(true);
    expect(isOlderBundle("v1.6.3", "v1.6.3")).toBe(false);
  });

  test("an older or equal release in the cluster is replaced", () => {
    expect(reasonToKeep(crd("v1.5.1"), crd("v1.6.3"))).toBeUndefined();
    expect(reasonToKeep(crd("v1.6.3"), crd("v1.6.3"))).toBeUndefined();
    expect(reasonToKeep(undefined, crd("v1.6.3"))).toBeUndefined();
  });

  test("a newer release or the experimental channel in the cluster is kept, saying why", () => {
    expect(reasonToKeep(crd("v1.7.0"), crd("v1.6.3"))).toBe("the cluster has v1.7.0, newer than v1.6.3");
    expect(reasonToKeep(crd("v1.6.3", "experimental"), crd("v1.6.3"))).toBe(
      "the cluster has the experimental channel of v1.6.3; the standard channel would remove its experimental fields",
    );
  });

  test("the log says what changed", () => {
    expect(
      describeCrdChanges([
        { name: "gateways.gateway.networking.k8s.io", change: "created" },
        { name: "httproutes.gateway.networking.k8s.io", change: "unchanged" },
        { name: "grpcroutes.gateway.networking.k8s.io", change: "unchanged" },
        { name: "tcproutes.gateway.networking.k8s.io", change: "kept", reason: "the cluster has v1.7.0, newer than v1.6.3" },
      ]),
    ).toEqual([
      "CRDs created: gateways.gateway.networking.k8s.io",
      "CRDs unchanged: httproutes.gateway.networking.k8s.io, grpcroutes.gateway.networking.k8s.io",
      "CRD tcproutes.gateway.networking.k8s.io kept as it is: the cluster has v1.7.0, newer than v1.6.3",
    ]);
  });
});

describe("installCrds", () => {
  // A local HTTP server stands in for the API server: a real one establishes CRDs at its own pace.
  let api: StandInApi;
  const requests: string[] = [];
  const establishedAt = new Map<string, number>(); // how many reads until a CRD is Established
  beforeAll(async () => {
    api = await standInApi((url, reply, res) => {
      const method = (res as http.ServerResponse & { req: http.IncomingMessage }).req.method!;
      const name = url.pathname.split("/").pop()!;
      requests.push(`${method} ${name}`);
      if (method === "GET" && !requests.includes(`PATCH ${name}`)) return reply(404, { kind: "Status", reason: "NotFound", message: "not found" });
      const reads = requests.filter((r) => r === `GET ${name}`).length - 1;
      const established = reads >= (establishedAt.get(name) ?? 0);
      reply(200, { metadata: { name, resourceVersion: "1" }, status: { conditions: [{ type: "Established", status: established ? "True" : "False" }] } });
    });
  });
  afterAll(() => api.close());

  it("reads a CRD again only until an answer says it is Established", async () => {
    establishedAt.set("frontends.alb.agc.dev", 2);
    const client = new KubeClient({ server: api.url });
    try {
      const names = await installCrds(client);
      expect(names).toContain("frontends.alb.agc.dev");
      for (const name of names) {
        const expected = name === "frontends.alb.agc.dev" ? ["GET", "PATCH", "GET", "GET"] : ["GET", "PATCH"];
        expect(requests.filter((r) => r.endsWith(` ${name}`)).map((r) => r.split(" ")[0])).toEqual(expected);
      }
    } finally {
      client.close();
    }
  });
});
