// One data plane as translate hands it out: a managed Gateway demo/web with an HTTP and an
// HTTPS listener, its certificate in a Secret of another namespace.
import { Dataplane } from "../../../translate";

export const webDataplane: Dataplane = {
  owner: { kind: "Gateway", namespace: "demo", name: "web" },
  ir: {
    apiVersion: "ir.agc.dev/v1",
    gateway: "demo.web",
    frontends: [
      { name: "web.80", port: 10080 },
      { name: "web.443", port: 10443, tls: { certificates: [{ secret: { namespace: "certs", name: "wildcard" } }] } },
    ],
    routes: [],
    clusters: [],
  },
  services: [
    {
      addressKey: "Gateway/demo/web",
      kind: "Gateway",
      namespace: "demo",
      name: "web",
      ports: [
        { port: 80, targetPort: 10080, irFrontend: "web.80" },
        { port: 443, targetPort: 10443, irFrontend: "web.443" },
      ],
    },
  ],
  secrets: ["certs/wildcard"],
};
