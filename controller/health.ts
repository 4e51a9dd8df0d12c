// The controller's and the bootstrap's health endpoints, for the kubelet's probes:
// - `/healthz` (liveness): 200 whenever it answers. An answer at all shows the process is up
//   and its event loop turns; anything else (the API server away, a stand-by waiting) is not
//   cured by a restart.
// - `/readyz` (readiness): 200 once the process does what it is for (informers synced, CRDs
//   installed, or standing by for the lease), 503 with the reason before.
import * as http from "http";
import * as net from "net";

/** The port the installed pods serve their probes on (controller-runtime's habit). */
export const DEFAULT_HEALTH_PORT = 8081;

export interface Readiness {
  ready: boolean;
  /** What the process is doing: why it is not ready yet, or what it is ready as. */
  reason: string;
}

export interface HealthAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** The answer to a probe of `path` (its query aside), given the process's readiness now. */
export function healthAnswer(method: string | undefined, path: string | undefined, readiness: Readiness): HealthAnswer {
  if (method !== "GET" && method !== "HEAD") return { status: 405, body: { error: `method ${method} not allowed; use GET` } };
  const route = (path ?? "").split("?")[0];
  if (route === "/healthz") return { status: 200, body: { ok: true } };
  if (route === "/readyz") return { status: readiness.ready ? 200 : 503, body: { ready: readiness.ready, reason: readiness.reason } };
  return { status: 404, body: { error: "not found; try /healthz or /readyz" } };
}

/** Parses a port option: a whole number from 0 (any free port) to 65535. */
export function parsePort(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`${flag} must be a TCP port from 1 to 65535 (or 0: any free one); got '${value}'`);
  return port;
}

export interface HealthServer {
  /** The port it listens on (the one asked for, or the one the system chose for port 0). */
  port: number;
  close(): Promise<void>;
}

/** Serves the probes on `address:port`; `readiness` is asked on every /readyz. */
export async function serveHealth(options: { address: string; port: number; readiness: () => Readiness; log?: (m: string) => void }): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const { status, body } = healthAnswer(req.method, req.url, options.readiness());
    options.log?.(`${req.method} ${req.url} from ${req.socket.remoteAddress}: ${status}`);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(req.method === "HEAD" ? undefined : `${JSON.stringify(body)}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(new Error(`health endpoint: cannot listen on ${options.address}:${options.port}: ${e.code === "EADDRINUSE" ? "the port is taken" : e.message}`)),
    );
    server.listen(options.port, options.address, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Where `agc controller` is: waiting for the lease, installing CRDs and listing, or running. */
export type ControllerPhase = "electing" | "starting" | "running";

/**
 * The controller's readiness: a replica that leads (or runs alone) once its informers have
 * listed everything; a stand-by once it has seen another replica hold the lease, as it is
 * then ready to take over.
 */
export function controllerReadiness(phase: ControllerPhase, lastAttempt?: "mine" | "theirs" | "failed"): Readiness {
  if (phase === "running") return { ready: true, reason: "informers synced; reconciling" };
  if (phase === "starting") return { ready: false, reason: "listing the cluster's objects (and installing CRDs unless --no-install-crds)" };
  if (lastAttempt === "theirs") return { ready: true, reason: "standing by: another replica holds the lease" };
  if (lastAttempt === "failed") return { ready: false, reason: "the lease could not be read or written; trying again" };
  return { ready: false, reason: "acquiring the lease" };
}
