/**
 * Listener isolation through translate and real HAProxy: four listeners share port 80, and a
 * request is answered only by routes of the listener whose host name matches it most
 * specifically, even when that listener has no route for the path (then 404).
 */
import { CONTROLLER_NAME, KubeObject, translate } from "../../translate";
import { freePort, Harness, httpGet } from "./harness";
import { gateway, gatewayClass, route, service, snapshotWith } from "../unit/translate/fixtures";

const LISTENERS: [name: string, hostname?: string][] = [
  ["any"],
  ["shop", "*.shop.test"],
  ["eu-shop", "*.eu.shop.test"],
  ["cart", "cart.eu.shop.test"],
];

function routeTo(listener: string): KubeObject {
  const r = route(`to-${listener}`, "2026-01-01T00:00:00Z");
  r.spec.parentRefs = [{ name: "gw", namespace: "ns", sectionName: listener }];
  r.spec.rules = [{ matches: [{ path: { type: "PathPrefix", value: `/${listener}` } }], backendRefs: [{ name: "svc", port: 80 }] }];
  return r;
}

// [host, path, the status the client gets]
const ROWS: [string, string, number][] = [
  ["plain.test", "/any", 200],
  ["plain.test", "/shop", 404],
  ["a.shop.test", "/any", 404],
  ["a.shop.test", "/shop", 200],
  ["A.Shop.Test:80", "/any", 404],
  ["a.b.shop.test", "/shop", 200],
  ["x.eu.shop.test", "/shop", 404],
  ["x.eu.shop.test", "/any", 404],
  ["x.eu.shop.test", "/eu-shop", 200],
  ["cart.eu.shop.test", "/eu-shop", 404],
  ["cart.eu.shop.test", "/any", 404],
  ["cart.eu.shop.test", "/cart", 200],
];

describe("listeners sharing a port", () => {
  const h = new Harness();
  let port: number;

  beforeAll(async () => {
    const echo = await h.backend("echo");
    port = await freePort();
    const listeners = LISTENERS.map(([name, hostname]) => ({ name, port: 80, protocol: "HTTP", ...(hostname ? { hostname } : {}) }));
    const snapshot = snapshotWith(LISTENERS.map(([name]) => routeTo(name)), {
      gateways: [{ ...gateway, spec: { gatewayClassName: gatewayClass.metadata.name, listeners } }],
      services: [service],
    });
    const ir = translate(snapshot, { controllerName: CONTROLLER_NAME }).dataplanes[0].ir;
    // The data plane listens on a free loopback port and reaches the local echo backend.
    ir.frontends = ir.frontends.map((f) => ({ ...f, port, address: "127.0.0.1" }));
    ir.clusters = ir.clusters.map((c) => ({ ...c, endpoints: [{ address: "127.0.0.1", port: echo.port }] }));
    await h.startAgent(ir);
  }, 60_000);

  afterAll(() => h.close(), 30_000);

  it.each(ROWS)("Host %s, path %s: %d", async (host, path, status) => {
    const r = await httpGet(port, path, { host });
    expect(r.status).toBe(status);
    if (status === 200) expect(JSON.parse(r.body).url).toBe(path);
  }, 30_000);
});
