import * as fs from "fs";
import * as os from "os";
import * as events from "events";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { eventually, freePort } from "../../dataplane/harness";
import { KubeClient, KubeError, backoffMs, parseExecCredential, fromKubeconfig, inClusterServer, loadCredentials, requestUrl, resourcePath, retryDelayMs } from "../../../kube/client";
import { standInApi } from "../controller/stand-in-api";

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

  it("keeps an exec user's plugin, its command resolved against the kubeconfig's directory when it is a relative path", () => {
    expect(fromKubeconfig(kubeconfig, "aks", file).exec).toEqual({ apiVersion: "client.authentication.k8s.io/v1", command: "kubelogin", args: [], env: [] });
    const relative = kubeconfig.replace("command: kubelogin", "command: ./bin/login\n        args: [get-token, --x]\n        env: [{name: A, value: b}]");
    expect(fromKubeconfig(relative, "aks", file).exec).toEqual({
      apiVersion: "client.authentication.k8s.io/v1", command: path.join(dir, "bin", "login"), args: ["get-token", "--x"], env: [{ name: "A", value: "b" }],
    });
  });

  it("refuses an exec plugin of an unknown version, or one that must ask the user", () => {
    const old = kubeconfig.replace("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1alpha1");
    expect(() => fromKubeconfig(old, "aks", file)).toThrow(
      `kubeconfig in ${file}: user 'plugin': exec apiVersion 'client.authentication.k8s.io/v1alpha1' is not supported; use client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1`,
    );
    const always = kubeconfig.replace("command: kubelogin", "command: kubelogin\n        interactiveMode: Always");
    expect(() => fromKubeconfig(always, "aks", file)).toThrow(
      `kubeconfig in ${file}: user 'plugin': exec interactiveMode 'Always' needs a terminal, which this client never has; use Never or IfAvailable`,
    );
  });

  it("reads tls-server-name and an http proxy-url; refuses other proxies, naming the field", () => {
    const named = kubeconfig.replace("insecure-skip-tls-verify: true", "tls-server-name: kubernetes.default");
    expect(fromKubeconfig(named, "lab").tlsServerName).toBe("kubernetes.default");
    const proxied = kubeconfig.replace("insecure-skip-tls-verify: true", "proxy-url: http://proxy.internal:3128");
    expect(fromKubeconfig(proxied, "lab").proxyUrl).toBe("http://proxy.internal:3128");
    const socks = kubeconfig.replace("insecure-skip-tls-verify: true", "proxy-url: socks5://proxy.internal:1080");
    expect(() => fromKubeconfig(socks, "lab")).toThrow(
      "kubeconfig: cluster 'lab-cluster' sets proxy-url 'socks5://proxy.internal:1080', which this client does not support: only an http:// proxy (CONNECT) in front of an https:// server; reach the API server directly or through such a proxy",
    );
  });

  it("keeps a tokenFile's path so a rotated token is read again", () => {
    const c = fromKubeconfig(kubeconfig.replace("token: secret-token", "tokenFile: pki/token"), "lab", file);
    expect(c.tokenFile).toBe(path.join(dir, "pki", "token"));
    expect(c.token).toBeUndefined();
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

describe("requestUrl", () => {
  it("keeps the server URL's path prefix", () => {
    expect(requestUrl("https://host.example/prefix", "/api/v1/namespaces", {}).toString()).toBe("https://host.example/prefix/api/v1/namespaces");
    expect(requestUrl("https://host.example/prefix/", "/api/v1/namespaces", {}).toString()).toBe("https://host.example/prefix/api/v1/namespaces");
    expect(requestUrl("https://127.0.0.1:6443", "/readyz", { verbose: true, skip: undefined }).toString()).toBe("https://127.0.0.1:6443/readyz?verbose=true");
    expect(requestUrl("https://host.example/prefix", "/api/v1/namespaces/a/pods?labelSelector=app%3Decho", { limit: 5 }).toString()).toBe(
      "https://host.example/prefix/api/v1/namespaces/a/pods?labelSelector=app%3Decho&limit=5",
    );
  });
});

describe("inClusterServer", () => {
  it("brackets an IPv6 service host", () => {
    expect(inClusterServer("fd00:10:96::1", "443")).toBe("https://[fd00:10:96::1]:443");
    expect(inClusterServer("10.96.0.1", undefined)).toBe("https://10.96.0.1:443");
    expect(inClusterServer("[fd00::1]", "6443")).toBe("https://[fd00::1]:6443");
  });
});

describe("backoffMs", () => {
  it("starts at 0.8 s, doubles, and stops growing at 30 s; jitter adds up to a fifth", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 12].map((n) => backoffMs(n, 0))).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    expect(backoffMs(1, 1)).toBe(960);
    expect(backoffMs(20, 1)).toBe(30000);
    expect(backoffMs(20, 0.5)).toBe(30000);
    expect(backoffMs(2, 0.5)).toBe(1760);
  });

  it("waits what a 429's Retry-After says instead", () => {
    expect(retryDelayMs(new KubeError(429, "TooManyRequests", "slow down", { retryAfterSeconds: 7 }), 1, 0)).toBe(7000);
    expect(retryDelayMs(new KubeError(500, "", "oops"), 3, 0)).toBe(3200);
    expect(retryDelayMs(new Error("ECONNREFUSED"), 1, 0)).toBe(800);
  });
});

