// Requests to a gateway's address from the test process, as a client on this machine sends them.
import * as http from "http";

export interface HttpAnswer {
  status: number;
  body: string;
}

/** GET `urlPath` from `address`:80 with the given Host (and other headers), on a new connection. */
export function getThrough(address: string, host: string, urlPath: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    http.get({ host: address, port: 80, path: urlPath, headers: { host, ...headers }, agent: false, timeout: 5_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject).on("timeout", function (this: http.ClientRequest) {
      this.destroy(new Error(`no answer from ${address} in 5 s`));
    });
  });
}
