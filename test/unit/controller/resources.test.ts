import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PODS_FOR_PROBES, gatewayApiBundleVersion, secretMetadataOnly } from "../../../controller/resources";

const b64 = (text: string) => Buffer.from(text).toString("base64");

function selfSignedPair(): { crt: string; key: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-secret-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=web.test", "-keyout", path.join(dir, "k"), "-out", path.join(dir, "c")], { stdio: "ignore" });
    return { crt: fs.readFileSync(path.join(dir, "c"), "utf8"), key: fs.readFileSync(path.join(dir, "k"), "utf8") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const tlsSecret = (data: Record<string, string>) => ({
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
  data,
});

describe("secretMetadataOnly", () => {
  it("keeps identity, labels, type and key names; never values or annotations", () => {
    const { crt, key } = selfSignedPair();
    expect(secretMetadataOnly(tlsSecret({ "tls.crt": b64(crt), "tls.key": b64(key), "ca.crt": b64(crt) }))).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "web-tls", namespace: "demo", uid: "u-1", resourceVersion: "42", creationTimestamp: "2026-01-01T00:00:00Z", labels: { app: "web" } },
      type: "kubernetes.io/tls",
      data: { "tls.crt": null, "tls.key": null, "ca.crt": null },
    });
  });

  it("marks a TLS pair that does not parse, so translation refuses it, without keeping it", () => {
    const { crt } = selfSignedPair();
    // "dW5wYXJzYWJsZQ==" is base64 of "unparsable".
    expect(secretMetadataOnly(tlsSecret({ "tls.crt": b64(crt), "tls.key": b64("not a key") })).data).toEqual({ "tls.crt": "dW5wYXJzYWJsZQ==", "tls.key": "dW5wYXJzYWJsZQ==" });
  });
});

describe("gatewayApiBundleVersion", () => {
  it("reads the GatewayClass CRD's bundle-version: the release, null without the annotation, undefined without the CRD", () => {
    const crd = (annotations?: Record<string, string>) => ({ metadata: { name: "gatewayclasses.gateway.networking.k8s.io", annotations } });
    expect(gatewayApiBundleVersion([crd({ "gateway.networking.k8s.io/bundle-version": "v1.6.3" })])).toBe("v1.6.3");
    expect(gatewayApiBundleVersion([crd()])).toBeNull();
    expect(gatewayApiBundleVersion([])).toBeUndefined();
  });
});

describe("PODS_FOR_PROBES", () => {
  it("keeps what a readiness probe as health check needs, not the status", () => {
    const probe = { httpGet: { path: "/health", port: 8080 }, periodSeconds: 5 };
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "echo-1", namespace: "demo", resourceVersion: "9", labels: { app: "echo" }, annotations: { a: "b" }, ownerReferences: [{}] },
      spec: { nodeName: "n1", containers: [{ name: "echo", image: "echo:1", ports: [{ containerPort: 8080 }], readinessProbe: probe, env: [{ name: "X", value: "y" }] }] },
      status: { phase: "Running", podIP: "10.244.0.9" },
    };
    expect(PODS_FOR_PROBES.transform!(pod)).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "echo-1", namespace: "demo", resourceVersion: "9", labels: { app: "echo" } },
      spec: { containers: [{ name: "echo", ports: [{ containerPort: 8080 }], readinessProbe: probe }] },
    });
  });
});
