// A small Kubernetes API client: kubeconfig or in-cluster credentials, JSON requests,
// server-side apply and watches. It is what the provider, the controller and the agc command
// share; it needs nothing but Node's https and the yaml package.
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { URL } from "url";
import * as YAML from "yaml";

export interface Credentials {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  namespace?: string;
}

/** An API error with the server's status and message (a Status object's `message`). */
export class KubeError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "KubeError";
  }
}

export const isNotFound = (e: unknown) => e instanceof KubeError && e.statusCode === 404;
export const isConflict = (e: unknown) => e instanceof KubeError && e.statusCode === 409;

type Obj = Record<string, any>;

const IN_CLUSTER_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * Resolves credentials the way kubectl does: an explicit kubeconfig (its contents or a path),
 * then $KUBECONFIG, then ~/.kube/config, then the pod's service account.
 */
export function loadCredentials(kubeconfig?: string, context?: string): Credentials {
  if (kubeconfig) {
    const looksLikeContents = kubeconfig.includes("\n") || kubeconfig.trimStart().startsWith("{");
    return fromKubeconfig(looksLikeContents ? kubeconfig : fs.readFileSync(kubeconfig, "utf8"), context, looksLikeContents ? undefined : kubeconfig);
  }
  const envPath = process.env.KUBECONFIG?.split(path.delimiter).find((p) => p && fs.existsSync(p));
  if (envPath) return fromKubeconfig(fs.readFileSync(envPath, "utf8"), context, envPath);
  const home = path.join(os.homedir(), ".kube", "config");
  if (fs.existsSync(home)) return fromKubeconfig(fs.readFileSync(home, "utf8"), context, home);
  if (process.env.KUBERNETES_SERVICE_HOST && fs.existsSync(`${IN_CLUSTER_DIR}/token`)) {
    return {
      server: `https://${process.env.KUBERNETES_SERVICE_HOST}:${process.env.KUBERNETES_SERVICE_PORT ?? 443}`,
      ca: fs.readFileSync(`${IN_CLUSTER_DIR}/ca.crt`),
      token: fs.readFileSync(`${IN_CLUSTER_DIR}/token`, "utf8").trim(),
      namespace: fs.readFileSync(`${IN_CLUSTER_DIR}/namespace`, "utf8").trim(),
    };
  }
  throw new Error("no Kubernetes credentials: set KUBECONFIG, pass a kubeconfig, or run inside a cluster");
}

