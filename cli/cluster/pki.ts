// Certificates for the local control plane, made once with openssl and kept in the state dir.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { NODE_NAME, NODE_NETWORK } from "./node";

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  nodeCert: string;
  nodeKey: string;
}

function pkiPaths(dir: string): Pki {
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    caCert: p("ca.crt"),
    caKey: p("ca.key"),
    serverCert: p("apiserver.crt"),
    serverKey: p("apiserver.key"),
    adminCert: p("admin.crt"),
    adminKey: p("admin.key"),
    serviceAccountKey: p("sa.key"),
    serviceAccountPub: p("sa.pub"),
    nodeCert: p("node.crt"),
    nodeKey: p("node.key"),
  };
}

const SERVER_NAMES = [
  "IP:127.0.0.1",
  `IP:${NODE_NETWORK.nodeAddress}`,
  `IP:${NODE_NETWORK.apiServiceAddress}`,
  "DNS:localhost",
  "DNS:kubernetes",
  "DNS:kubernetes.default",
  "DNS:kubernetes.default.svc",
  "DNS:kubernetes.default.svc.cluster.local",
];

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function issue(pki: Pki, name: string, subject: string, extensions: string): void {
  const { dir } = pki;
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, extensions);
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`], dir);
  openssl(["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`], dir);
  openssl(
    ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
      "-days", "3650", "-extfile", ext, "-out", `${name}.crt`],
    dir,
  );
  fs.rmSync(path.join(dir, `${name}.csr`));
  fs.rmSync(ext);
}

const SERVER_EXTENSIONS = `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${SERVER_NAMES.join(",")}\n`;
const CLIENT_EXTENSIONS = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n";

/**
 * Makes the certificates that are missing; existing ones are kept so clients stay valid. The
 * server certificate is issued again when the addresses it must name changed.
 */
export function ensurePki(dir: string): Pki {
  const pki = pkiPaths(dir);
  if (fs.existsSync(pki.adminCert) && fs.existsSync(pki.serviceAccountPub)) {
    const namesFile = path.join(dir, "apiserver.names");
    if (!fs.existsSync(namesFile) || fs.readFileSync(namesFile, "utf8") !== SERVER_NAMES.join(",")) {
      issue(pki, "apiserver", "/CN=kube-apiserver", SERVER_EXTENSIONS);
      fs.writeFileSync(namesFile, SERVER_NAMES.join(","));
    }
    // The kubelet's identity in the Node authorizer's terms.
    if (!fs.existsSync(pki.nodeCert)) issue(pki, "node", `/O=system:nodes/CN=system:node:${NODE_NAME}`, CLIENT_EXTENSIONS);
    return pki;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"], dir);
  openssl(["req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=agc-local-ca", "-days", "3650", "-out", "ca.crt"], dir);
  issue(pki, "admin", "/O=system:masters/CN=agc-admin", CLIENT_EXTENSIONS);
  openssl(["genrsa", "-out", "sa.key", "2048"], dir);
  openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
  return ensurePki(dir);
}

/** A kubeconfig for the admin identity, certificates embedded so the file stands alone. */
export function adminKubeconfig(pki: Pki, server: string): string {
  return kubeconfigFor(pki, server, pki.adminCert, pki.adminKey);
}

/** A kubeconfig for the node's kubelet. */
export function nodeKubeconfig(pki: Pki, server: string): string {
  return kubeconfigFor(pki, server, pki.nodeCert, pki.nodeKey);
}

function kubeconfigFor(pki: Pki, server: string, cert: string, key: string): string {
  const b64 = (f: string) => fs.readFileSync(f).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: agc-local",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    "users:",
    "- name: agc-admin",
    "  user:",
    `    client-certificate-data: ${b64(cert)}`,
    `    client-key-data: ${b64(key)}`,
    "contexts:",
    "- name: agc-local",
    "  context: {cluster: agc-local, user: agc-admin}",
    "current-context: agc-local",
    "",
  ].join("\n");
}
