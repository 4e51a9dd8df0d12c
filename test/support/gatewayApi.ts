// The Gateway API for tests: its CRDs (standard channel, the toolchain's copy, installed by the
// controller's own bootstrap as `agc controller` installs them), a Gateway of a class of our
// controller, and the address a Gateway is programmed on.
import { toolchainGatewayApiCrds } from "../../cli/paths";
import { installGatewayApiCrds as install } from "../../controller/bootstrap";
import { KubeClient, resourcePath } from "../../kube/client";
import { CONTROLLER_NAME } from "../../translate/types";

const GATEWAY_API = "gateway.networking.k8s.io/v1";

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

/** GatewayClass `className` of our controller, and Gateway `namespace/name` of that class with one HTTP listener on port 80. */
export function httpGatewayOfClass(namespace: string, name: string, className: string): Record<string, unknown>[] {
  return [
    { apiVersion: GATEWAY_API, kind: "GatewayClass", metadata: { name: className }, spec: { controllerName: CONTROLLER_NAME } },
    { apiVersion: GATEWAY_API, kind: "Gateway", metadata: { name, namespace }, spec: { gatewayClassName: className, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] } },
  ];
}

/** The Gateway's first address once it is Programmed; undefined before. */
export async function programmedAddress(client: KubeClient, namespace: string, name: string): Promise<string | undefined> {
  const gw = await client.get(resourcePath(GATEWAY_API, "gateways", namespace, name));
  const programmed = ((gw.status?.conditions ?? []) as Record<string, any>[]).find((c) => c.type === "Programmed");
  return programmed?.status === "True" ? gw.status?.addresses?.[0]?.value : undefined;
}
