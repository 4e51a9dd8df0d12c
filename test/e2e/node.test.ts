// The local cluster's real node: pods run real processes with their own addresses, readiness
// probes gate Services, kube-proxy carries ClusterIP and gateway (LoadBalancer) traffic from
// the host to the pods, and a pod reaches the API server with its service account token.
import * as http from "http";
import { KubeClient } from "../../kube/client";
import { CONTROLLER_IMAGE, DATAPLANE_IMAGE } from "../../cli/images/specs";
import { eventually } from "../dataplane/harness";
import { describePod, testClient } from "../support/localCluster";

jest.setTimeout(180_000);

const ns = `node-${Date.now().toString(36)}`;
const ECHO_IMAGE = "registry.k8s.io/gateway-api/echo-basic:v1.5.1";
/** An address of the gateway pool, set by hand as a LoadBalancer Service's ingress IP. */
const GATEWAY_IP = "10.245.0.200";
let kube: KubeClient;

const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

/** GET over a new connection each time, so kube-proxy picks a backend per request. */
function getJson(host: string, port: number): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: "/whoami", agent: false, timeout: 3000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${host}:${port} answered ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error(`${host}:${port}: no answer in 3 s`)));
    req.on("error", reject);
  });
}

async function podsAnswering(host: string, port: number, attempts: number): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < attempts && seen.size < 2; i++) seen.add((await getJson(host, port)).pod);
  return [...seen].sort();
}

beforeAll(async () => {
  kube = testClient();
  await kube.ensureNamespace(ns);
  const labels = { app: "echo" };
  await kube.create(`/apis/apps/v1/namespaces/${ns}/deployments`, {
    metadata: { name: "echo" },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{
            name: "echo", image: ECHO_IMAGE, imagePullPolicy: "Never",
            env: [fieldEnv("POD_NAME", "metadata.name"), fieldEnv("NAMESPACE", "metadata.namespace")],
            readinessProbe: { httpGet: { path: "/health", port: 3000 }, periodSeconds: 1 },
          }],
        },
      },
    },
  });
  await kube.create(`/api/v1/namespaces/${ns}/services`, { metadata: { name: "echo" }, spec: { selector: labels, ports: [{ port: 8080, targetPort: 3000 }] } });
  await kube.create(`/api/v1/namespaces/${ns}/services`, { metadata: { name: "echo-gateway" }, spec: { type: "LoadBalancer", selector: labels, ports: [{ port: 80, targetPort: 3000 }] } });
});

afterAll(async () => {
  await kube.remove(`/api/v1/namespaces/${ns}`);
  kube.close();
});

test("a Deployment of the echo image becomes Ready because its processes answer their probes", async () => {
  const dep = await eventually("deployment echo has 2 ready replicas", async () => {
    const d = await kube.get(`/apis/apps/v1/namespaces/${ns}/deployments/echo`);
    return d.status?.readyReplicas === 2 ? d : undefined;
  }, 120_000, 250);
  expect(dep.status.availableReplicas).toBe(2);
  const pods = (await kube.get(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3Decho`)).items;
  const ips = pods.map((p: any) => p.status.podIP as string);
  // Each pod has its own address on the node's pod range.
  for (const ip of ips) expect(ip).toMatch(/^10\.244\.0\.\d+$/);
  expect(new Set(ips).size).toBe(2);
  const node = await kube.get("/api/v1/nodes/agc-node-1");
  expect(node.status.nodeInfo.kubeletVersion).toBe("v1.33.13");
  expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.6\./);
});

test("the ClusterIP Service reaches each pod, which answers with its own name", async () => {
  const svc = await kube.get(`/api/v1/namespaces/${ns}/services/echo`);
  expect(svc.spec.clusterIP).toMatch(/^10\.96\./);
  const names = (await kube.get(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3Decho`)).items.map((p: any) => p.metadata.name).sort();
  const answered = await eventually("both pods answering through the ClusterIP", async () => {
    const seen = await podsAnswering(svc.spec.clusterIP, 8080, 40);
    return seen.length === 2 ? seen : undefined;
  }, 60_000, 250);
  expect(answered).toEqual(names);
});

