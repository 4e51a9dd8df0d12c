// The install's RBAC against the code: least privilege per pod. A rule must name a resource
// the pod's code names and a verb its calls make (test/unit/controller/api-usage.ts reads both
// from the sources); no wildcard; every resource the controller's code names is granted.
import { BOOTSTRAP_DEPLOYMENT, CONTROLLER_DEPLOYMENT, installObjects } from "../../../controller/install";
import { PolicyRule } from "../../../controller/rbac";
import { dataplaneObjects } from "../../../controller/dataplane-objects";
import { packageRoot } from "../../../cli/paths";
import { ApiUsage, apiUsage, restResource } from "./api-usage";
import { webDataplane } from "./fixture-dataplane";

jest.setTimeout(60_000);

type Obj = Record<string, any>;

const objects = installObjects();

/** The rules of every Role and ClusterRole bound to a ServiceAccount of the install. */
function rulesOf(serviceAccount: string): PolicyRule[] {
  const bound = objects.filter((b) => /RoleBinding$/.test(b.kind) && b.subjects.some((s: Obj) => s.kind === "ServiceAccount" && s.name === serviceAccount));
  return bound.flatMap((b) => objects.find((r) => r.kind === b.roleRef.kind && r.metadata.name === b.roleRef.name)!.rules);
}

const grants = (rules: PolicyRule[]) =>
  rules.flatMap((r) => r.apiGroups.flatMap((group) => r.resources.flatMap((resource) => r.verbs.map((verb) => ({ group, resource, verb })))));

/**
 * Each grant no code of the pod uses, with the reason. `delegated` are grants the pod passes on
 * in Roles it creates: Kubernetes lets a Role grant only what its creator holds.
 */
function unusedGrants(rules: PolicyRule[], usage: ApiUsage, delegated: Set<string> = new Set()): string[] {
  return grants(rules).flatMap(({ group, resource, verb }) => {
    const [base, subresource] = resource.split("/");
    const grant = `${group}/${resource} ${verb}`;
    if (!usage.named.has(`${group}/${base}`)) return [`${grant}: the code names no resource ${group}/${base}`];
    const key = `${group}/${resource}:${verb}`;
    const used = usage.calls.has(key) || usage.runtimeVerbs.has(subresource ? `${subresource}:${verb}` : verb) || delegated.has(key);
    return used ? [] : [`${grant}: no call of the code makes it`];
  });
}

/** What the data planes' Roles grant (the controller creates them). */
const delegatedByDataplanes = new Set(
  dataplaneObjects(webDataplane, "r1", { image: "i", replicas: 1, managedBy: "m" }, { dataplane: { apiVersion: "v1", kind: "Gateway", name: "web", uid: "u" }, services: {} })
    .filter((o) => o.kind === "Role")
    .flatMap((role) => grants(role.rules).map((g) => `${g.group}/${g.resource}:${g.verb}`)),
);

let controller: ApiUsage;
let bootstrap: ApiUsage;
beforeAll(() => {
  // The installed controller runs with --no-install-crds (test/unit/controller/install.test.ts):
  // the CRD writes of controller/bootstrap.ts are the bootstrap pod's, scanned from its own entry.
  controller = apiUsage(packageRoot, ["cli/commands/controller.ts"], ["controller/bootstrap.ts", "cli/commands/controller-bootstrap.ts"]);
  bootstrap = apiUsage(packageRoot, ["cli/commands/controller-bootstrap.ts"]);
});

test("no Role or ClusterRole of the install holds a wildcard", () => {
  const roles = objects.filter((o) => o.kind === "Role" || o.kind === "ClusterRole");
  expect(roles.map((r) => r.metadata.name).sort()).toEqual(["alb-controller", "alb-controller-bootstrap", "alb-controller-leader-election"]);
  const wildcards = roles.flatMap((r) =>
    r.rules.flatMap((rule: Obj) => ["apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"].filter((field) => (rule[field] ?? []).some((v: string) => v.includes("*"))).map((field) => `${r.metadata.name}: ${field}`)),
  );
  expect(wildcards).toEqual([]);
});

test("the controller's rules grant nothing its code does not use", () => {
  expect(unusedGrants(rulesOf(CONTROLLER_DEPLOYMENT), controller, delegatedByDataplanes)).toEqual([]);
});

test("the bootstrap's rules grant nothing its code does not use", () => {
  expect(unusedGrants(rulesOf(BOOTSTRAP_DEPLOYMENT), bootstrap)).toEqual([]);
});

test("every resource the controller's code names is granted to it", () => {
  const granted = new Set(grants(rulesOf(CONTROLLER_DEPLOYMENT)).map((g) => `${g.group}/${g.resource}`));
  expect([...controller.named].filter((r) => !granted.has(r))).toEqual([]);
});

// The limit of reading sources: a verb that a call makes on a path built at run time (delete
// of a stale managed object) counts for every resource the code names; the tests above pin
// the split per pod literally.
test("a grant the code does not use is found: a resource it never names, a verb it never calls", () => {
  const extra: PolicyRule[] = [
    { apiGroups: [""], resources: ["nodes"], verbs: ["get"] },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["update"] },
    { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"] },
  ];
  expect(unusedGrants(extra, controller)).toEqual([
    "/nodes get: the code names no resource /nodes",
    "apps/deployments update: no call of the code makes it",
    "apps/deployments/scale patch: no call of the code makes it",
    "rbac.authorization.k8s.io/roles escalate: no call of the code makes it",
  ]);
  expect(unusedGrants([{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }], bootstrap)).toEqual(["/secrets list: the code names no resource /secrets"]);
});

