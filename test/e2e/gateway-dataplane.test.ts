// The controller turns a Gateway and an HTTPRoute into a data plane, against the real API server:
// the ConfigMap with the IR, the agent's Deployment and RBAC, a LoadBalancer Service with an
// address from the pool; Gateway and route status say so; a restarted controller keeps the
// addresses; deleting the Gateway removes it all (the garbage collector follows the owner
// references). No pod needs to run: the Gateway stays Programmed=False, Pending, until the data
// plane's ready pods report the IR's revision. The controller runs with its defaults, so that
// other tests' controllers, watching the same cluster, do exactly what it does.
import { installCrds } from "../../controller/bootstrap";
import { controllerClusterRole } from "../../controller/rbac";
import { Controller } from "../../controller/run";
import { KubeClient } from "../../kube/client";
import { eventually, sleep } from "../dataplane/harness";
import { installGatewayApiCrds } from "../support/gatewayApi";
import { testClient } from "../support/localCluster";

jest.setTimeout(180_000);

const suffix = Date.now().toString(36);
const ns = `wiring-${suffix}`;
const className = `agc-wiring-${suffix}`;
const GW = "/apis/gateway.networking.k8s.io/v1";
const POOL_ADDRESS = /^10\.245\.0\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-4])$/;

/** This file's waits: up to a minute each, looked at every 250 ms. */
const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually<T>(what, probe, 60_000, 250);

let client: KubeClient;
/** The controller's own identity: a ServiceAccount with exactly the rules of controller/rbac.ts. */
let controllerClient: KubeClient;
let controller: Controller | undefined;
const logs: string[] = [];

async function clientWithControllerRules(): Promise<KubeClient> {
  const rbac = "/apis/rbac.authorization.k8s.io/v1";
  await client.create(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "alb-controller", namespace: ns } });
  await client.create(`${rbac}/clusterroles`, controllerClusterRole(className));
  await client.create(`${rbac}/clusterrolebindings`, {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: className },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: className },
    subjects: [{ kind: "ServiceAccount", name: "alb-controller", namespace: ns }],
  });
  const token = await client.create(`/api/v1/namespaces/${ns}/serviceaccounts/alb-controller/token`, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } });
  const { server, ca, insecureSkipTlsVerify, tlsServerName } = client.creds;
  return new KubeClient({ server, ca, insecureSkipTlsVerify, tlsServerName, token: token.status.token });
}

function startController(): Promise<void> {
  controller = new Controller(controllerClient, { dnsZone: "alb.test.local", log: (m) => logs.push(m) });
  return controller.start();
}

const gateway = (name: string) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name, namespace: ns },
  spec: { gatewayClassName: className, listeners: [{ name: "http", protocol: "HTTP", port: 80 }] },
});

/** An object the controller applies in the same pass as others, one after another. */
const present = (objectPath: string) => until(`${objectPath} created`, () => client.find<Record<string, any>>(objectPath));

const condition = (status: any, type: string) => (status?.conditions ?? []).find((c: any) => c.type === type);

beforeAll(async () => {
  client = testClient();
  await installGatewayApiCrds(client);
  await installCrds(client);
  await client.ensureNamespace(ns);
  controllerClient = await clientWithControllerRules();
  await startController();
  await client.create(`${GW}/gatewayclasses`, {
    apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: className }, spec: { controllerName: "alb.agc.dev/alb-controller" },
  });
  await client.create(`/api/v1/namespaces/${ns}/services`, {
    apiVersion: "v1", kind: "Service", metadata: { name: "echo", namespace: ns }, spec: { ports: [{ name: "http", port: 8080, targetPort: 8080 }], selector: { app: "echo" } },
  });
  await client.create(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, {
    apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
    metadata: { name: "echo-1", namespace: ns, labels: { "kubernetes.io/service-name": "echo" } },
    addressType: "IPv4", ports: [{ name: "http", port: 8080, protocol: "TCP" }], endpoints: [{ addresses: ["10.244.0.9"], conditions: { ready: true } }],
  });
  await client.create(`${GW}/namespaces/${ns}/gateways`, gateway("web"));
  await client.create(`${GW}/namespaces/${ns}/httproutes`, {
    apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "echo", namespace: ns },
    spec: { parentRefs: [{ name: "web" }], hostnames: ["echo.wiring.test"], rules: [{ matches: [{ path: { type: "PathPrefix", value: "/api" } }], backendRefs: [{ name: "echo", port: 8080 }] }] },
  });
}, 120_000);

