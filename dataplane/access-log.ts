/**
 * The access log reader. HAProxy writes each access log line into an in-memory ring, whose
 * forwarder sends them, many per write, over a unix stream socket with octet-counting
 * framing (`<length> <line>`, RFC 6587). The socket is served by a worker thread, which
 * splits the frames and hands the lines over in batches: the agent's event loop sees one
 * message per batch instead of one read per line, and a slow reader never blocks HAProxy
 * (the ring keeps what it can, then drops the oldest lines).
 */
import * as fs from "fs";
import { Worker } from "worker_threads";

/** Lines wait at most this long in the reader before they are handed over. */
export const ACCESS_LOG_FLUSH_MS = 20;
/** ...or until this many are waiting. */
export const ACCESS_LOG_BATCH = 1000;

// Plain JavaScript: it runs as it is in the worker, whether this file is compiled or not.
const READER = `
const { parentPort, workerData } = require("worker_threads");
const net = require("net");
const fs = require("fs");
const { path, flushMs, batchMax } = workerData;
try { fs.unlinkSync(path); } catch {}
let batch = [];
let timer;
const flush = () => {
  clearTimeout(timer);
  timer = undefined;
  if (batch.length) parentPort.postMessage(batch);
  batch = [];
};
const sockets = new Set();
const server = net.createServer((sock) => {
  sockets.add(sock);
  let pending = null;
  sock.on("data", (chunk) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    for (;;) {
      const space = buf.indexOf(32, at);
      if (space < 0 || space - at > 10) break;
      const len = Number(buf.toString("latin1", at, space));
      if (!Number.isInteger(len) || len < 0) {
        // Not octet-counted framing: nothing more on this connection can be trusted.
        sock.destroy();
        return;
      }
      const end = space + 1 + len;
      if (buf.length < end) break;
      const line = buf.toString("utf8", space + 1, buf[end - 1] === 10 ? end - 1 : end);
      if (line) batch.push(line);
      at = end;
    }
    pending = at < buf.length ? Buffer.from(buf.subarray(at)) : null;
    if (batch.length >= batchMax) flush();
    else if (batch.length && !timer) timer = setTimeout(flush, flushMs);
  });
  sock.on("error", () => undefined);
  sock.on("close", () => sockets.delete(sock));
});
server.on("error", (e) => parentPort.postMessage({ error: e.message }));
server.listen(path, () => parentPort.postMessage("listening"));
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  flush();
  for (const s of sockets) s.destroy();
  server.close(() => {
    try { fs.unlinkSync(path); } catch {}
    parentPort.postMessage("stopped");
  });
});
`;

/** Serves `socketPath` in a worker thread; `onLines` gets the lines, in order, in batches. */
export class AccessLogReader {
  private worker: Worker | undefined;
  private stopped: Promise<void> | undefined;

  constructor(readonly socketPath: string, private readonly onLines: (lines: string[]) => void) {}

  /** Resolves once the socket listens (before HAProxy starts, so no line is lost). */
  start(): Promise<void> {
    if (this.worker) return Promise.resolve();
    const worker = new Worker(READER, {
      eval: true,
      workerData: { path: this.socketPath, flushMs: ACCESS_LOG_FLUSH_MS, batchMax: ACCESS_LOG_BATCH },
    });
    this.worker = worker;
    // The reader never keeps the process alive on its own.
    worker.unref();
    let onStopped: () => void = () => undefined;
    this.stopped = new Promise<void>((r) => { onStopped = r; });
    return new Promise<void>((resolve, reject) => {
      worker.on("message", (m: unknown) => {
        if (Array.isArray(m)) this.onLines(m as string[]);
        else if (m === "listening") resolve();
        else if (m === "stopped") onStopped();
        else if (m && typeof m === "object" && "error" in m) reject(new Error(`access log socket ${this.socketPath}: ${(m as { error: string }).error}`));
      });
      worker.on("error", reject);
      worker.on("exit", () => { onStopped(); reject(new Error("access log reader exited")); });
    });
  }

  /** Hands over what is still waiting, closes the socket and ends the worker. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    worker.postMessage("stop");
    await Promise.race([this.stopped, new Promise((r) => setTimeout(r, 2000).unref())]);
    await worker.terminate();
    fs.rmSync(this.socketPath, { force: true });
  }
}
