/**
 * TLS certificates by reference: a frontend's `tls.certificates[]` entry may name a
 * kubernetes.io/tls Secret (`secret: {namespace, name}`). The agent reads the Secret, writes
 * certificate and key as one PEM file (mode 0600) and hands the renderer an IR in which that
 * entry names the file. Pure functions here; the reading and writing are the agent's.
 */
import { GatewayIr } from "../model/ir";

export interface SecretRef {
  namespace: string;
  name: string;
}

export const secretRefKey = (ref: SecretRef): string => `${ref.namespace}/${ref.name}`;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

// `Frontend.tls.certificates` and its `secret` entries are read without relying on the
// model's type, so this compiles against the IR types from before and after they gained them.
function certificateEntries(frontend: unknown): unknown[] {
  const tls = isObj(frontend) ? frontend.tls : undefined;
  return isObj(tls) && Array.isArray(tls.certificates) ? tls.certificates : [];
}

function secretOf(entry: unknown): SecretRef | undefined {
  const s = isObj(entry) ? entry.secret : undefined;
  return isObj(s) && typeof s.namespace === "string" && typeof s.name === "string" ? { namespace: s.namespace, name: s.name } : undefined;
}

function frontendsOf(document: unknown): unknown[] {
  return isObj(document) && Array.isArray(document.frontends) ? document.frontends : [];
}

/** The Secrets a document refers to, each once, in order of first mention. Accepts unparsed documents. */
export function secretRefs(document: unknown): SecretRef[] {
  const seen = new Map<string, SecretRef>();
  for (const fe of frontendsOf(document)) {
    for (const entry of certificateEntries(fe)) {
      const ref = secretOf(entry);
      if (ref && !seen.has(secretRefKey(ref))) seen.set(secretRefKey(ref), ref);
    }
  }
  return [...seen.values()];
}

/**
 * Where each referenced Secret's PEM goes in `dir`: `secret_<namespace>_<name>.pem`.
 * Namespaces and names never contain `_`, so two Secrets never share a file.
 */
export function certificateFiles(ir: unknown, dir: string): Map<string, string> {
  return new Map(secretRefs(ir).map((ref) => [secretRefKey(ref), `${dir}/secret_${ref.namespace}_${ref.name}.pem`]));
}

/**
 * The IR the renderer gets: each Secret entry replaced by the file holding its PEM (certificate
 * and key in one file, so both paths name it). Entries whose Secret has no PEM are left out,
 * and so is a frontend left with no certificate: the rest of the gateway is served.
 */
export function withCertificateFiles(ir: GatewayIr, files: ReadonlyMap<string, string>, pems: ReadonlyMap<string, string>): GatewayIr {
  const frontends = ir.frontends.flatMap((fe) => {
    const entries = certificateEntries(fe);
    if (!entries.length) return [fe];
    const certificates = entries.flatMap((entry) => {
      const ref = secretOf(entry);
      if (!ref) return [entry];
      const key = secretRefKey(ref);
      const file = files.get(key);
      return file && pems.has(key) ? [{ certificateFile: file, keyFile: file }] : [];
    });
    return certificates.length ? [{ ...fe, tls: { ...(fe.tls as object), certificates } } as typeof fe] : [];
  });
  return { ...ir, frontends };
}

/** Per frontend, the Secrets it names that have no PEM, with the reason (default: not read yet). */
export function missingCertificates(ir: GatewayIr, pems: ReadonlyMap<string, string>, problems: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const fe of ir.frontends) {
    const entries = certificateEntries(fe);
    const missing = entries.map(secretOf).filter((r): r is SecretRef => r !== undefined && !pems.has(secretRefKey(r)));
    const unserved = missing.length > 0 && missing.length === entries.length ? "; the frontend is not served" : "";
    for (const r of missing) out.push(`frontend ${fe.name}: Secret ${secretRefKey(r)}: ${problems.get(secretRefKey(r)) ?? "not read yet"}${unserved}`);
  }
  return out;
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
    decoded[key] = text.trimEnd();
  }
  return { ok: true, pem: `${decoded["tls.crt"]}\n${decoded["tls.key"]}\n` };
}
