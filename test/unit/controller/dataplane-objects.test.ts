import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { dataplaneObjects, irRevision, managedByValue, managedName, needsApply } from "../../../controller/dataplane-objects";
import { webDataplane } from "./fixture-dataplane";
import { RUNTIMES } from "../../../cli/images/specs";
import { dataplaneConfig } from "../../../cli/commands/dataplane";
import { proxyConfig } from "../../../cli/commands/dataplane-proxy";

const gatewayOwner = { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", name: "web", uid: "0d6f3c2e-1111-4222-8333-944455556666" };
const settings = { image: "agc.local/agc-dataplane:0.1.0", replicas: 2, managedBy: "alb.agc.dev_alb-controller" };

describe("irRevision", () => {
  it("is the first 16 hex digits of the sha256 of the document with sorted keys, without its revision", () => {
    // printf '%s' '{"apiVersion":"ir.agc.dev/v1","clusters":[],"frontends":[{"name":"web.80","port":10080},{"name":"web.443","port":10443,"tls":{"certificates":[{"secret":{"name":"wildcard","namespace":"certs"}}]}}],"gateway":"demo.web","routes":[]}' | sha256sum
    expect(irRevision(webDataplane.ir)).toBe("1d2093674e444d9f");
    expect(irRevision({ ...webDataplane.ir, revision: "old" })).toBe("1d2093674e444d9f");
  });

  it("changes when the document changes", () => {
    expect(irRevision({ ...webDataplane.ir, routes: [{ name: "r", frontends: ["web.80"], backends: [] } as any] })).not.toBe("1d2093674e444d9f");
  });
});

describe("dataplaneObjects", () => {
  it("gives the ConfigMap with the IR, the agent's RBAC, the Deployment and the Service (golden)", () => {
    const expected = YAML.parseAllDocuments(fs.readFileSync(path.join(__dirname, "dataplane", "web-gateway.yaml"), "utf8")).map((d) => d.toJS());
    const actual = dataplaneObjects(webDataplane, "1d2093674e444d9f", settings, { dataplane: gatewayOwner, services: { "Gateway/demo/web": gatewayOwner } });
    expect(actual).toEqual(expected);
  });

  it("runs the agent and HAProxy's supervisor in two containers of the data plane image, on one shared runtime directory", () => {
    const deployment = dataplaneObjects(webDataplane, "1d2093674e444d9f", settings, { dataplane: gatewayOwner, services: {} }).find((o) => o.kind === "Deployment")!;
    const containers: { name: string; args: string[] }[] = deployment.spec.template.spec.containers;
    // What each container runs: the image's entrypoint, then the container's args.
    expect(containers.map((c) => `${c.name}: ${[...RUNTIMES.dataplane.entrypoint, ...c.args].join(" ")}`)).toEqual([
      "agent: node /app/bin/agc.js dataplane --configmap demo/alb-gw-web --admin-port 9901 --probe-port 9902 --runtime-dir /run/agc --external-haproxy",
      "haproxy: node /app/bin/agc.js dataplane proxy --runtime-dir /run/agc --probe-port 9903",
    ]);
    // Both command lines are valid for the commands they reach.
    const agent = dataplaneConfig(containers[0].args, { POD_NAMESPACE: "demo", POD_NAME: "p" }, 1);
    const proxy = proxyConfig(containers[1].args.slice(1));
    expect([agent.ok && agent.config.externalHaproxy, agent.ok && agent.config.runtimeDir, proxy.ok && proxy.config.runtimeDir]).toEqual([true, "/run/agc", "/run/agc"]);
  });

  it("applies again only what is missing or was applied from other content", () => {
    const [configMap] = dataplaneObjects(webDataplane, "1d2093674e444d9f", settings, { dataplane: gatewayOwner, services: {} });
    expect(needsApply(configMap, undefined)).toBe(true);
    expect(needsApply(configMap, { metadata: { annotations: { "alb.agc.dev/applied-hash": "260970c4675f3be1" } } })).toBe(false);
    expect(needsApply(configMap, { metadata: { annotations: { "alb.agc.dev/applied-hash": "0000000000000000" } } })).toBe(true);
  });
});

describe("managedName", () => {
  // Hashes: printf '%s' 'TrafficController/Gw.One' | sha256sum (first 10 digits), likewise 'Ingress/aaa…'.
  it.each([
    ["Gateway", "web", "alb-gw-web"],
    ["Frontend", "fe-1", "alb-fe-fe-1"],
    ["TrafficController", "Gw.One", "alb-tc-gw-one-0074aae281"],
    ["Ingress", "a".repeat(70), `alb-ing-${"a".repeat(44)}-ca513d56ed`],
  ] as const)("%s %s -> %s", (kind, name, expected) => {
    expect(managedName(kind, name)).toBe(expected);
  });
});

describe("managedByValue", () => {
  it("makes a controllerName a label value", () => {
    expect(managedByValue("alb.agc.dev/alb-controller")).toBe("alb.agc.dev_alb-controller");
    // printf '%s' 'example.com/…' | sha256sum (first 10 digits)
    expect(managedByValue(`example.com/${"x".repeat(60)}`)).toBe(`example.com_${"x".repeat(40)}-7f7f6d99b7`);
  });
});
