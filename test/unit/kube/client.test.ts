import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fromKubeconfig, loadCredentials, resourcePath } from "../../../kube/client";

const b64 = (s: string) => Buffer.from(s).toString("base64");

const kubeconfig = `
apiVersion: v1
kind: Config
current-context: local
clusters:
  - name: local-cluster
    cluster:
      server: https://127.0.0.1:6443
      certificate-authority-data: ${b64("CA-INLINE")}
  - name: remote-cluster
    cluster:
      server: https://remote.example:443
      certificate-authority: pki/ca.crt
  - name: lab-cluster
    cluster:
      server: https://lab.example:6443
      insecure-skip-tls-verify: true
users:
  - name: admin
    user:
      client-certificate-data: ${b64("CERT-INLINE")}
      client-key-data: ${b64("KEY-INLINE")}
  - name: files
    user:
      client-certificate: pki/client.crt
      client-key: pki/client.key
  - name: bearer
    user:
      token: secret-token
  - name: plugin
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: kubelogin
contexts:
  - name: local
    context: {cluster: local-cluster, user: admin}
  - name: remote
    context: {cluster: remote-cluster, user: files, namespace: team-a}
  - name: lab
    context: {cluster: lab-cluster, user: bearer}
  - name: aks
    context: {cluster: remote-cluster, user: plugin}
`;

describe("fromKubeconfig", () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-kubeconfig-"));
    fs.mkdirSync(path.join(dir, "pki"));
    fs.writeFileSync(path.join(dir, "pki", "ca.crt"), "CA-FILE");
    fs.writeFileSync(path.join(dir, "pki", "client.crt"), "CERT-FILE");
    fs.writeFileSync(path.join(dir, "pki", "client.key"), "KEY-FILE");
    file = path.join(dir, "config");
    fs.writeFileSync(file, kubeconfig);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("uses the current context, with inline certificate data", () => {
    const c = fromKubeconfig(kubeconfig);
    expect(c.server).toBe("https://127.0.0.1:6443");
    expect(c.ca?.toString()).toBe("CA-INLINE");
    expect(c.cert?.toString()).toBe("CERT-INLINE");
    expect(c.key?.toString()).toBe("KEY-INLINE");
    expect(c.token).toBeUndefined();
    expect(c.insecureSkipTlsVerify).toBe(false);
    expect(c.namespace).toBeUndefined();
  });

  it("uses a named context, reading files relative to the kubeconfig's directory", () => {
    const elsewhere = process.cwd();
    expect(elsewhere).not.toBe(dir);
    const c = fromKubeconfig(kubeconfig, "remote", file);
    expect(c.server).toBe("https://remote.example:443");
    expect(c.ca?.toString()).toBe("CA-FILE");
    expect(c.cert?.toString()).toBe("CERT-FILE");
    expect(c.key?.toString()).toBe("KEY-FILE");
    expect(c.namespace).toBe("team-a");
  });

  it("reads a kubeconfig given by path the same way (loadCredentials)", () => {
    const c = loadCredentials(file, "remote");
    expect(c.ca?.toString()).toBe("CA-FILE");
    const inline = loadCredentials(kubeconfig, "lab");
    expect(inline.token).toBe("secret-token");
  });

  it("reads a bearer token and insecure-skip-tls-verify", () => {
    const c = fromKubeconfig(kubeconfig, "lab");
    expect(c).toMatchObject({ server: "https://lab.example:6443", token: "secret-token", insecureSkipTlsVerify: true });
    expect(c.ca).toBeUndefined();
  });

  it("names a missing context", () => {
    expect(() => fromKubeconfig(kubeconfig, "nope", file)).toThrow(`kubeconfig in ${file}: context 'nope' not found`);
  });

  it("says so when there is no context to use at all", () => {
    const withoutCurrent = kubeconfig.replace("current-context: local\n", "");
    expect(() => fromKubeconfig(withoutCurrent)).toThrow(/no current-context/);
  });

  it("refuses an exec user with a clear 'not supported yet'", () => {
    expect(() => fromKubeconfig(kubeconfig, "aks")).toThrow("user 'plugin' uses an exec plugin, which is not supported yet; use a token or client certificate");
  });

  it("names a missing certificate file", () => {
    const c = kubeconfig.replace("certificate-authority: pki/ca.crt", "certificate-authority: pki/missing.crt");
    expect(() => fromKubeconfig(c, "remote", file)).toThrow(/missing\.crt/);
  });
});

describe("resourcePath", () => {
  it("builds core, group, namespaced and cluster-scoped paths", () => {
    expect(resourcePath("v1", "namespaces")).toBe("/api/v1/namespaces");
    expect(resourcePath("v1", "configmaps", "agc-system", "ir")).toBe("/api/v1/namespaces/agc-system/configmaps/ir");
    expect(resourcePath("alb.agc.dev/v1alpha1", "frontends", "agc-system")).toBe("/apis/alb.agc.dev/v1alpha1/namespaces/agc-system/frontends");
    expect(resourcePath("alb.agc.dev/v1alpha1", "trafficcontrollers")).toBe("/apis/alb.agc.dev/v1alpha1/trafficcontrollers");
    expect(resourcePath("apiextensions.k8s.io/v1", "customresourcedefinitions", undefined, "frontends.alb.agc.dev")).toBe(
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/frontends.alb.agc.dev",
    );
  });
});
