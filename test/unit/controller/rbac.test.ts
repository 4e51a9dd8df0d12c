import { CONTROLLER_RULES } from "../../../controller/rbac";

const allowed = (group: string, resource: string, verb: string) =>
  CONTROLLER_RULES.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

describe("the controller's RBAC rules", () => {
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
  ])("do not allow %s %s %s", (group, resource, verb) => {
    expect(allowed(group, resource, verb)).toBe(false);
  });
});
