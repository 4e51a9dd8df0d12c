// A local HTTP server standing in for the API server, for faults a real one cannot be made to
// show on demand (each test says which).
import * as http from "http";
import * as net from "net";

export type Reply = (code: number, body: unknown, headers?: Record<string, string>) => void;

export interface StandInApi {
  url: string;
  close(): Promise<void>;
}

/** Serves `handle` on loopback; `reply` answers JSON. A handler that neither replies nor ends leaves a stream open. */
export async function standInApi(handle: (url: URL, reply: Reply, res: http.ServerResponse) => void): Promise<StandInApi> {
  const server = http.createServer((req, res) => {
    const reply: Reply = (code, body, headers = {}) => {
      res.writeHead(code, { "Content-Type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    handle(new URL(req.url!, "http://x"), reply, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
