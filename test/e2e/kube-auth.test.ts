// The client's credentials against a real kube-apiserver that accepts static bearer tokens
// (--token-auth-file): exec credential plugins (a real script), a token file that rotates,
// tls-server-name and proxy-url. The API server is started here on the test cluster's etcd, under a prefix
// of its own, with a serving certificate for a name that is not its address.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { requireToolchainBin } from "../../cli/paths";
import { KubeClient, KubeError, loadCredentials } from "../../kube/client";
import { freePort } from "../dataplane/harness";
import { apiServerReady } from "../support/apiServerReplica";
import { testLayout } from "../support/localCluster";

jest.setTimeout(120_000);

const SERVER_NAME = "auth-test.agc.internal";
const V1 = "client.authentication.k8s.io/v1";

let dir: string;
let apiserver: ChildProcess;
let port: number;
let apiserverLog = "";
const pki = (f: string) => path.join(testLayout().dir, "pki", f);

/** A serving certificate for SERVER_NAME only, from the test cluster's CA. */
function servingCertificate(): void {
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  fs.writeFileSync(path.join(dir, "server.ext"), `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${SERVER_NAME}\n`);
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key"]);
  openssl(["req", "-new", "-key", "server.key", "-subj", `/CN=${SERVER_NAME}`, "-out", "server.csr"]);
  openssl(["x509", "-req", "-in", "server.csr", "-CA", pki("ca.crt"), "-CAkey", pki("ca.key"), "-CAcreateserial", "-CAserial", path.join(dir, "ca.srl"), "-days", "1", "-extfile", "server.ext", "-out", "server.crt"]);
}

/** A kubeconfig for this API server with the given user, written next to the plugin. */
function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = { "tls-server-name": SERVER_NAME }): string {
  const file = path.join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, JSON.stringify({
    apiVersion: "v1", kind: "Config", "current-context": "auth",
    clusters: [{ name: "auth", cluster: { server: `https://127.0.0.1:${port}`, "certificate-authority": pki("ca.crt"), ...cluster } }],
    users: [{ name: "auth", user }],
    contexts: [{ name: "auth", context: { cluster: "auth", user: "auth" } }],
  }));
  return file;
}

/** An exec user whose plugin hands out the lines of `tokens` one per run (the last one sticks). */
function execUser(name: string, tokens: string[], extraEnv: Record<string, string> = {}) {
  const tokensFile = path.join(dir, `${name}.tokens`);
  fs.writeFileSync(tokensFile, tokens.join("\n") + "\n");
  const runsFile = path.join(dir, `${name}.runs`);
  fs.writeFileSync(runsFile, "");
  const env = { TOKENS_FILE: tokensFile, RUNS_FILE: runsFile, CERT_FILE: pki("admin.crt"), KEY_FILE: pki("admin.key"), ...extraEnv };
  return {
    user: { exec: { apiVersion: V1, command: "./plugin.js", args: [V1], env: Object.entries(env).map(([n, value]) => ({ name: n, value })), interactiveMode: "Never" } },
    runs: () => fs.readFileSync(runsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)),
  };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-auth-"));
  servingCertificate();
  fs.writeFileSync(path.join(dir, "tokens.csv"), ["exec-token,exec-user,1001,system:masters", "file-token,file-user,1002,system:masters"].join("\n") + "\n");
  // The plugin: records each run and the request it was given, answers with the next token
  // (or the cluster's admin certificate for the line CERT).
  fs.writeFileSync(path.join(dir, "plugin.js"), `#!${process.execPath}
const fs = require("fs");
const apiVersion = process.argv[2];
fs.appendFileSync(process.env.RUNS_FILE, JSON.stringify({ info: JSON.parse(process.env.KUBERNETES_EXEC_INFO) }) + "\\n");
const lines = fs.readFileSync(process.env.TOKENS_FILE, "utf8").split("\\n").filter(Boolean);
if (lines.length > 1) fs.writeFileSync(process.env.TOKENS_FILE, lines.slice(1).join("\\n") + "\\n");
const status = lines[0] === "CERT"
  ? { clientCertificateData: fs.readFileSync(process.env.CERT_FILE, "utf8"), clientKeyData: fs.readFileSync(process.env.KEY_FILE, "utf8") }
  : { token: lines[0] };
if (process.env.EXPIRES) status.expirationTimestamp = process.env.EXPIRES;
process.stdout.write(JSON.stringify({ apiVersion, kind: "ExecCredential", status }));
`, { mode: 0o755 });
  port = await freePort();
  const { ports } = testLayout();
  apiserver = spawn(path.join(requireToolchainBin(), "kube-apiserver"), [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`, `--etcd-prefix=/agc-auth-${Date.now().toString(36)}`,
    "--bind-address=127.0.0.1", `--secure-port=${port}`, "--advertise-address=127.0.0.1", "--endpoint-reconciler-type=none",
    `--tls-cert-file=${path.join(dir, "server.crt")}`, `--tls-private-key-file=${path.join(dir, "server.key")}`,
    `--client-ca-file=${pki("ca.crt")}`, `--token-auth-file=${path.join(dir, "tokens.csv")}`, "--authorization-mode=RBAC",
    `--service-account-key-file=${pki("sa.pub")}`, `--service-account-signing-key-file=${pki("sa.key")}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local", "--service-cluster-ip-range=10.96.0.0/16",
    "--enable-priority-and-fairness=false", "--profiling=false", "--v=0",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  apiserver.stderr!.on("data", (c) => (apiserverLog = (apiserverLog + c).slice(-4000)));
  const probe = new KubeClient({ server: `https://127.0.0.1:${port}`, ca: fs.readFileSync(pki("ca.crt")), tlsServerName: SERVER_NAME, token: "file-token" });
  await apiServerReady(apiserver, probe, () => `its log ends:\n${apiserverLog}`);
});

