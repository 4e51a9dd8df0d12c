/**
 * TLS certificates by reference: a frontend's `tls.certificates[]` entry may name a
 * kubernetes.io/tls Secret (`secret: {namespace, name}`). The agent reads the Secret, writes
 * certificate and key as one PEM file (mode 0600) and tells the renderer where that file is.
 * Pure functions here; the reading and writing are the agent's.
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

/** Each Secret once, in order of first mention. */
export function uniqueRefs(refs: SecretRef[]): SecretRef[] {
  const byKey = new Map<string, SecretRef>();
  for (const r of refs) if (!byKey.has(secretRefKey(r))) byKey.set(secretRefKey(r), r);
  return [...byKey.values()];
}

/** The Secrets a document refers to, each once, in order of first mention. Accepts unparsed documents. */
export function secretRefs(document: unknown): SecretRef[] {
  const refs = frontendsOf(document).flatMap((fe) => certificateEntries(fe).map(secretOf));
  return uniqueRefs(refs.filter((r): r is SecretRef => r !== undefined));
}

/**
 * Where each referenced Secret's PEM goes in `dir`: `secret_<namespace>_<name>.pem`.
 * Namespaces and names never contain `_`, so two Secrets never share a file.
 */
export function certificateFiles(ir: unknown, dir: string): Map<string, string> {
  return new Map(secretRefs(ir).map((ref) => [secretRefKey(ref), `${dir}/secret_${ref.namespace}_${ref.name}.pem`]));
}

/**
 * The IR to render: Secret entries without a PEM left out, and a frontend left with no
 * certificate too, so the rest of the gateway is served.
 */
export function withoutMissingCertificates(ir: GatewayIr, pems: ReadonlyMap<string, string>): GatewayIr {
  const frontends = ir.frontends.flatMap((fe) => {
    const entries = certificateEntries(fe);
    if (!entries.length) return [fe];
    const certificates = entries.filter((entry) => {
      const ref = secretOf(entry);
      return !ref || pems.has(secretRefKey(ref));
    });
    if (certificates.length === entries.length) return [fe];
    return certificates.length ? [{ ...fe, tls: { ...(fe.tls as object), certificates } } as typeof fe] : [];
  });
  return { ...ir, frontends };
}

/**
 * The renderer's view of the files: for a Secret, its PEM file from `files` serves as both
 * certificate and key file (HAProxy reads the chain and the key from one file).
 */
export function secretFileLookup(files: ReadonlyMap<string, string>): (secret: SecretRef) => { certificateFile: string; keyFile: string } {
  return (secret) => {
    const file = files.get(secretRefKey(secret)) ?? `missing-secret_${secret.namespace}_${secret.name}.pem`;
    return { certificateFile: file, keyFile: file };
  };
}

/** Per frontend, the Secrets it names that have no PEM, with the reason (`unread` when none is known). */
export function missingCertificates(ir: GatewayIr, pems: ReadonlyMap<string, string>, problems: ReadonlyMap<string, string>, unread = "not read yet"): string[] {
  const out: string[] = [];
  for (const fe of ir.frontends) {
    const entries = certificateEntries(fe);
    const missing = entries.map(secretOf).filter((r): r is SecretRef => r !== undefined && !pems.has(secretRefKey(r)));
    const unserved = missing.length > 0 && missing.length === entries.length ? "; the frontend is not served" : "";
    for (const r of missing) out.push(`frontend ${fe.name}: Secret ${secretRefKey(r)}: ${problems.get(secretRefKey(r)) ?? unread}${unserved}`);
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