afterAll(async () => {
  controller?.stop();
  controllerClient?.close();
  await client.remove(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${className}`);
  await client.remove(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${className}`);
  await client.remove(`${GW}/gatewayclasses/${className}`);
  await client.remove(`/apis/networking.k8s.io/v1/ingressclasses/${className}`);
  await client.remove(`/api/v1/namespaces/${ns}`);
  client.close();
  // Everything was written with the controller's own rules: nothing it tried was refused.
  // Checked after the clean-up, which a failure here must not skip.
  expect(logs.filter((m) => m.includes("403"))).toEqual([]);
});

const cmPath = `/api/v1/namespaces/${ns}/configmaps/alb-gw-web`;

test("the Gateway's data plane: ConfigMap with the IR, Deployment, RBAC, Service with a pool address", async () => {
  const configMap = await until("the ConfigMap with a route for echo.wiring.test", async () => {
    const cm = await client.find(cmPath);
    return cm?.data?.["ir.json"]?.includes("echo.wiring.test") ? cm : undefined;
  });
  const ir = JSON.parse(configMap.data["ir.json"]);
  expect(ir.revision).toMatch(/^[0-9a-f]{16}$/);
  expect(configMap.metadata.annotations["alb.agc.dev/ir-revision"]).toBe(ir.revision);
  expect(ir.frontends.map((f: any) => f.port)).toEqual([10080]);
  expect(ir.routes).toHaveLength(1);
  expect(ir.routes[0]).toMatchObject({ hostnames: ["echo.wiring.test"], path: { type: "PathPrefix", value: "/api" } });
  expect(ir.clusters).toHaveLength(1);
  expect(ir.clusters[0].endpoints).toEqual([expect.objectContaining({ address: "10.244.0.9", port: 8080 })]);
  expect(configMap.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Gateway", name: "web", controller: true })]);

  const deployment = await present(`/apis/apps/v1/namespaces/${ns}/deployments/alb-gw-web`);
  expect(deployment.spec.replicas).toBe(2);
  const container = deployment.spec.template.spec.containers[0];
  expect(container.image).toBe("agc.local/alb-dataplane:dev");
  expect(container.name).toBe("agent");
  expect(container.args).toEqual(["--configmap", `${ns}/alb-gw-web`, "--admin-port", "9901", "--probe-port", "9902", "--runtime-dir", "/run/agc", "--external-haproxy"]);
  // HAProxy runs in its own container, so an agent restart leaves its connections alone.
  const haproxy = deployment.spec.template.spec.containers[1];
  expect([haproxy.name, haproxy.image, haproxy.args]).toEqual(["haproxy", "agc.local/alb-dataplane:dev", ["proxy", "--runtime-dir", "/run/agc", "--probe-port", "9903"]]);
  expect(deployment.spec.template.spec.volumes).toEqual([{ name: "runtime", emptyDir: {} }]);
  expect(container.env.map((e: any) => `${e.name}=${e.valueFrom.fieldRef.fieldPath}`)).toEqual(["POD_NAME=metadata.name", "POD_NAMESPACE=metadata.namespace"]);
  expect(deployment.spec.template.spec.serviceAccountName).toBe("alb-gw-web");

  const role = await present(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/alb-gw-web`);
  expect(role.rules[0]).toEqual({ apiGroups: [""], resources: ["configmaps"], resourceNames: ["alb-gw-web"], verbs: ["get", "list", "watch"] });
  await present(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/alb-gw-web`);
  await present(`/api/v1/namespaces/${ns}/serviceaccounts/alb-gw-web`);

  const service = await until("the Service's address", async () => {
    const s = await client.get(`/api/v1/namespaces/${ns}/services/alb-gw-web`);
    return s.status?.loadBalancer?.ingress?.[0]?.ip ? s : undefined;
  });
  expect(service.spec.type).toBe("LoadBalancer");
  expect(service.spec.loadBalancerClass).toBe("alb.agc.dev/alb");
  expect(service.spec.ports.map((p: any) => [p.port, p.targetPort])).toEqual([[80, 10080]]);
  expect(service.spec.selector).toEqual({ "alb.agc.dev/dataplane": "alb-gw-web" });
  const address = service.status.loadBalancer.ingress[0].ip;
  expect(address).toMatch(POOL_ADDRESS);

  const gw = await until("the Gateway's addresses", async () => {
    const g = await client.get(`${GW}/namespaces/${ns}/gateways/web`);
    return g.status?.addresses?.length ? g : undefined;
  });
  expect(gw.status.addresses).toEqual([{ type: "IPAddress", value: address }]);
  expect(condition(gw.status, "Accepted")).toMatchObject({ status: "True", reason: "Accepted" });
  // No agent reports the revision (no pod serves it): Programmed waits, and says for what.
  expect(condition(gw.status, "Programmed")).toMatchObject({ status: "False", reason: "Pending" });
  expect(condition(gw.status, "Programmed").message).toContain(`Deployment ${ns}/alb-gw-web`);
  expect(condition(gw.status, "Programmed").message).toContain(ir.revision);
  expect(condition(gw.status.listeners[0], "Programmed")).toMatchObject({ status: "False", reason: "Pending" });

  const route = await until("the route's status", async () => {
    const r = await client.get(`${GW}/namespaces/${ns}/httproutes/echo`);
    return r.status?.parents?.length ? r : undefined;
  });
  expect(route.status.parents[0].controllerName).toBe("alb.agc.dev/alb-controller");
  expect(condition(route.status.parents[0], "Accepted")).toMatchObject({ status: "True" });
});

test("the Gateway is Programmed once the data plane's ready pods serve the revision", async () => {
  const revision = JSON.parse((await client.get(cmPath)).data["ir.json"]).revision;
  // This pod stands in for a ready data plane pod (this cluster may have no kubelet, or no data
  // plane image): bound to a node that does not exist, so no kubelet or scheduler touches it,
  // and made Ready through its status subresource.
  await client.create(`/api/v1/namespaces/${ns}/pods`, {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "web-dataplane-0", namespace: ns, labels: { "app.kubernetes.io/managed-by": "alb.agc.dev_alb-controller", "alb.agc.dev/dataplane": "alb-gw-web" }, annotations: { "alb.agc.dev/ir-revision": "0000000000000000" } },
    spec: { nodeName: "no-such-node", containers: [{ name: "dataplane", image: "agc.local/alb-dataplane:dev" }] },
  });
  await client.mergePatch(`/api/v1/namespaces/${ns}/pods/web-dataplane-0`, { status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") }] } }, "status");
  const programmed = async () => condition((await client.get(`${GW}/namespaces/${ns}/gateways/web`)).status, "Programmed");
  // Ready, but on an older revision: still Pending, saying how many ready pods serve the current one.
  await until("the Pending message counting the pods", async () => /\(0 of \d+ do\)$/.test((await programmed()).message));
  // What each pod's agent does once it serves the revision (the Deployment's own pods too, in case they run here).
  const pods = await client.request(`/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: "alb.agc.dev/dataplane=alb-gw-web" } });
  for (const pod of pods.items) await client.mergePatch(`/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`, { metadata: { annotations: { "alb.agc.dev/ir-revision": revision } } });
  const done = await until("Programmed=True", async () => ((await programmed()).status === "True" ? programmed() : undefined));
  expect(done).toMatchObject({ status: "True", reason: "Programmed" });
  const listener = (await client.get(`${GW}/namespaces/${ns}/gateways/web`)).status.listeners[0];
  expect(condition(listener, "Programmed")).toMatchObject({ status: "True" });
});

test("an Ingress of our class gets its own data plane, and its address in its status", async () => {
  await client.create("/apis/networking.k8s.io/v1/ingressclasses", {
    apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: className }, spec: { controller: "alb.agc.dev/alb-controller" },
  });
  await client.create(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`, {
    apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "shop", namespace: ns },
    spec: { ingressClassName: className, rules: [{ host: "shop.wiring.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "echo", port: { number: 8080 } } } }] } }] },
  });
  const ingress = await until("the Ingress's address", async () => {
    const i = await client.get(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/shop`);
    return i.status?.loadBalancer?.ingress?.length ? i : undefined;
  });
  // Both statuses come from the same pass; they are written side by side.
  const service = await until("the Service's address", async () => {
    const s = await client.get(`/api/v1/namespaces/${ns}/services/alb-ing-shop`);
    return s.status?.loadBalancer?.ingress?.length ? s : undefined;
  });
  expect(ingress.status.loadBalancer.ingress).toEqual([{ ip: service.status.loadBalancer.ingress[0].ip }]);
  const ir = JSON.parse((await present(`/api/v1/namespaces/${ns}/configmaps/alb-ing-shop`)).data["ir.json"]);
  expect(ir.routes.map((r: any) => r.hostnames)).toEqual([["shop.wiring.test"]]);
});

test("a TrafficController's data plane: one Service per Frontend, whose address the Frontend's status carries", async () => {
  const CRS = `/apis/alb.agc.dev/v1alpha1/namespaces/${ns}`;
  await client.create(`${CRS}/trafficcontrollers`, { apiVersion: "alb.agc.dev/v1alpha1", kind: "TrafficController", metadata: { name: "tc" }, spec: { location: "westeurope" } });
  await client.create(`${CRS}/frontends`, { apiVersion: "alb.agc.dev/v1alpha1", kind: "Frontend", metadata: { name: "fe" }, spec: { trafficControllerRef: { name: "tc" } } });
  const frontend = await until("the Frontend's addresses", async () => {
    const f = await client.get(`${CRS}/frontends/fe`);
    return f.status?.addresses?.length ? f : undefined;
  });
  const service = await until("the Frontend's Service address", async () => {
    const s = await client.get(`/api/v1/namespaces/${ns}/services/alb-fe-fe`);
    return s.status?.loadBalancer?.ingress?.length ? s : undefined;
  });
  expect(frontend.status.addresses).toEqual([service.status.loadBalancer.ingress[0].ip]);
  expect(frontend.status.provisioningState).toBe("Succeeded");
  expect(service.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Frontend", name: "fe" })]);
  expect(service.spec.selector).toEqual({ "alb.agc.dev/dataplane": "alb-tc-tc" });
  // A Frontend nobody uses yet still answers on port 80.
  expect(service.spec.ports.map((p: any) => [p.port, p.targetPort])).toEqual([[80, 10080]]);
  const deployment = await present(`/apis/apps/v1/namespaces/${ns}/deployments/alb-tc-tc`);
  expect(deployment.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "TrafficController", name: "tc" })]);
});

test("a restarted controller keeps each Service's address and never hands one out twice", async () => {
  const addressOf = async (name: string) => (await client.find(`/api/v1/namespaces/${ns}/services/${name}`))?.status?.loadBalancer?.ingress?.[0]?.ip as string | undefined;
  const before = await until("web's address", () => addressOf("alb-gw-web"));
  controller!.stop();
  await startController();
  await client.create(`${GW}/namespaces/${ns}/gateways`, gateway("second"));
  const second = await until("second's address", () => addressOf("alb-gw-second"));
  expect(await addressOf("alb-gw-web")).toBe(before);
  expect(second).not.toBe(before);
  expect(second).toMatch(POOL_ADDRESS);
});

test("a pass that changes nothing writes nothing", async () => {
  await sleep(1_500); // the second Gateway's writes settle
  const before = (await client.get(cmPath)).metadata.resourceVersion;
  const gwBefore = (await client.get(`${GW}/namespaces/${ns}/gateways/web`)).metadata.resourceVersion;
  // A change translation ignores (a label on an unrelated ConfigMap is not watched; a Namespace label is).
  const passes = controller!.reconciles;
  await client.mergePatch(`/api/v1/namespaces/${ns}`, { metadata: { labels: { touched: "yes" } } });
  await sleep(2_000);
  expect(controller!.reconciles).toBeGreaterThan(passes); // a pass ran, and wrote nothing:
  expect((await client.get(cmPath)).metadata.resourceVersion).toBe(before);
  expect((await client.get(`${GW}/namespaces/${ns}/gateways/web`)).metadata.resourceVersion).toBe(gwBefore);
});

test("deleting the Gateway removes its data plane", async () => {
  await client.remove(`${GW}/namespaces/${ns}/gateways/web`);
  const paths = [
    cmPath,
    `/apis/apps/v1/namespaces/${ns}/deployments/alb-gw-web`,
    `/api/v1/namespaces/${ns}/services/alb-gw-web`,
    `/api/v1/namespaces/${ns}/serviceaccounts/alb-gw-web`,
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/alb-gw-web`,
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/alb-gw-web`,
  ];
  for (const p of paths) await until(`${p} gone`, async () => (await client.find(p)) === undefined);
  // The other Gateway's data plane stays.
  expect(await client.find(`/api/v1/namespaces/${ns}/configmaps/alb-gw-second`)).toBeDefined();
  // The route's only parent is gone: our entry leaves its status.
  await until("the route's parent entry removed", async () => ((await client.get(`${GW}/namespaces/${ns}/httproutes/echo`)).status?.parents?.length === 0 ? true : undefined));
});

test("a Gateway moved to a class of another controller loses its data plane", async () => {
  await client.mergePatch(`${GW}/namespaces/${ns}/gateways/second`, { spec: { gatewayClassName: "someone-elses" } });
  // No owner was deleted: the controller removes what no data plane wants any more.
  for (const p of [`/api/v1/namespaces/${ns}/configmaps/alb-gw-second`, `/apis/apps/v1/namespaces/${ns}/deployments/alb-gw-second`, `/api/v1/namespaces/${ns}/services/alb-gw-second`]) {
    await until(`${p} gone`, async () => (await client.find(p)) === undefined);
  }
});
