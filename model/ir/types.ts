/**
 * The data plane's input: one document per gateway, independent of Kubernetes.
 *
 * The controller translates Gateway API / Ingress objects, Services and EndpointSlices into
 * this shape; the data plane agent turns it into an HAProxy configuration. Every optional
 * field documents its default. Durations are integers in milliseconds so tests can shorten
 * them freely.
 */

export const IR_API_VERSION = "ir.agc.dev/v1";

/** The key of the ConfigMap that carries a data plane's IR (`agc dataplane --configmap NS/NAME`). */
export const IR_CONFIGMAP_KEY = "ir.json";

/** The pod annotation a data plane agent writes with the IR `revision` it serves. */
export const IR_REVISION_ANNOTATION = "alb.agc.dev/ir-revision";

/** One gateway's complete data plane configuration. */
export interface GatewayIr {
  /** Always `"ir.agc.dev/v1"`. Documents with another version are refused. */
  apiVersion: typeof IR_API_VERSION;
  /**
   * An opaque revision the controller sets (a hash of the document). The agent reports the
   * revision it serves; the configuration carries it in a comment. Default: none.
   * Printable ASCII without spaces, at most 128 characters.
   */
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
  /**
   * Waiting for a backend's response (an inactivity timer). Default 60000. 0 = none. A route's
   * `requestTimeoutMs` or `backendRequestTimeoutMs` replaces it for that route.
   */
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
  /** Serve TLS. Default: cleartext. */
  tls?: FrontendTls;
  /**
   * Host names this frontend answers for (exact `a.example.com` or wildcard `*.example.com`,
   * which matches one or more extra labels). Default: any. A route's host names are narrowed
   * to these.
   */
  hostnames?: string[];
}

/**
 * TLS on a frontend: several certificates, chosen by the SNI the client sends (each matches the
 * names in its own subjectAltName / CN); the first is the default when no name matches or the
 * client sends none.
 */
export interface FrontendTls {
  /** At least one. */
  certificates: TlsCertificate[];
}

/**
 * A certificate with its private key. Never inline: either a `kubernetes.io/tls` Secret the
 * agent reads (and materialises as files), or files on the agent's disk (`agc dataplane --ir FILE`).
 */
export type TlsCertificate = SecretCertificate | FileCertificate;

export interface SecretCertificate {
  /** A `kubernetes.io/tls` Secret (keys `tls.crt` and `tls.key`). */
  secret: SecretRef;
}

export interface SecretRef {
  namespace: string;
  name: string;
}

/** A Secret as `namespace/name`: how the controller lists a data plane's Secrets and the agent keys them. */
export const secretRefKey = (ref: SecretRef): string => `${ref.namespace}/${ref.name}`;

export interface FileCertificate {
  /** Path of a PEM certificate chain. */
  certificateFile: string;
  /** Path of the PEM private key. */
  keyFile: string;
}

/** One routing rule: what it matches, then where and how the request goes. */
export interface Route {
  /** Unique name, `[a-z0-9][a-z0-9-_.]*` (e.g. `default.httproute.web.0.0`). */
  name: string;
  /** Frontends this route is attached to. Default: all. */
  frontends?: string[];
  /**
   * Host names (exact, or `*.` wildcard; lower case). Default: any host. A wildcard
   * `*.example.com` matches any number (one or more) of extra labels (`a.example.com`,
   * `a.b.example.com`), as Gateway API says, unless `wildcardSingleLabel`.
   */
  hostnames?: string[];
  /** Wildcard host names match exactly one extra label (Ingress semantics). Default false. */
  wildcardSingleLabel?: boolean;
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
   * No backend (or all weights 0) answers 500, unless the route redirects. The share of an
   * `invalid` backend is answered 500 with its reason.
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
  /**
   * Total request timeout (Gateway API `timeouts.request`), milliseconds; 0 = none. Default: the
   * gateway's `timeouts.requestMs`. A request whose response has not started within it is
   * answered 504. HAProxy 2.6 has no per-request total timer, so it is enforced on the backend
   * side (with `backendRequestTimeoutMs`, the smaller wins): from the request being sent, the
   * backend must start answering within it, and never pause longer than it while answering
   * (then the response is cut). A response that keeps streaming without such pauses may last
   * longer than it.
   */
  requestTimeoutMs?: number;
  /**
   * Time for a backend to answer (Gateway API `timeouts.backendRequest`), milliseconds;
   * 0 = none. Default: none beyond `requestTimeoutMs`. When both are set and not 0, it must not
   * exceed `requestTimeoutMs`.
   */
  backendRequestTimeoutMs?: number;
}