describe("loadCredentials with a KUBECONFIG list", () => {
  let dir: string;
  const saved = process.env.KUBECONFIG;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-kubeconfigs-"));
    // The first file sets no current-context; its 'shared' entries win over the second's.
    fs.writeFileSync(path.join(dir, "a"), `
clusters:
  - {name: shared, cluster: {server: https://first.example:6443, certificate-authority: ca-a.crt}}
users:
  - {name: shared, user: {token: token-from-a}}
contexts:
  - {name: shared, context: {cluster: shared, user: shared, namespace: from-a}}
`);
    fs.writeFileSync(path.join(dir, "ca-a.crt"), "CA-A");
    fs.mkdirSync(path.join(dir, "b-dir"));
    fs.writeFileSync(path.join(dir, "b-dir", "b"), `
current-context: only-b
clusters:
  - {name: shared, cluster: {server: https://second.example:6443}}
  - {name: b, cluster: {server: https://b.example:6443, certificate-authority: ca-b.crt}}
users:
  - {name: shared, user: {token: token-from-b}}
contexts:
  - {name: shared, context: {cluster: shared, user: shared, namespace: from-b}}
  - {name: only-b, context: {cluster: b, user: shared}}
`);
    fs.writeFileSync(path.join(dir, "b-dir", "ca-b.crt"), "CA-B");
  });
  afterAll(() => {
    process.env.KUBECONFIG = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("merges the files as kubectl does: first file wins per name, current-context from the first that sets one", () => {
    process.env.KUBECONFIG = [path.join(dir, "missing"), path.join(dir, "a"), path.join(dir, "b-dir", "b")].join(path.delimiter);
    const current = loadCredentials();
    // only-b (from b's current-context) uses the cluster 'b' from b, the user 'shared' from a.
    expect(current).toMatchObject({ server: "https://b.example:6443", token: "token-from-a" });
    expect(current.ca?.toString()).toBe("CA-B"); // relative to b's own directory
    const shared = loadCredentials(undefined, "shared");
    expect(shared).toMatchObject({ server: "https://first.example:6443", token: "token-from-a", namespace: "from-a" });
    expect(shared.ca?.toString()).toBe("CA-A");
  });
});

describe("parseExecCredential", () => {
  const V1 = "client.authentication.k8s.io/v1";
  it("reads a token and its expiry", () => {
    const out = JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status: { token: "t-1", expirationTimestamp: "2026-11-22T09:00:00Z" } });
    expect(parseExecCredential(out, V1, "login")).toEqual({ token: "t-1", expiresAt: Date.parse("2026-11-22T09:00:00Z") });
  });
  it("reads a client certificate and key", () => {
    const out = JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status: { clientCertificateData: "CERT", clientKeyData: "KEY" } });
    expect(parseExecCredential(out, V1, "login")).toEqual({ cert: "CERT", key: "KEY", expiresAt: undefined });
  });
  it("names what is wrong with the plugin's output", () => {
    expect(() => parseExecCredential("not json", V1, "login")).toThrow("exec plugin 'login' printed no ExecCredential JSON: not json");
    expect(() => parseExecCredential(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: "x" } }), V1, "login")).toThrow(
      "exec plugin 'login' answered apiVersion 'client.authentication.k8s.io/v1beta1', expected 'client.authentication.k8s.io/v1'",
    );
    expect(() => parseExecCredential(JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status: { clientKeyData: "KEY" } }), V1, "login")).toThrow(
      "exec plugin 'login' gave neither status.token nor both status.clientCertificateData and status.clientKeyData",
    );
  });
});

