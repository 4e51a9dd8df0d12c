// TLS certificate references: a kubernetes.io/tls Secret with a parsable certificate and key.
// The key is read only to check it; it never enters an IR (the agent reads the Secret).
import { X509Certificate, createPrivateKey } from "crypto";
import { SecretObject } from "./types";
import { findNamed } from "./objects";
import { Problem } from "./conditions";

const decode = (value: unknown): Buffer | undefined => (typeof value === "string" ? Buffer.from(value, "base64") : undefined);

/** Why a Secret cannot serve as a certificate, or undefined when it can. */
export function certificateSecretProblem(secrets: readonly SecretObject[], namespace: string, name: string): Problem | undefined {
  const secret = findNamed(secrets, namespace, name);
  if (!secret) return { reason: "InvalidCertificateRef", message: `Secret ${namespace}/${name} not found` };
  if (secret.type !== "kubernetes.io/tls") {
    return { reason: "InvalidCertificateRef", message: `Secret ${namespace}/${name} has type '${secret.type ?? "Opaque"}'; a certificate needs type 'kubernetes.io/tls'` };
  }
  const crt = decode(secret.data?.["tls.crt"]);
  const key = decode(secret.data?.["tls.key"]);
  // A snapshot may carry key names without values (the controller strips them): then trust the type.
  if (secret.data && (secret.data["tls.crt"] === undefined || secret.data["tls.key"] === undefined)) {
    return { reason: "InvalidCertificateRef", message: `Secret ${namespace}/${name} lacks tls.crt or tls.key` };
  }
  if (crt && key && !parsable(crt, key)) {
    return { reason: "InvalidCertificateRef", message: `Secret ${namespace}/${name} does not hold a PEM certificate and private key in tls.crt and tls.key` };
  }
  return undefined;
}

function parsable(crt: Buffer, key: Buffer): boolean {
  try {
    new X509Certificate(crt);
    createPrivateKey(key);
    return true;
  } catch {
    return false;
  }
}
