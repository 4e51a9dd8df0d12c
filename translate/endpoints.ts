// Endpoints of a Service port from its EndpointSlices (those labelled kubernetes.io/service-name,
// selector-managed or hand-written alike). Not-ready endpoints are listed as such, so they
// keep their server slot.
import { Endpoint } from "../model/ir";
import { KubeObject } from "./types";
import { compareText, live, namespaceOf } from "./objects";

const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

export function endpointsOf(slices: readonly KubeObject[], service: KubeObject, servicePort: any): Endpoint[] {
  const namespace = namespaceOf(service);
  const portName = servicePort.name ?? "";
  const found = new Map<string, Endpoint>();
  for (const slice of live(slices)) {
    if (namespaceOf(slice) !== namespace || slice.metadata.labels?.[SERVICE_NAME_LABEL] !== service.metadata.name) continue;
    if (slice.addressType !== "IPv4" && slice.addressType !== "IPv6") continue;
    const port = ((slice.ports as any[]) ?? []).find((p) => (p.name ?? "") === portName && (p.protocol ?? "TCP") === "TCP");
    const number = port?.port ?? numericTargetPort(servicePort);
    if (!number) continue;
    for (const endpoint of (slice.endpoints as any[]) ?? []) {
      const ready = endpoint.conditions?.ready !== false && endpoint.conditions?.terminating !== true;
      for (const address of endpoint.addresses ?? []) {
        const key = `${address}|${number}`;
        // The same address in two slices (during a move between slices): ready wins.
        if (!found.has(key) || ready) found.set(key, { address, port: number, ...(ready ? {} : { ready: false }) });
      }
    }
  }
  return [...found.values()].sort((a, b) => compareText(a.address, b.address) || a.port - b.port);
}

/** A slice without ports (hand-written) still reaches a numeric targetPort. */
function numericTargetPort(servicePort: any): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  return typeof target === "number" ? target : undefined;
}