describe("watch", () => {
  it("leaves no abort listener behind when the connection fails, however often", async () => {
    // A loopback port nobody listens on: each watch fails with ECONNREFUSED.
    const port = await freePort();
    const client = new KubeClient({ server: `http://127.0.0.1:${port}` });
    const abort = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      for (let i = 0; i < 20; i++) await expect(client.watch("/api/v1/pods", "1", () => {}, abort.signal)).rejects.toThrow(/ECONNREFUSED/);
      // Node has getEventListeners since 15; the pinned @types/node does not declare it.
      const { getEventListeners } = events as unknown as { getEventListeners(target: EventTarget, name: string): unknown[] };
      expect(getEventListeners(abort.signal, "abort")).toHaveLength(0);
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      client.close();
    }
  });
});

describe("a watch that is stopped", () => {
  // Stopped before its request went out (the agent's SIGTERM while a list was in flight) it
  // once destroyed a request with no error listener yet, and the process died of it.
  it("sends nothing when already stopped, and ends quietly when stopped mid-request", async () => {
    let requests = 0;
    const api = await standInApi(() => void requests++); // never answers: the watch stays open
    const client = new KubeClient({ server: api.url });
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on("uncaughtException", onUncaught);
    try {
      const stopped = new AbortController();
      stopped.abort();
      await expect(client.watch("/api/v1/pods", "1", () => {}, stopped.signal)).resolves.toBeUndefined();
      const midway = new AbortController();
      const watching = client.watch("/api/v1/pods", "1", () => {}, midway.signal);
      await eventually("the watch's request", () => requests === 1, 2_000, 10);
      midway.abort();
      await expect(watching).resolves.toBeUndefined();
      await new Promise((r) => setTimeout(r, 50));
      expect({ requests, uncaught }).toEqual({ requests: 1, uncaught: [] });
    } finally {
      process.off("uncaughtException", onUncaught);
      client.close();
      await api.close();
    }
  });
});

describe("a throttled request", () => {
  // A local HTTP server stands in for an overloaded API server: a real one cannot be made to
  // answer 429 on demand.
  it("carries the server's Retry-After", async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(429, { "Content-Type": "application/json", "Retry-After": "3" });
      res.end(JSON.stringify({ kind: "Status", reason: "TooManyRequests", message: "too many requests" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const client = new KubeClient({ server: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` });
    try {
      const e = await client.get("/api/v1/namespaces").catch((x) => x);
      expect(e).toBeInstanceOf(KubeError);
      expect(e.statusCode).toBe(429);
      expect(e.retryAfterSeconds).toBe(3);
      expect(retryDelayMs(e, 1, 0)).toBe(3000);
      const w = await client.watch("/api/v1/namespaces", "1", () => {}).catch((x) => x);
      expect(w.retryAfterSeconds).toBe(3);
    } finally {
      client.close();
      server.close();
    }
  });
});

// A pod's user that its image does not list (the install runs as 65532), with no HOME: there
// os.homedir() throws, and the in-cluster credentials must still be found. Needs root to run a
// process as that user, and the built package (`npm run build`).
(process.getuid?.() === 0 ? test : test.skip)("a user with no home directory falls through to the in-cluster credentials", async () => {
  const { spawnSync } = await import("child_process");
  const script = `try { require(${JSON.stringify(path.join(__dirname, "../../../dist/kube/client.js"))}).loadCredentials(); } catch (e) { console.log(e.message); }`;
  const result = spawnSync(process.execPath, ["-e", script], { uid: 65532, gid: 65532, env: {}, encoding: "utf8" });
  expect(result.stdout.trim()).toBe("no Kubernetes credentials: set KUBECONFIG, pass a kubeconfig, or run inside a cluster");
});
