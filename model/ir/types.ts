/**
 * The data plane's input: one document per gateway, independent of Kubernetes.
 *
 * The controller translates Gateway API / Ingress objects, Services and EndpointSlices into
 * this shape; the data plane agent turns it into an HAProxy configuration. Every optional
 * field documents its default. Durations are integers in milliseconds so tests can shorten
 * them freely.
 */

export const IR_API_VERSION = "ir.agc.dev/v1";

/** One gateway's complete data plane configuration. */
export interface GatewayIr {
  /** Always `"ir.agc.dev/v1"`. Documents with another version are refused. */
  apiVersion: typeof IR_API_VERSION;
  /** An opaque revision the controller sets (a hash of the document); the agent reports the revision it serves. */
  revision?: string;
  /** The gateway's name, used in logs and the generated configuration. `[a-z0-9][a-z0-9-_.]*`. */
  gateway: string;
  /** Gateway-wide timeouts. Every field has a default. */
  timeouts?: Timeouts;
  /** Listening ports. At least one. Names and ports are unique. */
  frontends: Frontend[];
  /**
   * Routing rules. A request goes to the matching route of highest Gateway API precedence:
   * exact host before wildcard host (longer suffix first) before any host; then exact path
   * before the longest prefix (a regular expression path ranks with the prefix `/`); between equals, the
   * route with header, query, method or regex matches, then a method match, then more header matches, then more query matches, then the
   * earlier route in this array. No match gives 404.
   */
  routes: Route[];
  /** Backend clusters (a Kubernetes Service port, in practice). Names are unique. */
  clusters: Cluster[];
}

/** Timeouts, all in milliseconds. */
export interface Timeouts {
  /** Waiting for a backend's response (an inactivity timer). Default 60000. 0 = none. Routes may override it. */
  requestMs?: number;
  /** An idle client connection (between HTTP/1.1 requests, or an HTTP/2 connection without streams) is closed. Default 300000. */
  httpIdleMs?: number;
  /** An idle stream (a WebSocket, an HTTP/2 stream, a client that stops sending) is closed. Default 300000. */
  streamIdleMs?: number;
  /** Connecting to a backend endpoint. Default 5000. */
  connectMs?: number;
}

export const DEFAULT_TIMEOUTS: Required<Timeouts> = {
  requestMs: 60_000,
  httpIdleMs: 300_000,
  streamIdleMs: 300_000,
  connectMs: 5_000,
};

/** A listening port. Cleartext ports speak HTTP/1.1 and h2c (prior knowledge); TLS ports speak h2 and HTTP/1.1 by ALPN. */
export interface Frontend {
  /** Unique name, `[a-z0-9][a-z0-9-_.]*`. */
  name: string;
  /** TCP port, 1..65535. Unique across frontends. */
  port: number;
  /** Address to bind. Default `"0.0.0.0"` (all IPv4 addresses). */
  address?: string;
  /** Serve TLS with this certificate. Default: cleartext. */
  tls?: FrontendTls;
  /**
   * Host names this frontend answers for (exact `a.example.com` or wildcard `*.example.com`).
   * Default: any. A route's host names are narrowed to these.
   */
  hostnames?: string[];
}

/** Certificates of a TLS port, chosen by SNI; the first is the default. No private key is ever inline. */
export interface FrontendTls {
  certificates: TlsCertificate[];
}

/** A kubernetes.io/tls Secret the agent reads, or certificate and key files. */
export type TlsCertificate = { secret: { namespace: string; name: string } } | { certificateFile: string; keyFile: string };

/** One routing rule: what it matches, then where and how the request goes. */
export interface Route {
  /** Unique name, `[a-z0-9][a-z0-9-_.]*` (e.g. `default.httproute.web.0.0`). */
  name: string;
  /** Frontends this route is attached to. Default: all. */
  frontends?: string[];
  /** Host names (exact, or `*.` wildcard matching one to three more labels; lower case). Default: any host. */
  hostnames?: string[];
  /** Path match. Default: prefix `/` (everything). */
  path?: PathMatch;
  /** All must match. Default: none. */
  headers?: HeaderMatch[];
  /** All must match. Default: none. */
  queryParams?: QueryMatch[];
  /** HTTP method, upper case (e.g. `GET`). Default: any. */
  method?: string;
  /**
   * Where matched requests go, chosen at random in proportion to weight. Default: none.
   * No backend (or all weights 0) answers 500, unless the route redirects.
   */
  backends?: WeightedBackend[];
  /** Request header changes, applied before forwarding. */
  requestHeaders?: HeaderModifier;
  /** Response header changes, applied before answering the client. */
  responseHeaders?: HeaderModifier;
  /** Rewrites of host and path before forwarding. */
  rewrite?: UrlRewrite;
  /** Answer with a redirect instead of forwarding. */
  redirect?: Redirect;
  /** Total request timeout (Gateway API `timeouts.request`), milliseconds; 0 = none. */
  requestTimeoutMs?: number;
  /** Time for a backend to answer (Gateway API `timeouts.backendRequest`), milliseconds; 0 = none. */
  backendRequestTimeoutMs?: number;
  /** Wildcard host names match exactly one extra label (Ingress semantics). Default false. */
  wildcardSingleLabel?: boolean;
}

