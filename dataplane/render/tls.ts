/**
 * Certificates of TLS frontends. The IR names Secrets or files; HAProxy wants one PEM per
 * certificate (chain then key) listed in a crt-list, the first being the default, the others
 * chosen by the SNI matching their names. Render only names the files; the agent writes them.
 */
import { FileCertificate, Frontend, SecretRef } from "../../model/ir";
import { fileLines } from "./text";

/** Where the files of a Secret-referenced certificate are (the agent materialises them). */
export type CertificateFiles = (secret: SecretRef) => FileCertificate;

/** The default layout: `<dir>/secrets/<namespace>/<name>/tls.crt` and `tls.key`. */
export function secretCertificateFiles(dir: string): CertificateFiles {
  return (s) => ({
    certificateFile: `${dir}/secrets/${s.namespace}/${s.name}/tls.crt`,
    keyFile: `${dir}/secrets/${s.namespace}/${s.name}/tls.key`,
  });
}

export interface FrontendCertificates {
  /** PEM files to assemble, by file name in `certs/`: chain then key. */
  pems: Record<string, FileCertificate>;
  /** The crt-list file name in `certs/` and its content. */
  crtList: { name: string; text: string };
}

export function frontendCertificates(fe: Frontend, files: CertificateFiles, certsDir: string): FrontendCertificates | undefined {
  if (!fe.tls) return undefined;
  const pems: Record<string, FileCertificate> = {};
  const lines = fe.tls.certificates.map((c, i) => {
    const name = `fe_${fe.name}.${i}.pem`;
    pems[name] = "secret" in c ? files(c.secret) : { certificateFile: c.certificateFile, keyFile: c.keyFile };
    return `${certsDir}/${name}`;
  });
  return { pems, crtList: { name: `fe_${fe.name}.crt-list`, text: fileLines(lines) } };
}
