// What the install description puts in a cluster, as a user reads it in `kubectl get` or in
// the manifests `agc render install` prints.
import { installDependencies, installObjects, objectId } from "../../../controller/install";

type Obj = Record<string, any>;

const find = (objects: Obj[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
const container = (deployment: Obj) => deployment.spec.template.spec.containers[0];

describe("installObjects with the defaults", () => {
  const objects = installObjects();
  const controller = find(objects, "Deployment", "alb-controller");
  const bootstrap = find(objects, "Deployment", "alb-controller-bootstrap");

  test("lists the namespace, a ServiceAccount and RBAC per pod, both Deployments and the two classes, in the order they apply", () => {
    expect(objects.map(objectId)).toEqual([
      "Namespace/agc-system",
      "ServiceAccount/agc-system/alb-controller-bootstrap",
      "ClusterRole/alb-controller-bootstrap",
      "ClusterRoleBinding/alb-controller-bootstrap",
      "ServiceAccount/agc-system/alb-controller",
      "ClusterRole/alb-controller",
      "ClusterRoleBinding/alb-controller",
      "Role/agc-system/alb-controller-leader-election",
      "RoleBinding/agc-system/alb-controller-leader-election",
      "Deployment/agc-system/alb-controller-bootstrap",
      "Deployment/agc-system/alb-controller",
      "GatewayClass/agc",
      "IngressClass/agc",
    ]);
  });

  test("the controller: 2 leader-elected replicas that leave the CRDs to the bootstrap", () => {
    expect(controller.spec.replicas).toBe(2);
    expect(controller.spec.template.spec.serviceAccountName).toBe("alb-controller");
    expect(container(controller).image).toBe("agc.local/alb-controller:dev");
    expect(container(controller).args).toEqual([
      "--leader-elect", "--lease-namespace", "agc-system",
      "--no-install-crds",
      "--address-pool", "10.245.0.0/24",
      "--dataplane-image", "agc.local/alb-dataplane:dev",
      "--health-port", "8081", "--health-address", "$(POD_IP)", "--log-level", "info",
    ]);
  });

  test("the bootstrap: 1 replica installing the CRDs the image carries", () => {
    expect(bootstrap.spec.replicas).toBe(1);
    expect(bootstrap.spec.template.spec.serviceAccountName).toBe("alb-controller-bootstrap");
    expect(container(bootstrap).image).toBe("agc.local/alb-controller:dev");
    expect(container(bootstrap).args).toEqual([
      "bootstrap", "--gateway-api-crds", "/app/gateway-api-crds/standard",
      "--health-port", "8081", "--health-address", "$(POD_IP)", "--log-level", "info",
    ]);
  });

  test.each(["alb-controller", "alb-controller-bootstrap"])("%s: probes on the health port, the pod's identity from the downward API", (name) => {
    const c = container(find(objects, "Deployment", name));
    expect(c.ports).toEqual([{ name: "health", containerPort: 8081, protocol: "TCP" }]);
    expect(c.readinessProbe).toEqual({ httpGet: { path: "/readyz", port: "health" }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 });
    expect(c.livenessProbe).toEqual({ httpGet: { path: "/healthz", port: "health" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
    expect(c.env).toEqual([
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    ]);
    expect(c.imagePullPolicy).toBe("IfNotPresent");
  });

  test("resources: requests and a memory limit, no CPU limit", () => {
    expect(container(controller).resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } });
    expect(container(bootstrap).resources).toEqual({ requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } });
  });

  // The images declare no user and run as root by default; nothing in them needs root (the
  // files are world-readable, nothing is written), so the pods run as an unprivileged user.
  test.each(["alb-controller", "alb-controller-bootstrap"])("%s runs as a non-root user, no privilege, a read-only root file system", (name) => {
    const deployment = find(objects, "Deployment", name);
    expect(deployment.spec.template.spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
    expect(container(deployment).securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });

  test("no object carries the label the controller finds its data planes' objects by (it would remove them as stale)", () => {
    expect(objects.filter((o) => o.metadata.labels?.["app.kubernetes.io/managed-by"] !== undefined).map(objectId)).toEqual([]);
    expect(controller.spec.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": "alb-controller", "app.kubernetes.io/part-of": "pulumi-agc" } });
  });

  test("GatewayClass and IngressClass agc name the controller translate answers for", () => {
    expect(find(objects, "GatewayClass", "agc").spec.controllerName).toBe("alb.agc.dev/alb-controller");
    expect(find(objects, "IngressClass", "agc").spec).toEqual({ controller: "alb.agc.dev/alb-controller" });
  });

  test("no node selector or tolerations unless asked for", () => {
    expect(controller.spec.template.spec.nodeSelector).toBeUndefined();
    expect(controller.spec.template.spec.tolerations).toBeUndefined();
  });
});

describe("installObjects with options", () => {
  const objects = installObjects({
    namespace: "gateways",
    replicas: 3,
    controllerImage: "registry.example/alb-controller:1.2.3",
    dataplaneImage: "registry.example/alb-dataplane:1.2.3",
    logLevel: "debug",
    addressPool: "192.0.2.0/26",
    nodeSelector: { "kubernetes.io/os": "linux" },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "gateways", effect: "NoSchedule" }],
    resources: { requests: { cpu: "250m", memory: "256Mi" } },
    imagePullPolicy: "Always",
  });
  const controller = find(objects, "Deployment", "alb-controller");
  const bootstrap = find(objects, "Deployment", "alb-controller-bootstrap");

  test("the namespace holds the pods, their ServiceAccounts, the lease Role, and the bindings name it", () => {
    expect(objects.filter((o) => o.metadata.namespace).map(objectId)).toEqual([
      "ServiceAccount/gateways/alb-controller-bootstrap",
      "ServiceAccount/gateways/alb-controller",
      "Role/gateways/alb-controller-leader-election",
      "RoleBinding/gateways/alb-controller-leader-election",
      "Deployment/gateways/alb-controller-bootstrap",
      "Deployment/gateways/alb-controller",
    ]);
    expect(find(objects, "ClusterRoleBinding", "alb-controller").subjects).toEqual([{ kind: "ServiceAccount", name: "alb-controller", namespace: "gateways" }]);
    expect(find(objects, "Namespace", "gateways")).toBeDefined();
    expect(container(controller).args.slice(0, 3)).toEqual(["--leader-elect", "--lease-namespace", "gateways"]);
  });

  test("replicas, images, pool, log level and pull policy reach the pods", () => {
    expect(controller.spec.replicas).toBe(3);
    expect(bootstrap.spec.replicas).toBe(1);
    expect(container(controller).image).toBe("registry.example/alb-controller:1.2.3");
    expect(container(bootstrap).image).toBe("registry.example/alb-controller:1.2.3");
    expect(container(controller).args).toEqual(expect.arrayContaining(["--address-pool", "192.0.2.0/26", "--dataplane-image", "registry.example/alb-dataplane:1.2.3"]));
    expect(container(controller).args.slice(-2)).toEqual(["--log-level", "debug"]);
    expect(container(bootstrap).args.slice(-2)).toEqual(["--log-level", "debug"]);
    expect(container(controller).imagePullPolicy).toBe("Always");
    expect(container(controller).resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" } });
  });

  test.each(["alb-controller", "alb-controller-bootstrap"])("%s gets the node selector and tolerations as given", (name) => {
    const spec = find(objects, "Deployment", name).spec.template.spec;
    expect(spec.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    expect(spec.tolerations).toEqual([{ key: "dedicated", operator: "Equal", value: "gateways", effect: "NoSchedule" }]);
  });

  test("createNamespace: false leaves the Namespace to whoever manages it", () => {
    expect(installObjects({ createNamespace: false }).some((o) => o.kind === "Namespace")).toBe(false);
  });
});

test.each([
  [{ namespace: "Gateways" }, "namespace 'Gateways' is not a valid namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"],
  [{ replicas: 0 }, "replicas must be a whole number, 1 or more; got 0"],
  [{ replicas: 1.5 }, "replicas must be a whole number, 1 or more; got 1.5"],
  [{ logLevel: "trace" as any }, "logLevel must be one of error, warn, info, debug; got 'trace'"],
  [{ imagePullPolicy: "Sometimes" as any }, "imagePullPolicy must be one of Always, IfNotPresent, Never; got 'Sometimes'"],
  [{ controllerImage: " " }, "controllerImage must name an image; got ' '"],
  [{ addressPool: "10.245.0.7/24" }, "addressPool: 10.245.0.7/24 is not a valid IPv4 prefix"],
])("refuses %j, naming the option and what would be valid", (options, message) => {
  expect(() => installObjects(options)).toThrow(message);
});

test("dependencies: namespaced objects wait for the Namespace; Deployments for their RBAC; the controller and the classes for the bootstrap", () => {
  const deps = installDependencies(installObjects());
  expect(deps.get("ServiceAccount/agc-system/alb-controller")).toEqual(["Namespace/agc-system"]);
  expect(deps.get("ClusterRole/alb-controller")).toEqual([]);
  expect(deps.get("Deployment/agc-system/alb-controller-bootstrap")).toEqual([
    "Namespace/agc-system",
    "ServiceAccount/agc-system/alb-controller-bootstrap",
    "ClusterRole/alb-controller-bootstrap",
    "ClusterRoleBinding/alb-controller-bootstrap",
  ]);
  expect(deps.get("Deployment/agc-system/alb-controller")).toEqual([
    "Namespace/agc-system",
    "ServiceAccount/agc-system/alb-controller",
    "ClusterRole/alb-controller",
    "ClusterRoleBinding/alb-controller",
    "Role/agc-system/alb-controller-leader-election",
    "RoleBinding/agc-system/alb-controller-leader-election",
    "Deployment/agc-system/alb-controller-bootstrap",
  ]);
  expect(deps.get("GatewayClass/agc")).toEqual(["Deployment/agc-system/alb-controller-bootstrap"]);
  expect(deps.get("IngressClass/agc")).toEqual(["Deployment/agc-system/alb-controller-bootstrap"]);
});

test("without the Namespace object, nothing waits for it", () => {
  const deps = installDependencies(installObjects({ createNamespace: false }));
  expect(deps.get("ServiceAccount/agc-system/alb-controller")).toEqual([]);
});
