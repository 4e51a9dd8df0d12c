// A Service's health check from its pods' readiness probes, when no HealthCheckPolicy gives one
// (the product's order: the policy, then the pod's readinessProbe, then the default probe).
import { HealthCheck } from "../model/ir";
import { KubeObject } from "./types";
import { byKey, compact, live, namespaceOf, selectorMatches } from "./objects";

/** The HTTP readiness probe of the container serving `servicePort`, on the first matching pod by name. */
export function probeHealthCheck(pods: readonly KubeObject[], service: KubeObject, servicePort: any): HealthCheck | undefined {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  const candidates = live(pods)
    .filter((p) => namespaceOf(p) === namespaceOf(service) && selectorMatches({ matchLabels: selector }, p.metadata.labels))
    .sort(byKey);
  for (const pod of candidates) {
    const found = containerServing(pod, servicePort.targetPort ?? servicePort.port);
    if (!found) continue;
    const probe = found.container.readinessProbe?.httpGet;
    if (!probe) return undefined;
    return healthCheckOf(found.container, probe, found.port);
  }
  return undefined;
}

function containerServing(pod: KubeObject, target: number | string): { container: any; port: number } | undefined {
  for (const container of (pod.spec?.containers as any[]) ?? []) {
    const port = ((container.ports as any[]) ?? []).find((p) => (typeof target === "number" ? p.containerPort === target : p.name === target));
    if (port) return { container, port: port.containerPort };
  }
  // A numeric targetPort need not be declared among the container's ports: take the only container.
  const containers = (pod.spec?.containers as any[]) ?? [];
  return typeof target === "number" && containers.length === 1 ? { container: containers[0], port: target } : undefined;
}

function healthCheckOf(container: any, httpGet: any, endpointPort: number): HealthCheck {
  const probe = container.readinessProbe;
  const named = ((container.ports as any[]) ?? []).find((p) => p.name === httpGet.port);
  const port = typeof httpGet.port === "number" ? httpGet.port : named?.containerPort;
  const host = ((httpGet.httpHeaders as any[]) ?? []).find((h) => String(h.name).toLowerCase() === "host")?.value;
  return compact({
    intervalMs: (probe.periodSeconds ?? 10) * 1000,
    timeoutMs: (probe.timeoutSeconds ?? 1) * 1000,
    healthyThreshold: probe.successThreshold ?? 1,
    unhealthyThreshold: probe.failureThreshold ?? 3,
    port: port !== undefined && port !== endpointPort ? port : undefined,
    http: compact({ host, path: httpGet.path ?? "/" }),
    useTLS: httpGet.scheme === "HTTPS" ? true : undefined,
  });
}
