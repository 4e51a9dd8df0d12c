// ws-echo: a WebSocket echo server, the backend of WebSocketService's default image.
//
// Like many WebSocket-only servers it answers a plain GET of any other path with 400, which is
// what trips a gateway's default probe (GET /); it also answers GET /health, the path a
// HealthCheckPolicy should probe instead. GET /headers shows what the gateway forwarded.
// GET /events?every=SECONDS streams server-sent events, one at once and one every SECONDS
// (default 1) until the client leaves: a stream quieter than a gateway's request timeout.
//
//   PORT      where it listens (default 8888)
//   POD_NAME  the name it answers with in `x-served-by` (default: the host name)
import * as http from "http";
import * as os from "os";
import { AddressInfo } from "net";
import { WebSocketServer } from "ws";

export const DEFAULT_PORT = 8888;
/** Names the replica that answered, on every response and on the WebSocket handshake. */
export const SERVED_BY_HEADER = "x-served-by";

export interface PlainAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** The answer to an HTTP request that asks for no WebSocket upgrade. */
export function plainAnswer(method: string, url: string, headers: http.IncomingHttpHeaders): PlainAnswer {
  const path = url.split("?")[0];
  const readable = method === "GET" || method === "HEAD";
  if (readable && path === "/health") return { status: 200, contentType: "text/plain", body: "ok\n" };
  if (readable && path === "/headers") return { status: 200, contentType: "application/json", body: JSON.stringify(headers) + "\n" };
  return {
    status: 400,
    contentType: "text/plain",
    body: "this path speaks WebSocket only: send an upgrade request (Connection: Upgrade, Upgrade: websocket); GET /health answers 200, GET /events streams server-sent events\n",
  };
}

export const EVENTS_PATH = "/events";
export const DEFAULT_EVENT_SECONDS = 1;
/** Bounds on ?every=: often enough to flood no one, rarely enough to outwait any timeout. */
const EVENT_SECONDS_RANGE = { min: 0.1, max: 3600 };

/** The milliseconds between events /events sends for a request URL, from ?every=SECONDS; or why the value is refused. */
export function eventIntervalMs(url: string): { ok: true; ms: number } | { ok: false; error: string } {
  const every = new URLSearchParams(url.split("?")[1] ?? "").get("every");
  if (every === null || every === "") return { ok: true, ms: DEFAULT_EVENT_SECONDS * 1000 };
  const seconds = Number(every);
  const { min, max } = EVENT_SECONDS_RANGE;
  if (!Number.isFinite(seconds) || seconds < min || seconds > max) {
    return { ok: false, error: `every '${every}' is not a number of seconds from ${min} to ${max}` };
  }
  return { ok: true, ms: Math.round(seconds * 1000) };
}

/** One server-sent event: its number as the id, and as data the number, the pod and the time. */
export function serverSentEvent(id: number, podName: string, at: Date): string {
  return `id: ${id}\ndata: ${JSON.stringify({ n: id, servedBy: podName, at: at.toISOString() })}\n\n`;
}

/** Streams events to the response, the first at once, until the client leaves (or the server closes the connection). */
function streamEvents(res: http.ServerResponse, intervalMs: number, podName: string): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", [SERVED_BY_HEADER]: podName });
  let sent = 0;
  const send = () => res.write(serverSentEvent(++sent, podName, new Date()));
  send();
  const timer = setInterval(send, intervalMs);
  res.on("close", () => clearInterval(timer));
}

/** The port to listen on, from the PORT environment variable. */
export function portFrom(env: NodeJS.ProcessEnv): number {
  if (env.PORT === undefined || env.PORT === "") return DEFAULT_PORT;
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT '${env.PORT}' is not a port; expected an integer from 1 to 65535`);
  return port;
}

export interface EchoServerOptions {
  port: number;
  /** Default: all interfaces. */
  host?: string;
  podName: string;
  log: (line: string) => void;
}

export interface RunningServer {
  port: number;
  /** Closes every WebSocket with 1001 (going away), then the listener. */
  close(): Promise<void>;
}

export function startEchoServer(options: EchoServerOptions): Promise<RunningServer> {
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (req.method === "GET" && url.split("?")[0] === EVENTS_PATH) {
      const interval = eventIntervalMs(url);
      if (interval.ok) return streamEvents(res, interval.ms, options.podName);
      res.writeHead(400, { "content-type": "text/plain", [SERVED_BY_HEADER]: options.podName });
      return void res.end(`${interval.error}\n`);
    }
    const answer = plainAnswer(req.method ?? "GET", url, req.headers);
    res.writeHead(answer.status, { "content-type": answer.contentType, [SERVED_BY_HEADER]: options.podName });
    res.end(req.method === "HEAD" ? undefined : answer.body);
  });
  const sockets = new WebSocketServer({ server });
  sockets.on("headers", (headers) => headers.push(`${SERVED_BY_HEADER}: ${options.podName}`));
  sockets.on("connection", (socket, req) => {
    options.log(`${new Date().toISOString()} ${options.podName}: WebSocket from ${req.socket.remoteAddress} to ${req.url} (host ${req.headers.host ?? "-"})`);
    socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: async () => {
          // Wait for the closing handshakes (ws gives up on a silent peer after 30 s).
          const closed = [...sockets.clients].map((client) => new Promise((done) => client.once("close", done)));
          for (const client of sockets.clients) client.close(1001, "server going away");
          await Promise.all(closed);
          sockets.close();
          await new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
        },
      });
    });
  });
}

async function main(): Promise<void> {
  const podName = process.env.POD_NAME || os.hostname();
  const log = (line: string) => console.log(line);
  const running = await startEchoServer({ port: portFrom(process.env), podName, log });
  log(`ws-echo ${podName} listening on port ${running.port}`);
  // Kubernetes stops a pod with SIGTERM: tell the clients, so they reconnect elsewhere at once.
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void running.close().then(() => process.exit(0)));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`ws-echo: ${(e as Error).message}`);
    process.exit(1);
  });
}
