// The security settings of every pod the project runs (controller, data plane): nothing in the
// images needs root, a capability, or a writable root filesystem.

/** The user and group the pods run as: the images declare none. */
const POD_USER = 65532;
/** A fixed non-root user, the runtime's default seccomp profile. */
export const POD_SECURITY_CONTEXT = { runAsNonRoot: true, runAsUser: POD_USER, runAsGroup: POD_USER, seccompProfile: { type: "RuntimeDefault" } };
/** No privilege, no capability, nothing written outside the container's volumes. */
export const CONTAINER_SECURITY_CONTEXT = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
