// What the controller may do in the API, as data: exactly the verbs and resources it uses.
// A ClusterRole with these rules, bound to the controller's ServiceAccount, is all it needs.
import { GROUP } from "../model/kinds";

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const READ = ["get", "list", "watch"];
/** What it creates and keeps in line (server-side apply creates with PATCH, hence both). */
const MANAGE = [...READ, "create", "patch", "delete"];

export const CONTROLLER_RULES: PolicyRule[] = [
  // Our CRs and policies: read, status written; bootstrap installs the CRDs.
  { apiGroups: [GROUP], resources: ["trafficcontrollers", "frontends", "associations", "subnetdelegations", "healthcheckpolicies", "routepolicies"], verbs: READ },
  { apiGroups: [GROUP], resources: ["trafficcontrollers/status", "frontends/status", "associations/status", "subnetdelegations/status", "healthcheckpolicies/status", "routepolicies/status"], verbs: ["patch"] },
  // ... and reads the GatewayClass CRD's bundle-version (which Gateway API release is installed).
  { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: [...READ, "create", "patch"] },
  // Gateway API and Ingress: read, status written.
  { apiGroups: ["gateway.networking.k8s.io"], resources: ["gatewayclasses", "gateways", "httproutes", "referencegrants"], verbs: READ },
  { apiGroups: ["gateway.networking.k8s.io"], resources: ["gatewayclasses/status", "gateways/status", "httproutes/status"], verbs: ["patch"] },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingressclasses"], verbs: READ },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses/status"], verbs: ["patch"] },
  // What translation reads.
  { apiGroups: [""], resources: ["secrets", "namespaces"], verbs: READ },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
  // The data planes: ConfigMap, ServiceAccount, Roles, Deployment, frontend Services and their addresses.
  { apiGroups: [""], resources: ["configmaps", "serviceaccounts", "services"], verbs: MANAGE },
  { apiGroups: [""], resources: ["services/status"], verbs: ["patch"] },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: MANAGE },
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: MANAGE },
  // Pods: the data planes' readiness and revision. `patch` is not used by the controller itself: a
  // Role may only grant what its creator holds, and the agent's Role lets it annotate its pod.
  { apiGroups: [""], resources: ["pods"], verbs: [...READ, "patch"] },
  // Warnings with no condition to carry them.
  { apiGroups: [""], resources: ["events"], verbs: ["create"] },
  // Leader election (--leader-elect); the Lease's namespace is created if missing.
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
  { apiGroups: [""], resources: ["namespaces"], verbs: ["create"] },
];

/** The ClusterRole holding those rules. */
export function controllerClusterRole(name: string): Record<string, unknown> {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules: CONTROLLER_RULES };
}