/** Reads one context of a kubeconfig document. */
export function fromKubeconfig(text: string, contextName?: string, file?: string): Credentials {
  const doc = YAML.parse(text) as Obj;
  const where = file ? ` in ${file}` : "";
  const ctxName = contextName ?? doc["current-context"];
  if (!ctxName) throw new Error(`kubeconfig${where}: no context given and no current-context set; name one of its contexts`);
  const ctx = (doc.contexts ?? []).find((c: Obj) => c.name === ctxName)?.context;
  if (!ctx) throw new Error(`kubeconfig${where}: context '${ctxName}' not found`);
  const cluster = (doc.clusters ?? []).find((c: Obj) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`kubeconfig${where}: cluster '${ctx.cluster}' has no server`);
  const user = (doc.users ?? []).find((u: Obj) => u.name === ctx.user)?.user ?? {};
  const base = file ? path.dirname(file) : process.cwd();
  const data = (inline?: string, ref?: string) =>
    inline ? Buffer.from(inline, "base64") : ref ? fs.readFileSync(path.resolve(base, ref)) : undefined;
  if (user.exec) throw new Error(`kubeconfig${where}: user '${ctx.user}' uses an exec plugin, which is not supported yet; use a token or client certificate`);
  return {
    server: cluster.server,
    ca: data(cluster["certificate-authority-data"], cluster["certificate-authority"]),
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    cert: data(user["client-certificate-data"], user["client-certificate"]),
    key: data(user["client-key-data"], user["client-key"]),
    token: user.token ?? (user.tokenFile ? fs.readFileSync(path.resolve(base, user.tokenFile), "utf8").trim() : undefined),
    namespace: ctx.namespace,
  };
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

export class KubeClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(readonly creds: Credentials) {
    this.base = new URL(creds.server);
    this.agent =
      this.base.protocol === "https:"
        ? new https.Agent({ ca: creds.ca, cert: creds.cert, key: creds.key, rejectUnauthorized: !creds.insecureSkipTlsVerify, keepAlive: true })
        : new http.Agent({ keepAlive: true });
  }

  static fromKubeconfig(kubeconfig?: string, context?: string): KubeClient {
    return new KubeClient(loadCredentials(kubeconfig, context));
  }

  /** Closes idle connections so a short-lived process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private open(p: string, opts: RequestOptions, body?: string): http.ClientRequest {
    const url = new URL(p, this.base);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.creds.token) headers.Authorization = `Bearer ${this.creds.token}`;
    if (body !== undefined) {
      headers["Content-Type"] = opts.contentType ?? "application/json";
      // Without a length Node sends a DELETE's body in a way the server leaves on the socket,
      // where it corrupts the next request on that kept-alive connection.
      headers["Content-Length"] = String(Buffer.byteLength(body));
    }
    const mod = url.protocol === "https:" ? https : http;
    return mod.request(url, { method: opts.method ?? "GET", headers, agent: this.agent, timeout: opts.timeoutMs ?? 30_000 });
  }

  /** One request; resolves to the parsed JSON body (or the raw text), rejects with KubeError. */
  request<T = Obj>(p: string, opts: RequestOptions = {}): Promise<T> {
    const body = opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    return new Promise((resolve, reject) => {
      const req = this.open(p, opts, body);
      req.on("timeout", () => req.destroy(new Error(`${opts.method ?? "GET"} ${p}: no answer from ${this.creds.server} in ${(opts.timeoutMs ?? 30_000) / 1000} s`)));
      req.on("error", reject);
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: any = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON: keep the text */
          }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return resolve(body as T);
          const message = typeof body === "object" && body?.message ? body.message : text || res.statusMessage || "";
          reject(new KubeError(code, body?.reason ?? "", `${opts.method ?? "GET"} ${p}: ${code} ${message}`));
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

  /** Server-side apply of a whole object at its path, owned by `fieldManager`. */
  apply<T = Obj>(objectPath: string, obj: Obj, fieldManager: string, subresource?: "status"): Promise<T> {
    return this.request<T>(subresource ? `${objectPath}/${subresource}` : objectPath, {
      method: "PATCH",
      body: obj,
      contentType: "application/apply-patch+yaml",
      query: { fieldManager, force: true },
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
   * re-watches.
   */
  watch(collection: string, resourceVersion: string, onEvent: (e: WatchEvent) => void, signal?: AbortSignal, extraQuery: Record<string, string> = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = this.open(collection, {
        query: { watch: 1, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300, ...extraQuery },
        timeoutMs: 330_000,
      });
      const stop = () => req.destroy();
      signal?.addEventListener("abort", stop, { once: true });
      req.on("error", (e) => (signal?.aborted ? resolve() : reject(e)));
      req.on("timeout", stop);
      req.on("response", (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => reject(new KubeError(res.statusCode ?? 0, "", `watch ${collection}: ${res.statusCode} ${text}`)));
          return;
        }
        let buffered = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf("\n")) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (!line) continue;
            try {
              onEvent(JSON.parse(line) as WatchEvent);
            } catch (e) {
              // The handler refused the stream (an ERROR event, say): end it, tell the caller.
              signal?.removeEventListener("abort", stop);
              req.destroy();
              reject(e);
              return;
            }
          }
        });
        res.on("end", () => {
          signal?.removeEventListener("abort", stop);
          resolve();
        });
        res.on("error", (e) => (signal?.aborted ? resolve() : reject(e)));
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
