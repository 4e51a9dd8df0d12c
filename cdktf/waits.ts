// What `terraform apply` waits for after applying an object, as the Pulumi resources wait:
// a Deployment until it has rolled out, a custom resource of ours until the controller says
// `Succeeded`.
import { ManifestConfig } from "@cdktf/provider-kubernetes/lib/manifest";

type Wait = Pick<ManifestConfig, "wait" | "timeouts">;

/** How long a Deployment may take to roll out. */
const ROLLOUT_TIMEOUT = "10m";
/** How long the controller may take, as with the Pulumi resources. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/** A Deployment waits until rolled out; any other object is done once applied. */
export function rolloutWait(object: { kind?: unknown }): Wait {
  return object.kind === "Deployment" ? { wait: { rollout: true }, timeouts: { create: ROLLOUT_TIMEOUT, update: ROLLOUT_TIMEOUT } } : {};
}

/** A custom resource of ours waits until its `provisioningState` is `Succeeded`. */
export function succeededWait(timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): Wait {
  const timeout = `${timeoutSeconds}s`;
  return { wait: { fields: { "status.provisioningState": "Succeeded" } }, timeouts: { create: timeout, update: timeout } };
}
