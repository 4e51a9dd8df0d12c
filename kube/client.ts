// A small Kubernetes API client: kubeconfig or in-cluster credentials, JSON requests,
// server-side apply and watches. It is what the provider, the controller and the agc command
// share; it needs nothing but Node's https and the yaml package.
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { Duplex } from "stream";
import * as tls from "tls";
import { URL } from "url";
import * as YAML from "yaml";
import { backoffDelay, RetryBackoff } from "./backoff";

export interface ExecConfig {
  apiVersion: string;
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
}

export interface Credentials {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Read again at most every minute and after a 401: projected tokens rotate. */
  tokenFile?: string;
  /** A credential plugin, run for a token or client certificate when one is needed. */
  exec?: ExecConfig;
  /** The name the server's certificate is checked against, when not the URL's host. */
  tlsServerName?: string;
  /** An http:// proxy the https connection is tunnelled through (CONNECT). */
  proxyUrl?: string;
  insecureSkipTlsVerify?: boolean;
  namespace?: string;
}

/** An API error with the server's status and message (a Status object's `message`). */
export class KubeError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
    readonly extra: { retryAfterSeconds?: number; details?: Record<string, any> } = {},
  ) {
    super(message);
    this.name = "KubeError";
  }

  get retryAfterSeconds(): number | undefined {
    return this.extra.retryAfterSeconds;
  }

  /** The Status object's details (e.g. the causes of a field manager conflict). */
  get details(): Record<string, any> | undefined {
    return this.extra.details;
  }
}

export const isNotFound = (e: unknown) => e instanceof KubeError && e.statusCode === 404;
export const isConflict = (e: unknown) => e instanceof KubeError && e.statusCode === 409;

type Obj = Record<string, any>;

const IN_CLUSTER_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const EXEC_API_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];
const TOKEN_FILE_MAX_AGE_MS = 60_000;

/** The API server's URL inside a pod; an IPv6 service host needs brackets. */
export function inClusterServer(host: string, port: string | undefined): string {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `https://${bracketed}:${port || 443}`;
}

