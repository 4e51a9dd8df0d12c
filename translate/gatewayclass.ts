// GatewayClass: which classes are ours, and their status.
import { KubeObject, StatusUpdate } from "./types";
import { GATEWAY_API_VERSION, byKey, generationOf, live } from "./objects";
import { condition } from "./conditions";

/**
 * Exactly the features the data plane implements (and the suite may test): core Gateway,
 * HTTPRoute and ReferenceGrant, and the HTTPRoute extended features the IR carries.
 * Not listed: ports other than 80 and 443 (AGC012), mirroring, CORS, session persistence by
 * Gateway API fields, destination port matching, parentRef ports on shared listeners.
 */
export const SUPPORTED_FEATURES = [
  "Gateway",
  "HTTPRoute",
  "HTTPRoute303RedirectStatusCode",
  "HTTPRoute307RedirectStatusCode",
  "HTTPRoute308RedirectStatusCode",
  "HTTPRouteBackendProtocolH2C",
  "HTTPRouteBackendProtocolWebSocket",
  "HTTPRouteBackendTimeout",
  "HTTPRouteHostRewrite",
  "HTTPRouteMethodMatching",
  "HTTPRoutePathRedirect",
  "HTTPRoutePathRewrite",
  "HTTPRoutePortRedirect",
  "HTTPRouteQueryParamMatching",
  "HTTPRouteRequestTimeout",
  "HTTPRouteResponseHeaderModification",
  "HTTPRouteSchemeRedirect",
  "ReferenceGrant",
] as const;

export function ourGatewayClasses(classes: readonly KubeObject[], controllerName: string): KubeObject[] {
  return live(classes).filter((c) => c.spec?.controllerName === controllerName).sort(byKey);
}

export function gatewayClassStatus(gatewayClass: KubeObject): StatusUpdate {
  const generation = generationOf(gatewayClass);
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: "GatewayClass",
    name: gatewayClass.metadata.name,
    status: {
      conditions: [condition("Accepted", true, "Accepted", "the class is handled by this controller", generation)],
      supportedFeatures: SUPPORTED_FEATURES.map((name) => ({ name })),
    },
  };
}
