// A client of a server-sent events stream that records when each event arrived and when the
// stream ended, for tests of how long a gateway keeps a quiet stream open.
import * as http from "http";
import { sleep } from "../dataplane/harness";

type Obj = Record<string, any>;

interface ParsedEvent {
  id: string | undefined;
  data: string;
}

export interface ReceivedEvent extends ParsedEvent {
  /** Date.now() when it arrived. */
  at: number;
}

/** Complete events (blocks ending with a blank line) out of the text read so far, and the incomplete rest. */
export function splitEvents(buffered: string): { events: ParsedEvent[]; rest: string } {
  const blocks = buffered.replace(/\r\n/g, "\n").split("\n\n");
  const rest = blocks.pop()!;
  const events = blocks
    .map((block): ParsedEvent | undefined => {
      const lines = block.split("\n");
      const field = (name: string) => lines.filter((l) => l.startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).replace(/^ /, ""));
      const data = field("data");
      return data.length ? { id: field("id")[0], data: data.join("\n") } : undefined;
    })
    .filter((e): e is ParsedEvent => e !== undefined);
  return { events, rest };
}

export interface EventStream {
  status: number;
  startedAt: number;
  events: ReceivedEvent[];
  /** Date.now() when the response ended or the connection was cut; undefined while open. */
  endedAt?: number;
  /** Whether the response ended with its last chunk (false: the connection was cut). */
  complete?: boolean;
  close(): void;
}

/** Opens GET `path` on `address`:80 with the Host header `host`; resolves once the response's headers arrive. */
export function openEventStream(address: string, host: string, path: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const req = http.get({ host: address, port: 80, path, headers: { host, accept: "text/event-stream" }, agent: false }, (res) => {
      const stream: EventStream = { status: res.statusCode ?? 0, startedAt, events: [], close: () => req.destroy() };
      let buffered = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const { events, rest } = splitEvents(buffered + chunk);
        buffered = rest;
        stream.events.push(...events.map((e) => ({ ...e, at: Date.now() })));
      });
      // A cut connection is an error on the response: recorded, not thrown.
      res.on("error", () => {});
      res.on("close", () => {
        stream.endedAt = Date.now();
        stream.complete = res.complete;
      });
      resolve(stream);
    });
    req.on("error", reject);
  });
}

/** Waits until the stream has `count` events or has ended, or `timeoutMs` passes. */
export async function eventsOrEnd(stream: EventStream, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (stream.events.length < count && stream.endedAt === undefined && Date.now() < deadline) await sleep(100);
}

/**
 * Another HTTPRoute like `route` (same parents and backends) for another host name, with the
 * given timeouts on every rule, or none: the gateway's default applies.
 */
export function routeVariant(route: Obj, name: string, hostname: string, timeouts?: Obj): Obj {
  return {
    apiVersion: route.apiVersion,
    kind: route.kind,
    metadata: { name, namespace: route.metadata.namespace },
    spec: {
      parentRefs: route.spec.parentRefs,
      hostnames: [hostname],
      rules: (route.spec.rules as Obj[]).map(({ timeouts: _own, ...rule }) => (timeouts ? { ...rule, timeouts } : rule)),
    },
  };
}