/** The URL of a request: the server's own path (a prefix behind a proxy) comes first. */
export function requestUrl(server: string, p: string, query: RequestOptions["query"]): URL {
  const url = new URL(server);
  // A query written into the path (`pods?labelSelector=...`) stays a query, not part of the path.
  const [pathPart, inlineQuery] = p.split(/\?(.*)/s, 2);
  url.pathname = url.pathname.replace(/\/+$/, "") + pathPart;
  if (inlineQuery) url.search = inlineQuery;
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

const API_BACKOFF: RetryBackoff = { initialMs: 800, maxMs: 30_000 };

/** Exponential backoff with jitter: 0.8 s doubling per failure, at most 30 s. */
export function backoffMs(failures: number, random: number = Math.random()): number {
  return Math.round(Math.min(API_BACKOFF.maxMs, backoffDelay(failures, API_BACKOFF) * (1 + 0.2 * random)));
}

/** How long to wait before trying again: what a 429's Retry-After asks, else the backoff. */
export function retryDelayMs(error: unknown, failures: number, random: number = Math.random()): number {
  if (error instanceof KubeError && error.retryAfterSeconds !== undefined) return error.retryAfterSeconds * 1000;
  return backoffMs(failures, random);
}

/** Reads one kubeconfig file; an empty file is an empty config. */
function readKubeconfig(file: string): KubeconfigFile {
  return { doc: (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as Obj, file };
}

/** ~/.kube/config; undefined for a user with no home (in a pod: a user the image does not list, and no HOME). */
function homeKubeconfig(): string | undefined {
  try {
    return path.join(os.homedir(), ".kube", "config");
  } catch {
    return undefined;
  }
}

/**
 * Resolves credentials the way kubectl does: an explicit kubeconfig (its contents or a path),
 * then $KUBECONFIG (a list of files, merged), then ~/.kube/config, then the pod's service account.
 */
export function loadCredentials(kubeconfig?: string, context?: string): Credentials {
  if (kubeconfig) {
    const looksLikeContents = kubeconfig.includes("\n") || kubeconfig.trimStart().startsWith("{");
    return looksLikeContents ? fromKubeconfig(kubeconfig, context) : fromKubeconfigFiles([readKubeconfig(kubeconfig)], context);
  }
  const envFiles = (process.env.KUBECONFIG ?? "").split(path.delimiter).filter((p) => p && fs.existsSync(p));
  if (envFiles.length) return fromKubeconfigFiles(envFiles.map(readKubeconfig), context);
  const home = homeKubeconfig();
  if (home && fs.existsSync(home)) return fromKubeconfigFiles([readKubeconfig(home)], context);
  if (process.env.KUBERNETES_SERVICE_HOST && fs.existsSync(`${IN_CLUSTER_DIR}/token`)) {
    return {
      server: inClusterServer(process.env.KUBERNETES_SERVICE_HOST, process.env.KUBERNETES_SERVICE_PORT),
      ca: fs.readFileSync(`${IN_CLUSTER_DIR}/ca.crt`),
      tokenFile: `${IN_CLUSTER_DIR}/token`,
      namespace: fs.readFileSync(`${IN_CLUSTER_DIR}/namespace`, "utf8").trim(),
    };
  }
  throw new Error("no Kubernetes credentials: set KUBECONFIG, pass a kubeconfig, or run inside a cluster");
}

/** Reads one context of a kubeconfig document. */
export function fromKubeconfig(text: string, contextName?: string, file?: string): Credentials {
  return fromKubeconfigFiles([{ doc: (YAML.parse(text) ?? {}) as Obj, file }], contextName);
}

interface KubeconfigFile {
  doc: Obj;
  file?: string;
}

/** A named entry with the directory its relative paths are resolved against. */
interface Entry {
  value: Obj;
  dir: string;
}

/** Merges kubeconfig files as kubectl does: the first file to name an entry wins; so does the first current-context. */
function mergeEntries(files: KubeconfigFile[], list: "clusters" | "users" | "contexts", field: string): Map<string, Entry> {
  const merged = new Map<string, Entry>();
  for (const { doc, file } of files) {
    const dir = file ? path.dirname(file) : process.cwd();
    for (const item of (doc[list] ?? []) as Obj[]) if (item?.name && !merged.has(item.name)) merged.set(item.name, { value: item[field] ?? {}, dir });
  }
  return merged;
}

/** Reads one context of a list of kubeconfig files, merged. */
export function fromKubeconfigFiles(files: KubeconfigFile[], contextName?: string): Credentials {
  const named = files.map((f) => f.file).filter(Boolean);
  const where = named.length ? ` in ${named.join(path.delimiter)}` : "";
  const ctxName = contextName ?? files.map((f) => f.doc["current-context"]).find(Boolean);
  if (!ctxName) throw new Error(`kubeconfig${where}: no context given and no current-context set; name one of its contexts`);
  const ctx = mergeEntries(files, "contexts", "context").get(ctxName)?.value;
  if (!ctx) throw new Error(`kubeconfig${where}: context '${ctxName}' not found`);
  const clusterEntry = mergeEntries(files, "clusters", "cluster").get(ctx.cluster);
  const cluster = clusterEntry?.value;
  if (!cluster?.server) throw new Error(`kubeconfig${where}: cluster '${ctx.cluster}' has no server`);
  const proxyUrl = cluster["proxy-url"];
  if (proxyUrl && !(/^http:\/\//.test(proxyUrl) && /^https:\/\//.test(cluster.server))) {
    throw new Error(
      `kubeconfig${where}: cluster '${ctx.cluster}' sets proxy-url '${proxyUrl}', which this client does not support: ` +
        "only an http:// proxy (CONNECT) in front of an https:// server; reach the API server directly or through such a proxy",
    );
  }
  const userEntry = mergeEntries(files, "users", "user").get(ctx.user) ?? { value: {}, dir: process.cwd() };
  const user = userEntry.value;
  const data = (dir: string, inline?: string, ref?: string) =>
    inline ? Buffer.from(inline, "base64") : ref ? fs.readFileSync(path.resolve(dir, ref)) : undefined;
  const clusterData = (inline?: string, ref?: string) => data(clusterEntry!.dir, inline, ref);
  const userData = (inline?: string, ref?: string) => data(userEntry.dir, inline, ref);
  return {
    server: cluster.server,
    ca: clusterData(cluster["certificate-authority-data"], cluster["certificate-authority"]),
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    tlsServerName: cluster["tls-server-name"],
    proxyUrl,
    cert: userData(user["client-certificate-data"], user["client-certificate"]),
    key: userData(user["client-key-data"], user["client-key"]),
    token: user.token,
    tokenFile: user.tokenFile ? path.resolve(userEntry.dir, user.tokenFile) : undefined,
    exec: user.exec ? execConfig(user.exec, `kubeconfig${where}: user '${ctx.user}'`, userEntry.dir) : undefined,
    namespace: ctx.namespace,
  };
}

/** Checks an exec plugin's settings; a command given as a relative path is relative to its kubeconfig. */
function execConfig(exec: Obj, who: string, dir: string): ExecConfig {
  if (!EXEC_API_VERSIONS.includes(exec.apiVersion)) {
    throw new Error(`${who}: exec apiVersion '${exec.apiVersion}' is not supported; use ${EXEC_API_VERSIONS.join(" or ")}`);
  }
  if (exec.interactiveMode === "Always") {
    throw new Error(`${who}: exec interactiveMode 'Always' needs a terminal, which this client never has; use Never or IfAvailable`);
  }
  if (typeof exec.command !== "string" || !exec.command) throw new Error(`${who}: exec has no command`);
  const command = exec.command.includes("/") ? path.resolve(dir, exec.command) : exec.command;
  return { apiVersion: exec.apiVersion, command, args: (exec.args ?? []).map(String), env: exec.env ?? [] };
}

export interface ExecResult {
  token?: string;
  cert?: string;
  key?: string;
  /** Epoch ms; undefined: valid until the server refuses it. */
  expiresAt?: number;
}

/** Reads an exec plugin's ExecCredential output. */
export function parseExecCredential(stdout: string, apiVersion: string, command: string): ExecResult {
  let doc: Obj;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new Error(`exec plugin '${command}' printed no ExecCredential JSON: ${stdout.trim().slice(0, 200)}`);
  }
  if (doc?.apiVersion !== apiVersion) throw new Error(`exec plugin '${command}' answered apiVersion '${doc?.apiVersion}', expected '${apiVersion}'`);
  const status = doc.status ?? {};
  const expiresAt = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : undefined;
  if (status.token) return { token: status.token, expiresAt };
  if (status.clientCertificateData && status.clientKeyData) return { cert: status.clientCertificateData, key: status.clientKeyData, expiresAt };
  throw new Error(`exec plugin '${command}' gave neither status.token nor both status.clientCertificateData and status.clientKeyData`);
}

/** Runs an exec plugin as client-go does: its args and env, the request in KUBERNETES_EXEC_INFO, no terminal. */
function runExecPlugin(exec: ExecConfig): Promise<ExecResult> {
  const info = { apiVersion: exec.apiVersion, kind: "ExecCredential", spec: { interactive: false } };
  const env = { ...process.env, ...Object.fromEntries(exec.env.map((e) => [e.name, e.value])), KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  return new Promise((resolve, reject) => {
    execFile(exec.command, exec.args, { env, timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`exec plugin '${exec.command}' failed: ${err.message.trim()}${stderr ? `; ${String(stderr).trim()}` : ""}`));
      try {
        resolve(parseExecCredential(String(stdout), exec.apiVersion, exec.command));
      } catch (e) {
        reject(e);
      }
    });
  });
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: Obj;
}

/** Retry-After in seconds: a number of seconds or an HTTP date. */
function retryAfterSeconds(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The KubeError for a response that is not 2xx, from its Status body. */
function errorFrom(res: http.IncomingMessage, text: string, what: string): KubeError {
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: the text is the message */
  }
  const code = res.statusCode ?? 0;
  const message = typeof body === "object" && body?.message ? body.message : text || res.statusMessage || "";
  const retryAfter = retryAfterSeconds(res.headers["retry-after"] as string | undefined);
  return new KubeError(code, body?.reason ?? "", `${what}: ${code} ${message}`, { retryAfterSeconds: retryAfter, details: body?.details });
}

/** An https agent whose connections are tunnelled through an HTTP proxy with CONNECT. */
class TunnellingAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  // Node's agent accepts a socket handed to the callback later (see Agent#createSocket).
  override createConnection(requestOptions: http.ClientRequestArgs, callback?: (e: Error | null, socket: Duplex) => void): undefined {
    const options = requestOptions as tls.ConnectionOptions & { host: string; port: number };
    const done = callback as (e: Error | null, socket?: Duplex) => void;
    const target = `${options.host}:${options.port}`;
    const headers: Record<string, string> = { Host: target };
    if (this.proxy.username) headers["Proxy-Authorization"] = `Basic ${Buffer.from(`${decodeURIComponent(this.proxy.username)}:${decodeURIComponent(this.proxy.password)}`).toString("base64")}`;
    const connect = http.request({ host: this.proxy.hostname, port: this.proxy.port || 80, method: "CONNECT", path: target, headers });
    connect.once("connect", (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        return done(new Error(`proxy ${this.proxy.host} refused CONNECT to ${target}: ${res.statusCode} ${res.statusMessage ?? ""}`.trim()));
      }
      done(null, tls.connect({ ...options, socket }));
    });
    connect.once("error", (e) => done(new Error(`proxy ${this.proxy.host}: ${e.message}`)));
    connect.end();
    return undefined;
  }
}

