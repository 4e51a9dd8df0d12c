/**
 * No WebSocket is dropped while endpoints churn (runtime API) and the configuration is
 * reloaded (master-worker hand-over), with a few hundred connections talking throughout.
 */
import WebSocket from "ws";
import { GatewayIr } from "../../model/ir";
import { Backend, freePort, gatewayIr, Harness, httpGet } from "./harness";

const CONNECTIONS = 250;
const ENDPOINT_CHANGES = 100;
const RELOADS = 10;

describe("churn", () => {
  const h = new Harness();
  let stable: Backend[];
  let churning: Backend[];
  let port: number;
  const clients: WebSocket[] = [];
  let closedUnexpectedly = 0;

  /** Endpoint set number i: the stable two always, churning ones by the bits of i, weights vary. */
  function endpointsFor(i: number) {
    const eps = stable.map((b, k) => ({ address: "127.0.0.1", port: b.port, weight: k === 0 ? 1 + (i % 3) : 1 }));
    churning.forEach((b, k) => {
      if ((i >> k) & 1) eps.push({ address: "127.0.0.1", port: b.port, weight: 1 + ((i + k) % 4) });
    });
    return eps;
  }

  function irFor(endpointSet: number, reloads: number): GatewayIr {
    const ir = gatewayIr(port, [{ name: "ws", endpoints: endpointsFor(endpointSet) }]);
    // Each reload adds a route: a structural change.
    for (let r = 0; r < reloads; r++) ir.routes.unshift({ name: `extra-${r}`, path: { type: "PathPrefix", value: `/extra-${r}` }, backends: [{ cluster: "ws" }] });
    return ir;
  }

  /** Every client sends one message and gets it back; fails on a missing echo. */
  async function round(tag: string): Promise<void> {
    await Promise.all(clients.map((ws, i) => new Promise<void>((resolve, reject) => {
      const expected = `${tag}/${i}`;
      const timer = setTimeout(() => reject(new Error(`client ${i}: no echo of ${expected} within 20 s`)), 20_000);
      const onMessage = (data: WebSocket.RawData) => {
        if (data.toString() !== expected) return;
        clearTimeout(timer);
        ws.off("message", onMessage);
        resolve();
      };
      ws.on("message", onMessage);
      ws.send(expected);
    })));
  }

  beforeAll(async () => {
    stable = [await h.backend("stable-0"), await h.backend("stable-1")];
    churning = [await h.backend("churn-0"), await h.backend("churn-1"), await h.backend("churn-2")];
    port = await freePort();
    await h.startAgent(irFor(7, 0)); // all five endpoints, so connections land everywhere
    for (let batch = 0; batch < CONNECTIONS / 50; batch++) {
      await Promise.all(Array.from({ length: 50 }, () => new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
        ws.once("open", () => {
          ws.on("close", () => closedUnexpectedly++);
          clients.push(ws);
          resolve();
        });
        ws.once("error", reject);
      })));
    }
  }, 120_000);

  afterAll(async () => {
    for (const ws of clients) {
      ws.removeAllListeners("close");
      ws.terminate();
    }
    await h.close();
  }, 60_000);

  it(`keeps ${CONNECTIONS} WebSockets through ${ENDPOINT_CHANGES} endpoint changes and ${RELOADS} reloads`, async () => {
    expect(clients.length).toBe(CONNECTIONS);
    const landedOn = new Set(h.backends.filter((b) => b.wss.clients.size > 0).map((b) => b.name));
    expect(landedOn.size).toBe(5);
    await round("start");
    const kinds: Record<string, number> = {};
    let reloads = 0;
    let set = 7;
    for (let step = 0; step < ENDPOINT_CHANGES + RELOADS; step++) {
      const structural = step % 11 === 10;
      if (structural) reloads++;
      else set = (set + 1) % 8; // consecutive sets always differ
      const result = await h.agent!.apply(irFor(set, reloads));
      kinds[result.kind] = (kinds[result.kind] ?? 0) + 1;
      await round(`step-${step}`);
      // New requests keep flowing too.
      expect((await httpGet(port, "/probe")).status).toBe(200);
    }
    expect(kinds).toEqual({ runtime: ENDPOINT_CHANGES, reload: RELOADS });
    expect(closedUnexpectedly).toBe(0);
    expect(clients.every((ws) => ws.readyState === WebSocket.OPEN)).toBe(true);
  }, 300_000);
});
