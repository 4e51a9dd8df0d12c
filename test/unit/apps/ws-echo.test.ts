// The WebSocket echo server, on loopback, with the `ws` client and plain HTTP requests.
import * as http from "http";
import WebSocket from "ws";
import { RunningServer, eventIntervalMs, portFrom, serverSentEvent, startEchoServer } from "../../../apps/ws-echo/server";
import { nextMessage } from "../../dataplane/harness";
import { splitEvents } from "../../support/eventStream";

let server: RunningServer;
const logged: string[] = [];

beforeAll(async () => {
  server = await startEchoServer({ port: 0, host: "127.0.0.1", podName: "ws-echo-7d9f-abcde", log: (line) => logged.push(line) });
});
afterAll(() => server.close());

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port: server.port, path, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on("error", reject);
  });
}

function open(path: string): Promise<{ socket: WebSocket; servedBy: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}${path}`);
    let servedBy: string | undefined;
    socket.once("upgrade", (res) => (servedBy = res.headers["x-served-by"] as string | undefined));
    socket.once("open", () => resolve({ socket, servedBy }));
    socket.once("error", reject);
  });
}

test("every message comes back as sent, text as text and binary as binary, on any path", async () => {
  const { socket, servedBy } = await open("/ws");
  try {
    expect(servedBy).toBe("ws-echo-7d9f-abcde");
    const text = nextMessage(socket);
    socket.send("hello, gateway");
    expect(await text).toEqual({ data: Buffer.from("hello, gateway"), isBinary: false });
    const binary = nextMessage(socket);
    socket.send(Buffer.from([0, 1, 2, 255]));
    expect(await binary).toEqual({ data: Buffer.from([0, 1, 2, 255]), isBinary: true });
  } finally {
    socket.close();
  }
  const other = await open("/any/other/path");
  other.socket.close();
});

test("one log line per WebSocket connection, naming the pod, the path and the Host", async () => {
  const before = logged.length;
  const { socket } = await open("/chat");
  socket.close();
  expect(logged.length).toBe(before + 1);
  expect(logged[before]).toMatch(/ ws-echo-7d9f-abcde: WebSocket from 127\.0\.0\.1 to \/chat \(host 127\.0\.0\.1:\d+\)$/);
});

test("GET /health answers 200 ok, naming the pod", async () => {
  const res = await get("/health");
  expect(res.status).toBe(200);
  expect(res.body).toBe("ok\n");
  expect(res.headers["x-served-by"]).toBe("ws-echo-7d9f-abcde");
});

test("GET /headers answers the request's headers as JSON", async () => {
  const res = await get("/headers", { "X-Forwarded-For": "192.0.2.7", "x-request-id": "4d0c2f8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f" });
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toBe("application/json");
  expect(JSON.parse(res.body)).toMatchObject({ "x-forwarded-for": "192.0.2.7", "x-request-id": "4d0c2f8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f" });
});

test("a plain GET / (no upgrade) gets 400, as from a WebSocket-only server", async () => {
  const res = await get("/");
  expect(res.status).toBe(400);
  expect(res.body).toContain("WebSocket only");
});

test("PORT picks the port, 8888 without it; a bad PORT is refused with its value", () => {
  expect(portFrom({})).toBe(8888);
  expect(portFrom({ PORT: "9000" })).toBe(9000);
  expect(() => portFrom({ PORT: "http" })).toThrow("PORT 'http' is not a port; expected an integer from 1 to 65535");
});

test("stopping the server closes open WebSockets with 1001 (going away), so clients reconnect elsewhere", async () => {
  const stopping = await startEchoServer({ port: 0, host: "127.0.0.1", podName: "ws-echo-old", log: () => {} });
  const socket = new WebSocket(`ws://127.0.0.1:${stopping.port}/ws`);
  await new Promise((resolve) => socket.once("open", resolve));
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  await stopping.close();
  expect(await closed).toBe(1001);
});