/** What a request authenticates with: a bearer token and/or the agent holding a client certificate. */
interface Auth {
  token?: string;
  agent: http.Agent;
}

export class KubeClient {
  private readonly agent: http.Agent;
  private readonly https: boolean;
  private tokenFromFile?: { value: string; readAt: number };
  private execCredential?: { result: Promise<ExecResult>; agent?: http.Agent };

  constructor(readonly creds: Credentials) {
    this.https = new URL(creds.server).protocol === "https:";
    this.agent = this.newAgent(creds.cert, creds.key);
  }

  static fromKubeconfig(kubeconfig?: string, context?: string): KubeClient {
    return new KubeClient(loadCredentials(kubeconfig, context));
  }

  private newAgent(cert?: Buffer, key?: Buffer): http.Agent {
    const { ca, insecureSkipTlsVerify, tlsServerName, proxyUrl } = this.creds;
    if (!this.https) return new http.Agent({ keepAlive: true });
    const options = { ca, cert, key, rejectUnauthorized: !insecureSkipTlsVerify, servername: tlsServerName, keepAlive: true };
    return proxyUrl ? new TunnellingAgent(new URL(proxyUrl), options) : new https.Agent(options);
  }

  /** Closes idle connections so a short-lived process can exit. */
  close(): void {
    this.agent.destroy();
    this.execCredential?.agent?.destroy();
  }

