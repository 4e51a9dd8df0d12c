/**
 * Certificates named by Secret, through a real HAProxy: the agent writes the Secret's PEM as a
 * 0600 file in its working directory, reloads when the Secret changes, and serves the rest of
 * the gateway (saying so on /readyz) when the Secret is missing. The Secret's content is handed
 * to the agent as its Kubernetes follower does (test/e2e/dataplane-configmap.test.ts reads
 * real Secrets through the API server).
 */
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ApplyResult } from "../../dataplane/agent";
import { pemBundle } from "../../dataplane/certificates";
import { GatewayIr } from "../../model/ir";
import { adminGet, backendAnswering, cluster, eventually, freePort, gatewayIr, Harness, makeCertificate, presentedFingerprint } from "./harness";

jest.setTimeout(60_000);

const SECRET = "apps/shop-tls";

describe("certificates from Secrets", () => {
  const h = new Harness();
  let port: number;
  let tlsPort: number;
  let adminPort: number;
  let ir: GatewayIr;
  let v1: { pem: string; fingerprint: string };
  let v2: { pem: string; fingerprint: string };
  const results: ApplyResult[] = [];

  const version = (dir: string) => {
    const files = makeCertificate(path.join(h.dir, dir), "shop.test");
    return { pem: pemBundle(fs.readFileSync(files.certFile, "utf8"), fs.readFileSync(files.keyFile, "utf8")), fingerprint: new X509Certificate(fs.readFileSync(files.certFile)).fingerprint256 };
  };
  const readyz = () => adminGet(adminPort, "/readyz");

  beforeAll(async () => {
    const web = await h.backend("web");
    [port, tlsPort, adminPort] = [await freePort(), await freePort(), await freePort()];
    v1 = version("v1");
    v2 = version("v2");
    ir = gatewayIr(port, [cluster("web", [web])], {
      revision: "r1",
      frontends: [
        { name: "web", port, address: "127.0.0.1" },
        { name: "secure", port: tlsPort, address: "127.0.0.1", tls: { certificates: [{ secret: { namespace: "apps", name: "shop-tls" } }] } },
      ],
    });
    await h.startAgent(ir, adminPort, {}, { [SECRET]: v1.pem });
    h.agent!.on("applied", (r: ApplyResult) => results.push(r));
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("serves the Secret's certificate from a PEM file only its owner can read", async () => {
    expect(await presentedFingerprint(tlsPort, "shop.test")).toBe(v1.fingerprint);
    const file = path.join(h.dir, "run", "gen", "1", "certs", "secret_apps_shop-tls.pem");
    expect(fs.readFileSync(file, "utf8")).toBe(v1.pem);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("reports the revision it serves on /readyz", async () => {
    expect(await readyz()).toEqual({ status: 200, body: { ready: true, gateway: "test", revision: "r1" } });
    // A new revision alone is no change for HAProxy, but is what it serves from now on.
    expect(await h.agent!.apply({ ...ir, revision: "r2" })).toEqual({ kind: "unchanged", durationMs: expect.any(Number) });
    expect((await readyz()).body.revision).toBe("r2");
  });

  it("reloads with the new certificate when the Secret changes, even after a newer IR was refused", async () => {
    const worker = await h.agent!.workerPid();
    const refused = await h.agent!.apply({ ...ir, revision: "r3", routes: [{ name: "all", backends: [{ cluster: "missing" }] }] });
    expect(refused.kind).toBe("rejected");
    h.agent!.setCertificate(SECRET, { pem: v2.pem });
    await eventually("the reload", () => results.find((r) => r.kind === "reload"));
    expect(await presentedFingerprint(tlsPort, "shop.test")).toBe(v2.fingerprint);
    expect(await h.agent!.workerPid()).not.toBe(worker);
    // Still the served revision, and still the refusal of r3 on /readyz.
    const status = await readyz();
    expect([status.body.revision, status.body.refused.errors.length]).toEqual(["r2", 1]);
  });

  const reloaded = (what: string) => {
    const before = results.filter((r) => r.kind === "reload").length;
    return eventually(what, () => results.filter((r) => r.kind === "reload").length > before || undefined);
  };

  it("serves the rest of the gateway when the Secret goes missing, and says so on /readyz", async () => {
    const withoutTls = reloaded("the reload without the TLS frontend");
    h.agent!.setCertificate(SECRET, { problem: "not found" });
    await withoutTls;
    expect(await readyz()).toEqual({
      status: 200,
      body: { ready: true, gateway: "test", revision: "r2", refused: expect.anything(), missingCertificates: ["frontend secure: Secret apps/shop-tls: not found; the frontend is not served"] },
    });
    expect(await backendAnswering(port)).toBe("web");
    await expect(presentedFingerprint(tlsPort, "shop.test")).rejects.toThrow(/ECONNREFUSED/);
    // Back again: served again.
    const withTls = reloaded("the reload with the TLS frontend");
    h.agent!.setCertificate(SECRET, { pem: v1.pem });
    await withTls;
    expect(await presentedFingerprint(tlsPort, "shop.test")).toBe(v1.fingerprint);
    expect((await readyz()).body.missingCertificates).toBeUndefined();
  });
});
