import { secretMetadataOnly } from "../../../controller/resources";

describe("secretMetadataOnly", () => {
  it("keeps identity, labels, type and key names; never values or annotations", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "web-tls",
        namespace: "demo",
        uid: "u-1",
        resourceVersion: "42",
        creationTimestamp: "2026-01-01T00:00:00Z",
        labels: { app: "web" },
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"tls.key":"c2VjcmV0"}}' },
        managedFields: [{ manager: "kubectl" }],
      },
      type: "kubernetes.io/tls",
      data: { "tls.crt": "Y2VydA==", "tls.key": "c2VjcmV0" },
    };
    expect(secretMetadataOnly(secret)).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "web-tls", namespace: "demo", uid: "u-1", resourceVersion: "42", creationTimestamp: "2026-01-01T00:00:00Z", labels: { app: "web" } },
      type: "kubernetes.io/tls",
      data: { "tls.crt": "", "tls.key": "" },
    });
  });
});
