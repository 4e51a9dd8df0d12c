// GatewayClass: which classes are ours, and their status.
import { BUNDLE_VERSION_ANNOTATION } from "../model/kinds";
import { KubeObject, StatusUpdate } from "./types";
import { GATEWAY_API_VERSION, byKey, generationOf, live } from "./objects";
import { StatusCondition, condition } from "./conditions";

/**
 * Exactly the features the data plane implements (and the suite may test): core Gateway,
 * HTTPRoute and ReferenceGrant, and the HTTPRoute extended features the IR carries.
 * DestinationPortMatching: a parentRef's port picks the listeners on that port (80 or 443).
 * NamedRouteRule: rule names are accepted (they name rules in messages, nothing more).
 * Not listed: ports other than 80 and 443 (AGC012, so neither GatewayPort8080 nor the
 * ParentRefPort tests, which listen on 8080 and 8090), mirroring, CORS, retries, filters on
 * backends, session persistence by Gateway API fields.
 * GatewayHTTPListenerIsolation: see gateway/isolation.ts.
 */
const SUPPORTED_FEATURES = [
  "Gateway",
  "GatewayHTTPListenerIsolation",
  "HTTPRoute",
  "HTTPRoute303RedirectStatusCode",
  "HTTPRoute307RedirectStatusCode",
  "HTTPRoute308RedirectStatusCode",
  "HTTPRouteBackendProtocolH2C",
  "HTTPRouteBackendProtocolWebSocket",
  "HTTPRouteBackendTimeout",
  "HTTPRouteDestinationPortMatching",
  "HTTPRouteHostRewrite",
  "HTTPRouteMethodMatching",
  "HTTPRouteNamedRouteRule",
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

/** The Gateway API releases this translation implements (the CRDs' bundle version, by minor). */
const SUPPORTED_GATEWAY_API_MINORS = ["v1.6"];

function supportedVersion(bundleVersion: string | null, generation: number): StatusCondition {
  if (bundleVersion === null) {
    return condition("SupportedVersion", false, "UnsupportedVersion", `the GatewayClass CRD has no ${BUNDLE_VERSION_ANNOTATION} annotation`, generation);
  }
  const minor = /^(v\d+\.\d+)\.\d+/.exec(bundleVersion)?.[1];
  const supported = minor !== undefined && SUPPORTED_GATEWAY_API_MINORS.includes(minor);
  return supported
    ? condition("SupportedVersion", true, "SupportedVersion", `Gateway API ${bundleVersion} is supported`, generation)
    : condition("SupportedVersion", false, "UnsupportedVersion", `Gateway API ${bundleVersion} is not supported; install the CRDs of ${SUPPORTED_GATEWAY_API_MINORS.map((m) => `${m}.x`).join(" or ")}`, generation);
}

export function gatewayClassStatus(gatewayClass: KubeObject, bundleVersion?: string | null): StatusUpdate {
  const generation = generationOf(gatewayClass);
  const conditions = [condition("Accepted", true, "Accepted", "the class is handled by this controller", generation)];
  if (bundleVersion !== undefined) conditions.push(supportedVersion(bundleVersion, generation));
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: "GatewayClass",
    name: gatewayClass.metadata.name,
    status: {
      conditions,
      supportedFeatures: SUPPORTED_FEATURES.map((name) => ({ name })),
    },
  };
}
