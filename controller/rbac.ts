// What each pod of the install may do in the API, as data: exactly the verbs and resources its
// code uses (test/unit/controller/rbac.test.ts checks the rules against the sources), split
// by pod so that each holds least privilege: the controller reads and manages, the bootstrap
// alone writes CRDs, and the Lease rights hold only in the controller's namespace.
import { GROUP } from "../model/kinds";
import { CONTROLLER_LEASE } from "./leader";
import { GATEWAY_CLASS_CRD_NAME } from "./resources";

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  /** Only these objects (get, update, patch, delete; list and watch with a metadata.name field selector). */
  resourceNames?: string[];
  verbs: string[];
}

/** What informers need. */
const LIST_WATCH = ["list", "watch"];
/** Informers, and the read again before a status write is retried. */
const READ = ["get", ...LIST_WATCH];
/** What it creates and keeps in line (server-side apply creates with PATCH, hence both), found again by label. */
const MANAGE = [...LIST_WATCH, "create", "patch", "delete"];

/** The ClusterRole of the alb-controller pods (which run with --no-install-crds). */
export const CONTROLLER_RULES: PolicyRule[] = [
  // Our CRs and policies: read, status written.
  { apiGroups: [GROUP], resources: ["trafficcontrollers", "frontends", "associations", "subnetdelegations", "healthcheckpolicies", "routepolicies"], verbs: READ },
  { apiGroups: [GROUP], resources: ["trafficcontrollers/status", "frontends/status", "associations/status", "subnetdelegations/status", "healthcheckpolicies/status", "routepolicies/status"], verbs: ["patch"] },
  // The GatewayClass CRD's bundle-version annotation: which Gateway API release is installed.
  { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], resourceNames: [GATEWAY_CLASS_CRD_NAME], verbs: LIST_WATCH },
  // Gateway API and Ingress: read, status written.
  { apiGroups: ["gateway.networking.k8s.io"], resources: ["gatewayclasses", "gateways", "httproutes"], verbs: READ },
  { apiGroups: ["gateway.networking.k8s.io"], resources: ["referencegrants"], verbs: LIST_WATCH },
  { apiGroups: ["gateway.networking.k8s.io"], resources: ["gatewayclasses/status", "gateways/status", "httproutes/status"], verbs: ["patch"] },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: READ },
  { apiGroups: ["networking.k8s.io"], resources: ["ingressclasses"], verbs: LIST_WATCH },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses/status"], verbs: ["patch"] },
  // What translation reads. `get` on Secrets is not used by the controller itself: a Role may
  // only grant what its creator holds, and the agent's Role lets it read its certificates.
  { apiGroups: [""], resources: ["secrets", "namespaces"], verbs: READ },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: LIST_WATCH },
  // The data planes: ConfigMap, ServiceAccount, Roles, Deployment, frontend Services and their
  // addresses. `get` on ConfigMaps: for the agent's Role again; on Services: status writes.
  { apiGroups: [""], resources: ["configmaps", "services"], verbs: [...MANAGE, "get"] },
  { apiGroups: [""], resources: ["serviceaccounts"], verbs: MANAGE },
  { apiGroups: [""], resources: ["services/status"], verbs: ["patch"] },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: MANAGE },
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: MANAGE },
  // Pods: the data planes' readiness and revision. `get` and `patch` only for the agent's Role,
  // which lets it annotate its pod.
  { apiGroups: [""], resources: ["pods"], verbs: [...LIST_WATCH, "get", "patch"] },
  // Warnings with no condition to carry them.
  { apiGroups: [""], resources: ["events"], verbs: ["create"] },
];

/**
 * The Role of the alb-controller pods in their own namespace: leader election (--leader-elect).
 * A create cannot name its object; reading and renewing can.
 */
export const LEADER_ELECTION_RULES: PolicyRule[] = [
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [CONTROLLER_LEASE], verbs: ["get", "update"] },
];

/** The ClusterRole of the alb-controller-bootstrap pod: installing and upgrading CRDs, nothing else. */
export const BOOTSTRAP_RULES: PolicyRule[] = [
  { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "create", "patch"] },
];

/** The ClusterRole holding the controller's rules. */
export function controllerClusterRole(name: string): Record<string, unknown> {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules: CONTROLLER_RULES };
}
