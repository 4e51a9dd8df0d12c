// ws-echo: a WebSocket echo server, the backend of WebSocketService's default image.
//
// Like many WebSocket-only servers it answers a plain GET of any other path with 400, which is
// what trips a gateway's default probe (GET /); it also answers GET /health, the path a
// HealthCheckPolicy should probe instead. GET /headers shows what the gateway forwarded.
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
    body: "this server speaks WebSocket only: send an upgrade request (Connection: Upgrade, Upgrade: websocket); GET /health answers 200\n",
  };
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
    const answer = plainAnswer(req.method ?? "GET", req.url ?? "/", req.headers);
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
