// Which gateway, frontend, service and host name go together in this example: a pure
// description the program, its unit test and its e2e test all read.

export interface ServiceOnFrontend {
  /** The Frontend, of its gateway. */
  frontend: string;
  /** The WebSocketService behind it: its Gateway is bound to that Frontend alone. */
  service: string;
  /** The host name its route answers. */
  hostname: string;
}

export interface GatewayLayout {
  /** The TrafficController. */
  gateway: string;
  /** Its one Association, with the shared subnet. */
  association: string;
  services: ServiceOnFrontend[];
}

/** The shared subnet: one /24 block per gateway's association, so two gateways need a /23. */
export const SUBNET_PREFIX = "10.1.0.0/23";
export const VIRTUAL_NETWORK_ADDRESS_SPACE = ["10.1.0.0/16"];

/** gw-a with fe-a1 (echo-a1, a1.<domain>) and fe-a2 (echo-a2, a2.<domain>); gw-b likewise. */
export function multiFrontendLayout(domain: string): GatewayLayout[] {
  return ["a", "b"].map((g) => ({
    gateway: `gw-${g}`,
    association: `gw-${g}-assoc`,
    services: [1, 2].map((i) => ({ frontend: `fe-${g}${i}`, service: `echo-${g}${i}`, hostname: `${g}${i}.${domain}` })),
  }));
}
