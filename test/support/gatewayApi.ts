// The Gateway API CRDs (standard channel) for tests: the toolchain's copy, installed by the
// controller's own bootstrap, as `agc controller` installs them.
import { toolchainGatewayApiCrds } from "../../cli/paths";
import { installGatewayApiCrds as install } from "../../controller/bootstrap";
import { KubeClient } from "../../kube/client";

/** The toolchain's standard-channel CRD directory; fails when the toolchain has none. */
export function gatewayApiCrdsDir(): string {
  const dir = toolchainGatewayApiCrds();
  if (!dir) throw new Error("the toolchain has no Gateway API CRDs; run `agc toolchain`");
  return dir;
}

/** Applies the standard channel's CRDs and waits until they are served. */
export async function installGatewayApiCrds(client: KubeClient): Promise<void> {
  await install(client, gatewayApiCrdsDir());
}