export interface PathMatch {
  /**
   * `Exact`: the whole path. `PathPrefix`: by path segment (`/foo` matches `/foo` and
   * `/foo/bar`, not `/foobar`). `RegularExpression`: a PCRE matched against the path.
   */
  type: "Exact" | "PathPrefix" | "RegularExpression";
  /** Starts with `/` for Exact and PathPrefix. */
  value: string;
}

export interface HeaderMatch {
  /** Header name, case-insensitive. */
  name: string;
  /** Default `Exact`. */
  type?: "Exact" | "RegularExpression";
  value: string;
}

export interface QueryMatch {
  /** Query parameter name, case-sensitive. */
  name: string;
  /** Default `Exact`. */
  type?: "Exact" | "RegularExpression";
  value: string;
}

export interface WeightedBackend {
  /** Name of a cluster in `clusters`. Exactly one of `cluster` or `invalid`. */
  cluster?: string;
  /** Integer 0..1000000. Default 1. 0 sends no traffic. */
  weight?: number;
  /** Why this backend cannot be used (e.g. "Service default/missing not found"); its share is answered 500. */
  invalid?: string;
}

export interface HeaderModifier {
  /** Replace (or add) these headers. */
  set?: { name: string; value: string }[];
  /** Add these headers, keeping existing values. */
  add?: { name: string; value: string }[];
  /** Remove these headers. */
  remove?: string[];
}

export interface UrlRewrite {
  /** Replace the Host header. */
  hostname?: string;
  /**
   * `ReplaceFullPath`: the path becomes `value`. `ReplacePrefixMatch`: the matched
   * `PathPrefix` is replaced with `value` (requires a PathPrefix path match).
   */
  path?: { type: "ReplaceFullPath" | "ReplacePrefixMatch"; value: string };
}

export interface Redirect {
  /** `http` or `https`. Default: the request's. */
  scheme?: "http" | "https";
  /** Default: the request's host. */
  hostname?: string;
  /** Default: the scheme's default port (omitted from the location). */
  port?: number;
  /** Replace the path. Default: the request's path. */
  path?: { type: "ReplaceFullPath" | "ReplacePrefixMatch"; value: string };
  /** 301, 302, 303, 307 or 308. Default 302. */
  statusCode?: number;
}

/** A set of interchangeable endpoints. */
export interface Cluster {
  /** Unique name, `[a-z0-9][a-z0-9-_.]*` (e.g. `default.echo.8080`). */
  name: string;
  /** The endpoints. May be empty (then requests get 503: no healthy endpoint). */
  endpoints: Endpoint[];
  /** Active health check. Default: the default probe (see {@link HealthCheck}). */
  healthCheck?: HealthCheck;
  /** Sticky sessions by cookie. Default: none (round robin). */
  sessionAffinity?: SessionAffinity;
  /** Connect to endpoints with TLS (certificate not verified). Default false. */
  tls?: boolean;
  /** Backend protocol, from the Service port's appProtocol. Default "http1". */
  protocol?: "http1" | "h2c" | "websocket";
}

export interface Endpoint {
  /** IPv4 or IPv6 address. */
  address: string;
  /** 1..65535. */
  port: number;
  /** Not ready endpoints receive no traffic. Default true. */
  ready?: boolean;
  /** Integer 1..256. Default 1. */
  weight?: number;
}

/**
 * Mirrors AGC's HealthCheckPolicy. Without it, the default probe: GET `/` with Host
 * `localhost` every 5 s, 30 s timeout, healthy after 1 success, unhealthy after 3 failures,
 * statuses 200-399 healthy.
 */
export interface HealthCheck {
  /** Between probes, ms. Default 5000. */
  intervalMs?: number;
  /** A probe without an answer in this time fails, ms. Default 30000. */
  timeoutMs?: number;
  /** Successes to become healthy. Default 1. */
  healthyThreshold?: number;
  /** Failures to become unhealthy. Default 3. */
  unhealthyThreshold?: number;
  /** Probe this port instead of the endpoint's. Default: the endpoint's. */
  port?: number;
  http?: {
    /** Host header. Default `localhost`. */
    host?: string;
    /** Default `/`. */
    path?: string;
    /** Healthy status codes, inclusive ranges within 100..599. Default 200..399. */
    match?: { statusCodes?: { start: number; end: number }[] };
  };
  /** Probe with TLS. Default false. */
  useTLS?: boolean;
}

export const DEFAULT_HEALTH_CHECK = {
  intervalMs: 5_000,
  timeoutMs: 30_000,
  healthyThreshold: 1,
  unhealthyThreshold: 3,
  host: "localhost",
  path: "/",
  statusCodes: [{ start: 200, end: 399 }],
  useTLS: false,
};

export interface SessionAffinity {
  /** Cookie name. Default `AGCAffinity`. */
  cookieName?: string;
}