test("a gateway address set as a LoadBalancer Service's ingress IP carries host traffic to the pods", async () => {
  const svcPath = `/api/v1/namespaces/${ns}/services/echo-gateway`;
  await kube.mergePatch(svcPath, { status: { loadBalancer: { ingress: [{ ip: GATEWAY_IP }] } } }, "status");
  expect((await kube.get(svcPath)).status.loadBalancer.ingress).toEqual([{ ip: GATEWAY_IP, ipMode: "VIP" }]);
  const names = (await kube.get(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3Decho`)).items.map((p: any) => p.metadata.name).sort();
  const answered = await eventually(`both pods answering at ${GATEWAY_IP}:80`, async () => {
    const seen = await podsAnswering(GATEWAY_IP, 80, 40);
    return seen.length === 2 ? seen : undefined;
  }, 60_000, 250);
  expect(answered).toEqual(names);
});

test("a pod reads itself from the API server with its service account token, through the kubernetes Service", async () => {
  await kube.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
    metadata: { name: "read-pods" },
    rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
  });
  await kube.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    metadata: { name: "read-pods" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-pods" },
    subjects: [{ kind: "ServiceAccount", name: "default", namespace: ns }],
  });
  // Our own client, in-cluster mode (no kubeconfig in the image): token, CA and KUBERNETES_SERVICE_HOST.
  const script = [
    'const { KubeClient } = require("/app/dist/kube/client");',
    "const kube = KubeClient.fromKubeconfig();",
    "kube.get(`/api/v1/namespaces/${process.env.POD_NAMESPACE}/pods/${process.env.POD_NAME}`)",
    '  .then((p) => require("fs").writeFileSync("/dev/termination-log", JSON.stringify({ server: kube.creds.server, uid: p.metadata.uid })))',
    "  .then(() => kube.close(), (e) => { console.error(e.message); process.exit(1); });",
  ].join("\n");
  const pod = await kube.create(`/api/v1/namespaces/${ns}/pods`, {
    metadata: { name: "whoami" },
    spec: {
      restartPolicy: "Never",
      containers: [{
        name: "client", image: CONTROLLER_IMAGE, imagePullPolicy: "Never", command: ["node", "-e", script],
        env: [fieldEnv("POD_NAME", "metadata.name"), fieldEnv("POD_NAMESPACE", "metadata.namespace")],
      }],
    },
  });
  const done = await eventually("pod whoami ends", async () => {
    const p = await kube.get(`/api/v1/namespaces/${ns}/pods/whoami`);
    return ["Succeeded", "Failed"].includes(p.status.phase) ? p : undefined;
  }, 90_000, 250).catch(async (e) => {
    throw new Error(`${e.message}: ${await describePod(kube, ns, "whoami")}`);
  });
  const terminated = done.status.containerStatuses[0].state.terminated;
  expect({ phase: done.status.phase, exitCode: terminated.exitCode }).toEqual({ phase: "Succeeded", exitCode: 0 });
  expect(JSON.parse(terminated.message)).toEqual({ server: "https://10.96.0.1:443", uid: pod.metadata.uid });
});

test("the data plane image runs the agent and HAProxy from the host's package", async () => {
  await kube.create(`/api/v1/namespaces/${ns}/pods`, {
    metadata: { name: "dataplane-image" },
    spec: {
      restartPolicy: "Never",
      containers: [
        { name: "agent", image: DATAPLANE_IMAGE, imagePullPolicy: "Never", args: ["--help"] },
        { name: "haproxy", image: DATAPLANE_IMAGE, imagePullPolicy: "Never", command: ["/usr/sbin/haproxy", "-v"] },
      ],
    },
  });
  const done = await eventually("pod dataplane-image ends", async () => {
    const p = await kube.get(`/api/v1/namespaces/${ns}/pods/dataplane-image`);
    return ["Succeeded", "Failed"].includes(p.status.phase) ? p : undefined;
  }, 90_000, 250);
  expect(done.status.phase).toBe("Succeeded");
  // Logs come from the kubelet, through the API server.
  const log = (c: string) => kube.request<string>(`/api/v1/namespaces/${ns}/pods/dataplane-image/log?container=${c}`);
  expect(await log("agent")).toContain("usage: agc dataplane");
  expect(await log("haproxy")).toMatch(/^HAProxy version 2\.6\./);
});