interface EventStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Each event's data, parsed, with the time it arrived. */
  events: { n: number; servedBy: string; at: string; receivedAt: number }[];
  /** Resolves once `count` events have arrived. */
  until(count: number): Promise<void>;
  ended: Promise<void>;
  close(): void;
}

/** GET of an event stream, read event by event. */
function events(path: string, port = server.port): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path }, (res) => {
      const stream: EventStream = {
        status: res.statusCode!,
        headers: res.headers,
        events: [],
        until: (count) => new Promise((done) => {
          const check = () => (stream.events.length >= count ? done() : setTimeout(check, 10));
          check();
        }),
        ended: new Promise((done) => res.once("close", () => done())),
        close: () => req.destroy(),
      };
      let buffered = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const { events, rest } = splitEvents(buffered + chunk);
        buffered = rest;
        for (const e of events) stream.events.push({ ...JSON.parse(e.data), receivedAt: Date.now() });
      });
      res.on("error", () => {});
      resolve(stream);
    });
    req.on("error", reject);
  });
}

test("GET /events streams server-sent events: one at once, then one every ?every= seconds, numbered, naming the pod", async () => {
  const started = Date.now();
  const stream = await events("/events?every=0.2");
  try {
    expect(stream.status).toBe(200);
    expect(stream.headers["content-type"]).toBe("text/event-stream");
    expect(stream.headers["cache-control"]).toBe("no-cache");
    expect(stream.headers["x-served-by"]).toBe("ws-echo-7d9f-abcde");
    await stream.until(4);
    expect(stream.events.slice(0, 4).map((e) => [e.n, e.servedBy])).toEqual([1, 2, 3, 4].map((n) => [n, "ws-echo-7d9f-abcde"]));
    expect(stream.events[0].receivedAt - started).toBeLessThan(500);
    // Three intervals of 200 ms between the first and the fourth.
    expect(stream.events[3].receivedAt - stream.events[0].receivedAt).toBeGreaterThanOrEqual(550);
    expect(stream.events[3].receivedAt - stream.events[0].receivedAt).toBeLessThan(1_000);
  } finally {
    stream.close();
  }
});

test("without ?every= an event comes each second", async () => {
  const stream = await events("/events");
  try {
    await stream.until(2);
    const gap = stream.events[1].receivedAt - stream.events[0].receivedAt;
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(1_500);
  } finally {
    stream.close();
  }
});

test("?every= must be a number of seconds from 0.1 to 3600: anything else is answered 400 with the value", async () => {
  expect(eventIntervalMs("/events?every=2.5")).toEqual({ ok: true, ms: 2_500 });
  expect(eventIntervalMs("/events?every=70")).toEqual({ ok: true, ms: 70_000 });
  expect(eventIntervalMs("/events")).toEqual({ ok: true, ms: 1_000 });
  expect(eventIntervalMs("/events?every=0")).toEqual({ ok: false, error: "every '0' is not a number of seconds from 0.1 to 3600" });
  expect(eventIntervalMs("/events?every=soon")).toEqual({ ok: false, error: "every 'soon' is not a number of seconds from 0.1 to 3600" });
  const res = await get("/events?every=-1");
  expect(res.status).toBe(400);
  expect(res.body).toBe("every '-1' is not a number of seconds from 0.1 to 3600\n");
});

test("an event is its number as the id, then one line of JSON data, then a blank line", () => {
  expect(serverSentEvent(7, "ws-echo-1", new Date("2025-01-02T03:04:05.000Z"))).toBe(
    'id: 7\ndata: {"n":7,"servedBy":"ws-echo-1","at":"2025-01-02T03:04:05.000Z"}\n\n',
  );
});

test("stopping the server ends open event streams", async () => {
  const stopping = await startEchoServer({ port: 0, host: "127.0.0.1", podName: "ws-echo-old", log: () => {} });
  const stream = await events("/events?every=60", stopping.port);
  await stream.until(1);
  await stopping.close();
  await stream.ended;
  expect(stream.events.map((e) => e.n)).toEqual([1]);
});
