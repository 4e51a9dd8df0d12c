// An API server front for one client, as a test needs it: plain HTTP in (the client's
// kubeconfig names it and carries no credentials), the test cluster's API server out with the
// admin's client certificate. It records every status write that reached the API server, with
// when it was sent and answered, and can cut the client off: from then on its requests are
// held unanswered and its open watches go silent, as behind a partitioned network, while what
// was already sent upstream is still recorded; healed, it lets new requests through again.
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import { loadCredentials } from "../../kube/client";
import { testLayout } from "./localCluster";

export interface StatusWrite {
  client: string;
  method: string;
  path: string;
  sentAt: number;
  answeredAt: number;
  statusCode: number;
}

export interface RecordingProxy {
  /** A kubeconfig for the client: the proxy's address, no credentials. */
  kubeconfig: string;
  /** Every status write that reached the API server, in the order answered. */
  writes: StatusWrite[];
  /** Called when a status write has been answered by the API server (e.g. to kill the client then). */
  onWrite?: (write: StatusWrite) => void;
  partition(): void;
  /** Lets new requests through again (those held stay unanswered). */
  heal(): void;
  close(): Promise<void>;
}

const isStatusWrite = (method: string, url: string) => method !== "GET" && /\/status(\?|$)/.test(url);

export async function recordingProxy(client: string, dir: string): Promise<RecordingProxy> {
  const creds = loadCredentials(testLayout().kubeconfig);
  const upstream = new URL(creds.server);
  let partitioned = false;
  const sockets = new Set<net.Socket>();
  const upstreamRequests = new Set<http.ClientRequest>();
  const proxy: RecordingProxy = {
    kubeconfig: path.join(dir, `${client}.kubeconfig`),
    writes: [],
    partition: () => void (partitioned = true),
    heal: () => void (partitioned = false),
    close: async () => {
      for (const s of sockets) s.destroy();
      for (const r of upstreamRequests) r.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  const server = http.createServer((req, res) => {
    if (partitioned) return; // held: the client sees no answer, only its own timeout
    const sentAt = Date.now();
    const out = https.request(
      {
        host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host },
        ca: creds.ca, cert: creds.cert, key: creds.key,
      },
      (answer) => {
        if (isStatusWrite(req.method!, req.url!)) {
          const write = { client, method: req.method!, path: req.url!.split("?")[0], sentAt, answeredAt: Date.now(), statusCode: answer.statusCode! };
          proxy.writes.push(write);
          proxy.onWrite?.(write);
        }
        if (partitioned) return answer.resume(); // reached the API server; the answer is lost on the way back
        res.writeHead(answer.statusCode!, answer.headers);
        answer.on("data", (chunk) => !partitioned && res.write(chunk));
        answer.on("end", () => !partitioned && res.end());
      },
    );
    upstreamRequests.add(out);
    out.on("close", () => upstreamRequests.delete(out));
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  fs.writeFileSync(proxy.kubeconfig, [
    "apiVersion: v1", "kind: Config", "current-context: proxy",
    "clusters:", "- name: proxy", "  cluster:", `    server: http://127.0.0.1:${port}`,
    "users:", "- name: none", "  user: {}",
    "contexts:", "- name: proxy", "  context: {cluster: proxy, user: none}", "",
  ].join("\n"));
  return proxy;
}
