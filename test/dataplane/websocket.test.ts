/** WebSockets over HTTP/1.1 through HAProxy: the bytes pass through untouched. */
import WebSocket from "ws";
import { Backend, cluster, closed, eventually, freePort, gatewayIr, Harness, nextMessage, openWebSocket as open, sleep } from "./harness";

describe("WebSocket", () => {
  const h = new Harness();
  let echo: Backend;
  let port: number;

  beforeAll(async () => {
    echo = await h.backend("echo");
    port = await freePort();
    await h.startAgent(gatewayIr(port, [cluster("echo", [echo])]));
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it("upgrades and stays up, answering pings, for several seconds", async () => {
    const ws = await open(port);
    try {
      for (let i = 0; i < 6; i++) {
        const pong = new Promise<Buffer>((r) => ws.once("pong", r));
        ws.ping(`ping ${i}`);
        expect((await pong).toString()).toBe(`ping ${i}`);
        ws.send(`hello ${i}`);
        expect((await nextMessage(ws)).data.toString()).toBe(`hello ${i}`);
        await sleep(500);
      }
      expect(ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      ws.terminate();
    }
  }, 30_000);

  it("carries a 1 MiB binary message intact", async () => {
    const ws = await open(port);
    try {
      const big = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
      ws.send(big);
      const got = await nextMessage(ws);
      expect(got.isBinary).toBe(true);
      expect(got.data.equals(big)).toBe(true);
    } finally {
      ws.terminate();
    }
  }, 30_000);

  it("carries a message sent in fragments", async () => {
    const ws = await open(port);
    try {
      const parts = ["frag-one ", "frag-two ", "frag-three"];
      parts.forEach((p, i) => ws.send(p, { fin: i === parts.length - 1 }));
      expect((await nextMessage(ws)).data.toString()).toBe(parts.join(""));
    } finally {
      ws.terminate();
    }
  }, 30_000);

  it("passes close codes and reasons both ways", async () => {
    const fromServer = await open(port);
    const done = closed(fromServer);
    fromServer.send("close:4001:server-bye");
    expect(await done).toEqual({ code: 4001, reason: "server-bye" });

    const fromClient = await open(port);
    fromClient.close(4002, "client-bye");
    await eventually("the backend to see the client's close", () =>
      echo.closes.find((c) => c.code === 4002 && c.reason === "client-bye"));
  }, 30_000);

  it("refuses a malformed handshake (HAProxy checks it strictly)", async () => {
    const net = await import("net");
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1", () => s.write(
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: 123\r\nSec-WebSocket-Version: 13\r\n\r\n"));
      let data = "";
      s.on("data", (d) => { data += d; if (data.includes("\r\n\r\n")) { s.destroy(); resolve(data); } });
      s.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  }, 30_000);
});
