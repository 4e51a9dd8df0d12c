/**
 * TLS certificates by reference: a frontend's `tls.certificates[]` entry may name a
 * kubernetes.io/tls Secret (`secret: {namespace, name}`). The agent reads the Secret, writes
 * certificate and key as one PEM file (mode 0600) and tells the renderer where that file is.
 * Pure functions here; the reading and writing are the agent's.
 */
import { Frontend, GatewayIr, SecretRef, secretRefKey } from "../model/ir";
import type { CertificateFiles } from "./render";


type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Each Secret once, in order of first mention. */
export function uniqueRefs(refs: SecretRef[]): SecretRef[] {
  const byKey = new Map<string, SecretRef>();
  for (const r of refs) if (!byKey.has(secretRefKey(r))) byKey.set(secretRefKey(r), r);
  return [...byKey.values()];
}

/**
 * The Secrets a document refers to, each once, in order of first mention. Accepts documents
 * not parsed yet (a refused one's Secrets are followed too), so it reads them loosely.
 */
export function secretRefs(document: unknown): SecretRef[] {
  const frontends = isObj(document) && Array.isArray(document.frontends) ? document.frontends : [];
  const refs = frontends.flatMap((fe: unknown) => {
    const tls = isObj(fe) ? fe.tls : undefined;
    const entries = isObj(tls) && Array.isArray(tls.certificates) ? tls.certificates : [];
    return entries.flatMap((entry: unknown) => {
      const s = isObj(entry) ? entry.secret : undefined;
      return isObj(s) && typeof s.namespace === "string" && typeof s.name === "string" ? [{ namespace: s.namespace, name: s.name }] : [];
    });
  });
  return uniqueRefs(refs);
}

/**
 * Where a Secret's PEM goes in `dir`: `secret_<namespace>_<name>.pem`. Namespaces and names
 * never contain `_`, so two Secrets never share a file.
 */
function secretPemFile(dir: string, ref: SecretRef): string {
  return `${dir}/secret_${ref.namespace}_${ref.name}.pem`;
}

/** Each Secret the IR refers to, by {@link secretRefKey}, and where its PEM goes in `dir`. */
export function certificateFiles(ir: GatewayIr, dir: string): Map<string, string> {
  return new Map(secretRefs(ir).map((ref) => [secretRefKey(ref), secretPemFile(dir, ref)]));
}

/**
 * The renderer's view of the files: for a Secret, its PEM file in `dir` serves as both
 * certificate and key file (HAProxy reads the chain and the key from one file).
 */
export function secretFileLookup(dir: string): CertificateFiles {
  return (secret) => {
    const file = secretPemFile(dir, secret);
    return { certificateFile: file, keyFile: file };
  };
}

/** The Secrets a frontend names that have no PEM. */
function missingSecrets(fe: Frontend, pems: ReadonlyMap<string, string>): SecretRef[] {
  return (fe.tls?.certificates ?? []).flatMap((c) => ("secret" in c && !pems.has(secretRefKey(c.secret)) ? [c.secret] : []));
}

/**
 * The IR to render: Secret entries without a PEM left out, and a frontend left with no
 * certificate too, so the rest of the gateway is served.
 */
export function withoutMissingCertificates(ir: GatewayIr, pems: ReadonlyMap<string, string>): GatewayIr {
  const frontends = ir.frontends.flatMap((fe) => {
    if (!fe.tls || missingSecrets(fe, pems).length === 0) return [fe];
    const certificates = fe.tls.certificates.filter((c) => !("secret" in c) || pems.has(secretRefKey(c.secret)));
    return certificates.length ? [{ ...fe, tls: { ...fe.tls, certificates } }] : [];
  });
  return { ...ir, frontends };
}

/** Per frontend, the Secrets it names that have no PEM, with the reason (`unread` when none is known). */
export function missingCertificates(ir: GatewayIr, pems: ReadonlyMap<string, string>, problems: ReadonlyMap<string, string>, unread = "not read yet"): string[] {
  return ir.frontends.flatMap((fe) => {
    const missing = missingSecrets(fe, pems);
    const unserved = missing.length > 0 && missing.length === fe.tls?.certificates.length ? "; the frontend is not served" : "";
    return missing.map((r) => `frontend ${fe.name}: Secret ${secretRefKey(r)}: ${problems.get(secretRefKey(r)) ?? unread}${unserved}`);
  });
}

/** One PEM file as HAProxy reads it: the certificate chain, then the key. */
export function pemBundle(chain: string, key: string): string {
  return `${chain.trimEnd()}\n${key.trimEnd()}\n`;
}

export type SecretPem = { ok: true; pem: string } | { ok: false; reason: string };

/** The PEM (certificate chain, then key) of a kubernetes.io/tls Secret as the API returns it. */
export function pemFromSecret(secret: Obj | undefined): SecretPem {
  if (!secret) return { ok: false, reason: "not found" };
  if (secret.type !== "kubernetes.io/tls") return { ok: false, reason: `has type ${JSON.stringify(secret.type)}, not "kubernetes.io/tls"` };
  const data = isObj(secret.data) ? secret.data : {};
  const decoded: Record<string, string> = {};
  for (const key of ["tls.crt", "tls.key"]) {
    const text = typeof data[key] === "string" ? Buffer.from(data[key] as string, "base64").toString("utf8") : "";
    if (!text.includes("-----BEGIN ")) return { ok: false, reason: `key '${key}' holds no PEM data` };
    decoded[key] = text;
  }
  return { ok: true, pem: pemBundle(decoded["tls.crt"], decoded["tls.key"]) };
}