afterAll(async () => {
  if (apiserver && apiserver.exitCode === null) {
    const exited = new Promise((r) => apiserver.once("exit", r));
    apiserver.kill("SIGTERM");
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Who the API server thinks the client is. */
async function whoAmI(client: KubeClient): Promise<string> {
  const review = await client.request("/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    method: "POST", body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
  });
  return review.status.userInfo.username;
}

describe("exec credential plugin", () => {
  test("runs once for a token without expiry, with the request in KUBERNETES_EXEC_INFO", async () => {
    const plugin = execUser("cached", ["exec-token"]);
    const client = KubeClient.fromKubeconfig(kubeconfig(plugin.user));
    try {
      expect(await whoAmI(client)).toBe("exec-user");
      await client.get("/api/v1/namespaces/default");
      expect(plugin.runs()).toEqual([{ info: { apiVersion: V1, kind: "ExecCredential", spec: { interactive: false } } }]);
    } finally {
      client.close();
    }
  });

  test("runs again once the token has expired", async () => {
    const plugin = execUser("expired", ["exec-token"], { EXPIRES: "2001-01-01T00:00:00Z" });
    const client = KubeClient.fromKubeconfig(kubeconfig(plugin.user));
    try {
      await client.get("/api/v1/namespaces/default");
      await client.get("/api/v1/namespaces/default");
      expect(plugin.runs()).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  test("runs again when the server answers 401, and the request goes through with the new token", async () => {
    const plugin = execUser("revoked", ["revoked-token", "exec-token"]);
    const client = KubeClient.fromKubeconfig(kubeconfig(plugin.user));
    try {
      expect(await whoAmI(client)).toBe("exec-user");
      expect(plugin.runs()).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  test("can hand out a client certificate instead of a token", async () => {
    const plugin = execUser("cert", ["CERT"]);
    const client = KubeClient.fromKubeconfig(kubeconfig(plugin.user));
    try {
      expect(await whoAmI(client)).toBe("agc-admin");
    } finally {
      client.close();
    }
  });

  test("a plugin that fails is reported with its output", async () => {
    const client = KubeClient.fromKubeconfig(kubeconfig({ exec: { apiVersion: V1, command: "/bin/sh", args: ["-c", "echo no credentials here >&2; exit 3"] } }));
    try {
      await expect(client.get("/api/v1/namespaces/default")).rejects.toThrow(/exec plugin '\/bin\/sh' failed: .*no credentials here/s);
    } finally {
      client.close();
    }
  });
});

test("a token file is read again after a 401 (a rotated projected token)", async () => {
  const tokenFile = path.join(dir, "rotating-token");
  fs.writeFileSync(tokenFile, "stale-token\n");
  const client = KubeClient.fromKubeconfig(kubeconfig({ tokenFile }));
  try {
    const refused = await client.get("/api/v1/namespaces/default").catch((e) => e);
    expect(refused).toBeInstanceOf(KubeError);
    expect(refused.statusCode).toBe(401);
    fs.writeFileSync(tokenFile, "file-token\n");
    expect(await whoAmI(client)).toBe("file-user");
  } finally {
    client.close();
  }
});

test("tls-server-name is the name the server's certificate is checked against", async () => {
  const user = { token: "file-token" };
  const named = KubeClient.fromKubeconfig(kubeconfig(user));
  const unnamed = KubeClient.fromKubeconfig(kubeconfig(user, {}));
  try {
    expect(await whoAmI(named)).toBe("file-user");
    // Without it the certificate (for auth-test.agc.internal only) does not match 127.0.0.1.
    await expect(unnamed.get("/api/v1/namespaces/default")).rejects.toThrow(/IP: 127\.0\.0\.1 is not in the cert's list/);
  } finally {
    named.close();
    unnamed.close();
  }
});

test("KUBECONFIG with two files: the first file's user wins", async () => {
  const first = kubeconfig({ token: "file-token" });
  const second = kubeconfig({ token: "exec-token" });
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = `${first}${path.delimiter}${second}`;
  const client = new KubeClient(loadCredentials());
  try {
    expect(await whoAmI(client)).toBe("file-user");
  } finally {
    process.env.KUBECONFIG = saved;
    client.close();
  }
});

test("proxy-url: the connection is tunnelled through an HTTP proxy with CONNECT", async () => {
  // A minimal CONNECT proxy: it records each target and splices the two sockets.
  const targets: string[] = [];
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    targets.push(req.url!);
    const [host, targetPort] = req.url!.split(":");
    const upstream = net.connect(Number(targetPort), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  const proxyPort = await freePort();
  await new Promise<void>((r) => proxy.listen(proxyPort, "127.0.0.1", r));
  const client = KubeClient.fromKubeconfig(kubeconfig({ token: "file-token" }, { "tls-server-name": SERVER_NAME, "proxy-url": `http://127.0.0.1:${proxyPort}` }));
  try {
    expect(await whoAmI(client)).toBe("file-user");
    expect(targets).toEqual([`127.0.0.1:${port}`]);
  } finally {
    client.close();
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
});