  /** The credentials for the next request: a cached exec result, a token file read at most once a minute. */
  private async auth(): Promise<Auth> {
    const { exec, tokenFile, token } = this.creds;
    if (exec) {
      const cached = this.execCredential;
      const result = cached && (await cached.result.catch(() => undefined));
      if (cached && result && (result.expiresAt === undefined || result.expiresAt > Date.now())) {
        return { token: result.token, agent: cached.agent ?? this.agent };
      }
      this.forgetCredentials();
      const fresh: { result: Promise<ExecResult>; agent?: http.Agent } = { result: runExecPlugin(exec) };
      this.execCredential = fresh;
      const r = await fresh.result;
      // Only while still current: a 401 meanwhile forgot it (and would never close its agent).
      if (r.cert && r.key && this.execCredential === fresh) fresh.agent = this.newAgent(Buffer.from(r.cert), Buffer.from(r.key));
      return { token: r.token, agent: fresh.agent ?? this.agent };
    }
    if (tokenFile) {
      if (!this.tokenFromFile || Date.now() - this.tokenFromFile.readAt >= TOKEN_FILE_MAX_AGE_MS) {
        this.tokenFromFile = { value: fs.readFileSync(tokenFile, "utf8").trim(), readAt: Date.now() };
      }
      return { token: this.tokenFromFile.value, agent: this.agent };
    }
    return { token, agent: this.agent };
  }

  /** After a 401: the next request runs the plugin or reads the token file again. Whether anything can change. */
  private forgetCredentials(): boolean {
    this.execCredential?.agent?.destroy();
    this.execCredential = undefined;
    this.tokenFromFile = undefined;
    return Boolean(this.creds.exec || this.creds.tokenFile);
  }

  private open(p: string, opts: RequestOptions, auth: Auth, body?: string): http.ClientRequest {
    const url = requestUrl(this.creds.server, p, opts.query);
    const headers: Record<string, string> = { Accept: "application/json" };
    if (auth.token) headers.Authorization = `Bearer ${auth.token}`;
    if (body !== undefined) {
      headers["Content-Type"] = opts.contentType ?? "application/json";
      // Without a length Node sends a DELETE's body in a way the server leaves on the socket,
      // where it corrupts the next request on that kept-alive connection.
      headers["Content-Length"] = String(Buffer.byteLength(body));
    }
    const mod = url.protocol === "https:" ? https : http;
    return mod.request(url, { method: opts.method ?? "GET", headers, agent: auth.agent });
  }

  /** One request; resolves to the parsed JSON body (or the raw text), rejects with KubeError. A 401 gets fresh credentials once. */
  async request<T = Obj>(p: string, opts: RequestOptions = {}): Promise<T> {
    const body = opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    try {
      return await this.send<T>(p, opts, await this.auth(), body);
    } catch (e) {
      if (!(e instanceof KubeError && e.statusCode === 401 && this.forgetCredentials())) throw e;
      return this.send<T>(p, opts, await this.auth(), body);
    }
  }

