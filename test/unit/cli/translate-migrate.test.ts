// `agc migrate` and `agc translate` on the seed scenario's manifest, as a user runs them on files.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { main as migrate } from "../../../cli/commands/migrate";
import { main as translateCommand } from "../../../cli/commands/translate";

/** The seed's Ingress, as the older controller's users wrote it. */
const SEED = `apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: websocket-ingress
  namespace: default
  uid: 1b2c
  resourceVersion: "42"
  annotations:
    kubernetes.io/ingress.class: azure/application-gateway
spec:
  backend:
    serviceName: fallback
    servicePort: http
  rules:
  - host: ws.contoso.com
    http:
      paths:
      - path: /
        backend:
          serviceName: websocket-repro-service
          servicePort: 80
---
apiVersion: v1
kind: Service
metadata: {name: websocket-repro-service, namespace: default}
spec: {ports: [{port: 80, targetPort: 8888}]}
`;

async function run(command: (args: string[]) => Promise<number>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk: any) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(console, "error").mockImplementation((...parts: unknown[]) => void (stderr += `${parts.join(" ")}\n`));
  try {
    return { code: await command(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("agc migrate", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-migrate-"));
    fs.writeFileSync(path.join(dir, "seed.yaml"), SEED);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("rewrites an extensions/v1beta1 Ingress as networking.k8s.io/v1 and passes other objects through", async () => {
    const { code, stdout, stderr } = await run(migrate, ["-f", path.join(dir, "seed.yaml")]);
    expect(code).toBe(0);
    const [ingress, service] = YAML.parseAllDocuments(stdout).map((d) => d.toJS());
    expect(ingress).toEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "websocket-ingress", namespace: "default", annotations: { "kubernetes.io/ingress.class": "azure/application-gateway" } },
      spec: {
        defaultBackend: { service: { name: "fallback", port: { name: "http" } } },
        rules: [
          {
            host: "ws.contoso.com",
            http: { paths: [{ path: "/", pathType: "ImplementationSpecific", backend: { service: { name: "websocket-repro-service", port: { number: 80 } } } }] },
          },
        ],
      },
    });
    expect(service).toEqual({ apiVersion: "v1", kind: "Service", metadata: { name: "websocket-repro-service", namespace: "default" }, spec: { ports: [{ port: 80, targetPort: 8888 }] } });
    expect(stderr).toBe(
      "Ingress default/websocket-ingress: apiVersion extensions/v1beta1 -> networking.k8s.io/v1\n" +
        "Ingress default/websocket-ingress: spec.backend -> spec.defaultBackend\n" +
        "Ingress default/websocket-ingress: spec.rules[0].http.paths[0].pathType set to ImplementationSpecific (the v1beta1 default)\n",
    );
  });

  it("then translates: the seed's host routes to the Service on the Ingress's own data plane", async () => {
    const migrated = await run(migrate, ["-f", path.join(dir, "seed.yaml")]);
    fs.writeFileSync(path.join(dir, "v1.yaml"), migrated.stdout);
    const { code, stdout } = await run(translateCommand, ["-f", path.join(dir, "v1.yaml"), "-o", "json"]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.dataplanes.map((d: any) => d.owner)).toEqual([{ kind: "Ingress", namespace: "default", name: "websocket-ingress" }]);
    expect(result.dataplanes[0].ir.routes[0]).toEqual({
      name: "ingress.default.websocket-ingress.0.0",
      frontends: ["websocket-ingress.80"],
      hostnames: ["ws.contoso.com"],
      path: { type: "PathPrefix", value: "/" },
      backends: [{ cluster: "default.websocket-repro-service.80" }],
    });
    // The fallback Service does not exist: its share answers 500, and a warning says why.
    expect(result.warnings).toEqual([
      {
        regarding: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: "default", name: "websocket-ingress" },
        reason: "BackendNotFound",
        message: "spec.defaultBackend: Service default/fallback not found",
      },
    ]);
  });

  it("refuses a missing -f and an unknown output format with a usage message", async () => {
    expect((await run(migrate, [])).stderr).toContain("agc migrate: -f is required");
    const bad = await run(translateCommand, ["-f", path.join(dir, "seed.yaml"), "-o", "xml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("-o 'xml' is not a format; use yaml or json");
  });

  it("says which file it cannot read, and how, with exit code 1", async () => {
    const missing = path.join(dir, "missing.yaml");
    const notFound = await run(translateCommand, ["-f", missing]);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toMatch(new RegExp(`^agc translate: cannot read ${missing}: ENOENT`));
    fs.writeFileSync(path.join(dir, "bad.yaml"), "a: [1,\n");
    const invalid = await run(migrate, ["-f", path.join(dir, "bad.yaml")]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(new RegExp(`^agc migrate: cannot read ${path.join(dir, "bad.yaml")}: ${path.join(dir, "bad.yaml")} is not valid YAML: `));
  });
});
