// `agc dataplane --configmap` in its pod's shoes, against the local API server: TLS
// certificates read from kubernetes.io/tls Secrets (and re-read when they change), and the IR
// revision it serves recorded on its pod (POD_NAMESPACE/POD_NAME, as the downward API gives
// them) only once HAProxy serves it.
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { KubeClient } from "../../kube/client";
import { GatewayIr } from "../../model/ir";
import { AgcProcess, backendAnswering, cluster, eventually, freePort, gatewayIr, Harness, httpGet, makeCertificate, presentedFingerprint } from "../dataplane/harness";
import { testClient, testLayout } from "../support/localCluster";

jest.setTimeout(120_000);

describe("agc dataplane: certificates from Secrets, the served revision on its pod", () => {
  const h = new Harness();
  const namespace = `agc-dps-${Date.now().toString(36)}`;
  const pod = "gateway-0";
  const cmPath = `/api/v1/namespaces/${namespace}/configmaps/gateway-ir`;
  const secretPath = `/api/v1/namespaces/${namespace}/secrets/shop-tls`;
  let kube: KubeClient;
  let agc: AgcProcess | undefined;
  let port: number;
  let tlsPort: number;
  let adminPort: number;
  let v1: { data: Record<string, string>; fingerprint: string };
  let v2: { data: Record<string, string>; fingerprint: string };
  let ir: (revision: string) => GatewayIr;

  const certificate = (dir: string) => {
    const files = makeCertificate(path.join(h.dir, dir), "shop.test");
    const b64 = (f: string) => fs.readFileSync(f).toString("base64");
    return { data: { "tls.crt": b64(files.certFile), "tls.key": b64(files.keyFile) }, fingerprint: new X509Certificate(fs.readFileSync(files.certFile)).fingerprint256 };
  };
  const publish = (doc: unknown) => kube.mergePatch(cmPath, { data: { "ir.json": JSON.stringify(doc) } });
  const podRevision = async () => (await kube.get(`/api/v1/namespaces/${namespace}/pods/${pod}`)).metadata.annotations?.["alb.agc.dev/ir-revision"];
  const readyz = async () => JSON.parse((await httpGet(adminPort, "/readyz")).body);

  beforeAll(async () => {
    kube = testClient();
    const web = await h.backend("web");
    [port, tlsPort, adminPort] = [await freePort(), await freePort(), await freePort()];
    v1 = certificate("v1");
    v2 = certificate("v2");
    // The IR contract's shape (revision, tls.certificates), built loosely so this compiles
    // against the model before and after it has them.
    ir = (revision) => gatewayIr(port, [cluster("web", [web])], {
      revision,
      frontends: [
        { name: "web", port, address: "127.0.0.1" },
        { name: "secure", port: tlsPort, address: "127.0.0.1", tls: { certificates: [{ secret: { namespace, name: "shop-tls" } }] } },
      ],
    } as unknown as Partial<GatewayIr>);
    await kube.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    await kube.create(`/api/v1/namespaces/${namespace}/secrets`, { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls", metadata: { name: "shop-tls", namespace }, data: v1.data });
    // The pod object the agent records its revision on (pods need the namespace's default ServiceAccount).
    await eventually("the default ServiceAccount", () => kube.find(`/api/v1/namespaces/${namespace}/serviceaccounts/default`), 30_000, 250);
    await kube.create(`/api/v1/namespaces/${namespace}/pods`, {
      apiVersion: "v1", kind: "Pod", metadata: { name: pod, namespace }, spec: { containers: [{ name: "agent", image: "agc-dataplane:test" }] },
    });
    await kube.create(`/api/v1/namespaces/${namespace}/configmaps`, {
      apiVersion: "v1", kind: "ConfigMap", metadata: { name: "gateway-ir", namespace }, data: { "ir.json": JSON.stringify(ir("r1")) },
    });
    agc = new AgcProcess([
      "dataplane", "--configmap", `${namespace}/gateway-ir`, "--kubeconfig", testLayout().kubeconfig,
      "--runtime-dir", path.join(h.dir, "run"), "--admin-port", String(adminPort), "--drain-seconds", "1",
    ], { POD_NAMESPACE: namespace, POD_NAME: pod });
  }, 60_000);

  afterAll(async () => {
    await agc?.stop().catch(() => undefined);
    await h.close();
    if (kube) {
      await kube.remove(`/api/v1/namespaces/${namespace}`).catch(() => undefined);
      kube.close();
    }
  }, 60_000);

  it("serves the Secret's certificate, and records revision r1 on its pod once it serves it", async () => {
    await agc!.waitForStderr(/applied \(start\) in \d+ ms, revision r1$/, 0, 30_000);
    expect(await presentedFingerprint(tlsPort, "shop.test")).toBe(v1.fingerprint);
    expect(await readyz()).toEqual({ ready: true, gateway: "test", revision: "r1" });
    expect(await eventually("the pod's revision annotation", podRevision, 10_000, 100)).toBe("r1");
  });

  it("does not record a revision it refused", async () => {
    const from = agc!.stderr.length;
    await publish({ ...ir("r2"), routes: [{ name: "all", backends: [{ cluster: "missing" }] }] });
    await agc!.waitForStderr(/IR refused/, from);
    expect((await readyz()).revision).toBe("r1");
    expect(await podRevision()).toBe("r1");
  });

  it("reloads with the new certificate when the Secret changes", async () => {
    const from = agc!.stderr.length;
    await kube.mergePatch(secretPath, { data: v2.data });
    await agc!.waitForStderr(/applied \(reload\)/, from);
    expect(await presentedFingerprint(tlsPort, "shop.test")).toBe(v2.fingerprint);
  });

  it("serves the rest of the gateway when the Secret is deleted, and says so on /readyz", async () => {
    const from = agc!.stderr.length;
    await kube.remove(secretPath);
    await agc!.waitForStderr(/applied \(reload\)/, from);
    expect((await readyz()).missingCertificates).toEqual([`frontend secure: Secret ${namespace}/shop-tls: not found; the frontend is not served`]);
    expect(await backendAnswering(port)).toBe("web");
    await expect(presentedFingerprint(tlsPort, "shop.test")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("records the next revision once it serves it", async () => {
    await kube.create(`/api/v1/namespaces/${namespace}/secrets`, { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls", metadata: { name: "shop-tls", namespace }, data: v1.data });
    await eventually("the certificate back", async () => (await presentedFingerprint(tlsPort, "shop.test").catch(() => "")) === v1.fingerprint || undefined, 20_000, 200);
    await publish(ir("r3"));
    expect(await eventually("revision r3 on the pod", async () => ((await podRevision()) === "r3" ? "r3" : undefined), 20_000, 100)).toBe("r3");
    expect((await readyz()).revision).toBe("r3");
  });
});
