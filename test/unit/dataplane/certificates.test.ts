import { certificateFiles, missingCertificates, pemFromSecret, secretFileLookup, secretRefs, withoutMissingCertificates } from "../../../dataplane/certificates";
import { GatewayIr } from "../../../model/ir";

const ir: GatewayIr = {
  apiVersion: "ir.agc.dev/v1",
  gateway: "gw",
  frontends: [
    { name: "web", port: 80 },
    { name: "tls", port: 443, tls: { certificates: [{ secret: { namespace: "apps", name: "shop-tls" } }, { certificateFile: "/etc/a.crt", keyFile: "/etc/a.key" }] } },
    { name: "admin", port: 8443, tls: { certificates: [{ secret: { namespace: "ops", name: "admin-tls" } }, { secret: { namespace: "apps", name: "shop-tls" } }] } },
  ],
  routes: [],
  clusters: [],
};

describe("certificates by reference", () => {
  it("lists each Secret once", () => {
    expect(secretRefs(ir)).toEqual([{ namespace: "apps", name: "shop-tls" }, { namespace: "ops", name: "admin-tls" }]);
    expect(secretRefs({ frontends: "nonsense" })).toEqual([]);
  });

  it("gives each Secret its own file in the directory", () => {
    expect(certificateFiles(ir, "/run/agc/gen/3/certs")).toEqual(new Map([
      ["apps/shop-tls", "/run/agc/gen/3/certs/secret_apps_shop-tls.pem"],
      ["ops/admin-tls", "/run/agc/gen/3/certs/secret_ops_admin-tls.pem"],
    ]));
  });

  it("leaves out Secrets without a PEM, and frontends left with no certificate", () => {
    const frontends = (x: GatewayIr) => x.frontends;
    expect(frontends(withoutMissingCertificates(ir, new Map([["apps/shop-tls", "PEM"]])))).toEqual([
      { name: "web", port: 80 },
      { name: "tls", port: 443, tls: { certificates: [{ secret: { namespace: "apps", name: "shop-tls" } }, { certificateFile: "/etc/a.crt", keyFile: "/etc/a.key" }] } },
      { name: "admin", port: 8443, tls: { certificates: [{ secret: { namespace: "apps", name: "shop-tls" } }] } },
    ]);
    expect(frontends(withoutMissingCertificates(ir, new Map()))).toEqual([
      { name: "web", port: 80 },
      { name: "tls", port: 443, tls: { certificates: [{ certificateFile: "/etc/a.crt", keyFile: "/etc/a.key" }] } },
    ]);
  });

  it("tells the renderer a Secret's PEM file is both its certificate and its key file", () => {
    const lookup = secretFileLookup("/d");
    expect(lookup({ namespace: "ops", name: "admin-tls" })).toEqual({ certificateFile: "/d/secret_ops_admin-tls.pem", keyFile: "/d/secret_ops_admin-tls.pem" });
  });

  it("says which certificates are left out and why", () => {
    expect(missingCertificates(ir, new Map([["apps/shop-tls", "PEM"]]), new Map([["ops/admin-tls", "not found"]]))).toEqual([
      "frontend admin: Secret ops/admin-tls: not found",
    ]);
    expect(missingCertificates(ir, new Map(), new Map([["ops/admin-tls", "not found"]]))).toEqual([
      "frontend tls: Secret apps/shop-tls: not read yet",
      "frontend admin: Secret ops/admin-tls: not found; the frontend is not served",
      "frontend admin: Secret apps/shop-tls: not read yet; the frontend is not served",
    ]);
    expect(missingCertificates(ir, new Map([["ops/admin-tls", "PEM"]]), new Map(), "Secrets are read only with --configmap")).toEqual([
      "frontend tls: Secret apps/shop-tls: Secrets are read only with --configmap",
      "frontend admin: Secret apps/shop-tls: Secrets are read only with --configmap",
    ]);
  });

  it("reads a kubernetes.io/tls Secret into one PEM, certificate first", () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const secret = (type: string, data: Record<string, string>) => ({ type, data });
    const crt = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
    expect(pemFromSecret(secret("kubernetes.io/tls", { "tls.crt": b64(crt), "tls.key": b64(key) }))).toEqual({ ok: true, pem: `${crt}${key}` });
    expect(pemFromSecret(undefined)).toEqual({ ok: false, reason: "not found" });
    expect(pemFromSecret(secret("Opaque", {}))).toEqual({ ok: false, reason: 'has type "Opaque", not "kubernetes.io/tls"' });
    expect(pemFromSecret(secret("kubernetes.io/tls", { "tls.crt": b64(crt), "tls.key": "" }))).toEqual({ ok: false, reason: "key 'tls.key' holds no PEM data" });
  });
});