export interface PathMatch {
  /**
   * `Exact`: the whole path. `PathPrefix`: by path segment (`/foo` matches `/foo` and
   * `/foo/bar`, not `/foobar`). `RegularExpression`: see {@link RegexSyntax}.
   * Requests are matched on their normalized path (see {@link normalizePath}).
   */
  type: "Exact" | "PathPrefix" | "RegularExpression";
  /**
   * Exact and PathPrefix: a normalized path (`normalizePath(value) === value`) of RFC 3986
   * path characters. RegularExpression: matched against the normalized path.
   */
  value: string;
}

/**
 * Regular expressions (path, header and query matches) are PCRE2, as HAProxy compiles them. To
 * be sure a document that validates also loads, only a subset common to PCRE2 and JavaScript is
 * accepted: literals; `.`; `^` `$`; groups `( )`, `(?: )`, lookaheads `(?= )` `(?! )`; `|`;
 * quantifiers `* + ? {n} {n,} {n,m}` and their lazy forms; character classes `[...]` `[^...]`
 * (not empty, no `[` inside); escapes `\d \D \w \W \s \S \b \B \n \r \t \f` and `\`
 * before any punctuation. Refused: back references, named groups, lookbehinds, `\x \u \c \p \v`
 * and other letter escapes, inline flags, POSIX classes, a bare `{`, a class range that starts
 * or ends with `\d`, `\w` or `\s`, characters outside printable ASCII.
 */
export type RegexSyntax = string;

/**
 * Header names: RFC 9110 tokens (letters, digits and `!#$%&*+-.^_\`|~`) except `'`, which
 * HAProxy's sample expressions cannot carry.
 */
export type HeaderName = string;

export interface HeaderMatch {
  /** Header name, case-insensitive. See {@link HeaderName}. */
  name: string;
  /** Default `Exact`. */
  type?: "Exact" | "RegularExpression";
  value: string;
}

export interface QueryMatch {
  /** Query parameter name, case-sensitive: RFC 3986 unreserved characters (`A-Za-z0-9-._~`) and `[]`. */
  name: string;
  /** Default `Exact`. */
  type?: "Exact" | "RegularExpression";
  value: string;
}

/** One share of a route's traffic: exactly one of `cluster` and `invalid`. */
export interface WeightedBackend {
  /** Name of a cluster in `clusters`. */
  cluster?: string;
  /**
   * Why this backend cannot be used (e.g. `Service default/missing not found`), printable,
   * at most 256 characters. Its share of requests is answered 500 with this reason in the body.
   */
  invalid?: string;
  /** Integer 0..1000000. Default 1. 0 sends no traffic. */
  weight?: number;
}

export const MAX_BACKEND_WEIGHT = 1_000_000;

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
  /**
   * What the endpoints speak (from the Service port's appProtocol). Default `"http1"`.
   * `"h2c"`: HTTP/2 cleartext with prior knowledge (`kubernetes.io/h2c`), health checks included.
   * `"websocket"` (`kubernetes.io/ws`): HTTP/1.1 with upgrades expected; upgrades work on
   * `http1` too, this documents the intent.
   */
  protocol?: ClusterProtocol;
}

export const CLUSTER_PROTOCOLS = ["http1", "h2c", "websocket"] as const;
export type ClusterProtocol = (typeof CLUSTER_PROTOCOLS)[number];

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