test("the scan reads the controller's calls: the lease's verbs, informers, status writes, events", () => {
  expect([...controller.calls].filter((c) => c.startsWith("coordination.k8s.io/") || c.startsWith("/events")).sort()).toEqual([
    "/events:create",
    "coordination.k8s.io/leases:create",
    "coordination.k8s.io/leases:get",
    "coordination.k8s.io/leases:update",
  ]);
  expect([...controller.runtimeVerbs].sort()).toEqual(["create", "delete", "get", "list", "patch", "status:patch", "watch"]);
  expect(controller.named).toContain("alb.agc.dev/routepolicies");
  expect(controller.named).toContain("gateway.networking.k8s.io/referencegrants");
  // The rules themselves are not code that uses them.
  expect(controller.files).not.toContain("controller/rbac.ts");
  expect(controller.files).not.toContain("controller/install.ts");
  expect(controller.files).not.toContain("controller/bootstrap.ts");
});

test("the scan reads the bootstrap's calls: CRDs read and applied, nothing built at run time", () => {
  expect([...bootstrap.calls].filter((c) => c.startsWith("apiextensions")).sort()).toEqual([
    "apiextensions.k8s.io/customresourcedefinitions:create",
    "apiextensions.k8s.io/customresourcedefinitions:get",
    "apiextensions.k8s.io/customresourcedefinitions:patch",
  ]);
  expect([...bootstrap.runtimeVerbs]).toEqual([]);
});

test("least privilege per pod: only the bootstrap writes CRDs; Lease rights hold in the namespace only", () => {
  const onCrds = (rules: PolicyRule[]) => rules.filter((r) => r.resources.includes("customresourcedefinitions"));
  expect(onCrds(rulesOf(CONTROLLER_DEPLOYMENT))).toEqual([
    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], resourceNames: ["gatewayclasses.gateway.networking.k8s.io"], verbs: ["list", "watch"] },
  ]);
  expect(rulesOf(BOOTSTRAP_DEPLOYMENT)).toEqual([{ apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "create", "patch"] }]);
  const clusterRole = objects.find((o) => o.kind === "ClusterRole" && o.metadata.name === CONTROLLER_DEPLOYMENT)!;
  expect(clusterRole.rules.some((r: PolicyRule) => r.resources.includes("leases"))).toBe(false);
  const role = objects.find((o) => o.kind === "Role")!;
  expect(role.metadata).toEqual({ name: "alb-controller-leader-election", namespace: "agc-system", labels: { "app.kubernetes.io/name": "alb-controller", "app.kubernetes.io/part-of": "pulumi-agc" } });
  expect(role.rules).toEqual([
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["alb-controller"], verbs: ["get", "update"] },
  ]);
});

describe("the controller's rules allow what it does, and no more", () => {
  const allowed = (group: string, resource: string, verb: string) =>
    rulesOf(CONTROLLER_DEPLOYMENT).some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
  it.each([
    ["gateway.networking.k8s.io", "gateways", "watch"],
    ["gateway.networking.k8s.io", "referencegrants", "list"],
    ["gateway.networking.k8s.io", "httproutes/status", "patch"],
    ["networking.k8s.io", "ingresses/status", "patch"],
    ["discovery.k8s.io", "endpointslices", "watch"],
    ["", "secrets", "list"],
    ["", "services", "create"],
    ["", "services/status", "patch"],
    ["apps", "deployments", "delete"],
    ["rbac.authorization.k8s.io", "roles", "patch"],
    ["", "pods", "watch"],
    ["", "events", "create"],
    ["coordination.k8s.io", "leases", "update"],
    ["alb.agc.dev", "frontends/status", "patch"],
  ])("allow %s %s %s", (group, resource, verb) => {
    expect(allowed(group, resource, verb)).toBe(true);
  });

  it.each([
    ["", "secrets", "patch"],
    ["", "secrets", "create"],
    ["gateway.networking.k8s.io", "gateways", "patch"],
    ["", "nodes", "get"],
    ["apps", "daemonsets", "create"],
    ["", "namespaces", "create"],
    ["apiextensions.k8s.io", "customresourcedefinitions", "patch"],
  ])("do not allow %s %s %s", (group, resource, verb) => {
    expect(allowed(group, resource, verb)).toBe(false);
  });
});

test.each([
  ["/api/v1/namespaces/demo/events", { group: "", resource: "events", subresource: undefined, named: false }],
  ["/api/v1/namespaces/demo", { group: "", resource: "namespaces", subresource: undefined, named: true }],
  ["/apis/coordination.k8s.io/v1/namespaces/agc-system/leases/alb-controller", { group: "coordination.k8s.io", resource: "leases", subresource: undefined, named: true }],
  ["/apis/gateway.networking.k8s.io/v1/namespaces/demo/httproutes/web/status", { group: "gateway.networking.k8s.io", resource: "httproutes", subresource: "status", named: true }],
  ["/apis/apiextensions.k8s.io/v1/customresourcedefinitions?fieldSelector=metadata.name%3Dx", { group: "apiextensions.k8s.io", resource: "customresourcedefinitions", subresource: undefined, named: false }],
])("the REST path %s addresses %j", (requestPath, expected) => {
  expect(restResource(requestPath)).toEqual(expected);
});