  private send<T>(p: string, opts: RequestOptions, auth: Auth, body?: string): Promise<T> {
    const what = `${opts.method ?? "GET"} ${p}`;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const req = this.open(p, opts, auth, body);
      // A deadline for the whole exchange, not just for a silent socket.
      const timer = setTimeout(() => req.destroy(new Error(`${what}: no answer from ${this.creds.server} in ${timeoutMs / 1000} s`)), timeoutMs);
      const fail = (e: Error) => {
        clearTimeout(timer);
        reject(e);
      };
      req.on("error", fail);
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", fail);
        res.on("end", () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString("utf8");
          const code = res.statusCode ?? 0;
          if (code < 200 || code >= 300) return reject(errorFrom(res, text, what));
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch {
            resolve(text as T); // not JSON: the text itself
          }
        });
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  get<T = Obj>(p: string): Promise<T> {
    return this.request<T>(p);
  }

  /** GET that answers undefined for 404. */
  async find<T = Obj>(p: string): Promise<T | undefined> {
    try {
      return await this.request<T>(p);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  create<T = Obj>(collection: string, obj: Obj): Promise<T> {
    return this.request<T>(collection, { method: "POST", body: obj });
  }

  /**
   * Server-side apply of a whole object at its path, owned by `fieldManager`. Without `force`,
   * fields another manager owns make it fail with 409 (the error's details name them).
   */
  apply<T = Obj>(objectPath: string, obj: Obj, fieldManager: string, options: { force?: boolean } = {}): Promise<T> {
    return this.request<T>(objectPath, {
      method: "PATCH",
      body: obj,
      contentType: "application/apply-patch+yaml",
      query: { fieldManager, force: options.force ? true : undefined },
    });
  }

  mergePatch<T = Obj>(objectPath: string, patch: Obj, subresource?: "status"): Promise<T> {
    return this.request<T>(subresource ? `${objectPath}/${subresource}` : objectPath, {
      method: "PATCH",
      body: patch,
      contentType: "application/merge-patch+json",
    });
  }

  /** Creates a namespace unless it exists (or a concurrent caller just created it). */
  async ensureNamespace(name: string): Promise<void> {
    if (await this.find(`/api/v1/namespaces/${encodeURIComponent(name)}`)) return;
    try {
      await this.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }

  /** DELETE that treats "already gone" as done. */
  async remove(objectPath: string, propagationPolicy = "Background"): Promise<void> {
    try {
      await this.request(objectPath, { method: "DELETE", body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * Watches a collection from `resourceVersion`, calling `onEvent` per event, until the server
   * ends the stream or `signal` aborts. Resolves when the stream ends; the caller re-lists or
   * re-watches (see listAndWatch).
   */
  async watch(collection: string, resourceVersion: string, onEvent: (e: WatchEvent) => void, signal?: AbortSignal, extraQuery: Record<string, string> = {}): Promise<void> {
    const auth = await this.auth();
    if (signal?.aborted) return; // stopped while the credentials were read: no request at all
    return new Promise((resolve, reject) => {
      const req = this.open(collection, { query: { watch: 1, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300, ...extraQuery } }, auth);
      // The server ends the stream after timeoutSeconds; a silent connection longer than that is dead.
      req.setTimeout(330_000, () => req.destroy());
      let settled = false;
      // Every way out removes the abort listener: a long-lived signal outlives many watches.
      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", stop);
        if (error && !signal?.aborted) reject(error);
        else resolve();
      };
      const stop = () => {
        req.destroy();
        settle();
      };
      // The error listener first: a request destroyed before it has one crashes the process.
      req.on("error", settle);
      if (signal?.aborted) return stop();
      signal?.addEventListener("abort", stop, { once: true });
      req.on("response", (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => {
            if (res.statusCode === 401) this.forgetCredentials();
            settle(errorFrom(res, text, `watch ${collection}`));
          });
          return;
        }
        let buffered = "";
        // Events are JSON lines; at the end of the stream a last line may lack its newline.
        const deliver = (final: boolean) => {
          const lines = buffered.split("\n");
          buffered = final ? "" : lines.pop()!;
          for (const line of lines.map((l) => l.trim()).filter(Boolean)) {
            if (settled) return;
            try {
              onEvent(JSON.parse(line) as WatchEvent);
            } catch (e) {
              // The handler refused the stream (an ERROR event, say): end it, tell the caller.
              settle(e);
              req.destroy();
            }
          }
        };
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffered += chunk;
          deliver(false);
        });
        res.on("end", () => {
          deliver(true);
          settle();
        });
        res.on("error", settle);
        res.on("close", () => settle()); // a connection cut mid-stream
      });
      req.end();
    });
  }
}

/** The REST path of a collection or an object, e.g. ("apps/v1", "deployments", "ns", "web"). */
export function resourcePath(apiVersion: string, plural: string, namespace?: string, name?: string): string {
  const root = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${root}${ns}/${plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}
