// Which data plane serves each Gateway and Ingress. A Gateway (or Ingress) that names a Frontend
// CR is served by that Frontend's TrafficController, on that Frontend's Service; one that names
// none gets a data plane of its own (managed mode). A Frontend serves one consumer (AGC011).
import { checkFrontendUsage, FrontendConsumer } from "../model/rules";
import { DataplaneOwner, FRONTEND_ADDRESS_TYPE, INGRESS_FRONTEND_ANNOTATION, INGRESS_FRONTEND_NAMESPACE_ANNOTATION, KubeObject, ReportViolation, Snapshot } from "./types";
import { byCreationThenName, keyOf, live, namespaceOf } from "./objects";
import { Problem } from "./conditions";
import { DEFAULT_NAMESPACE } from "../model/kinds";
import { agcNameOf } from "../model/objects";

/** The Service a consumer is reached through: a Frontend CR's, or a managed consumer's own. */
export interface FrontendSlot {
  kind: "Frontend" | "Gateway" | "Ingress";
  namespace: string;
  name: string;
  /** Position among its data plane's Services: picks a block of container ports. */
  index: number;
}

export interface Binding {
  consumerKind: "Gateway" | "Ingress";
  consumer: KubeObject;
  owner: DataplaneOwner;
  slot: FrontendSlot;
}

export type BindingResult = { ok: true; binding: Binding } | { ok: false; problem: Problem };

/** The container port a Service port maps to: a block of 1000 per Frontend of a data plane. */
export function containerPort(slot: FrontendSlot, port: number): number {
  return 10_000 + 1_000 * slot.index + port;
}

export class Bindings {
  /** Frontend CRs by "ns/name", with their TrafficController and slot. */
  private readonly frontends = new Map<string, { owner: DataplaneOwner; slot: FrontendSlot } | Problem>();

  constructor(private readonly snapshot: Snapshot) {
    for (const tc of live(snapshot.trafficControllers)) {
      const mine = live(snapshot.frontends)
        .filter((f) => namespaceOf(f) === namespaceOf(tc) && f.spec?.trafficControllerRef?.name === tc.metadata.name)
        .sort(byCreationThenName);
      mine.forEach((f, index) => {
        this.frontends.set(keyOf(f), {
          owner: { kind: "TrafficController", namespace: namespaceOf(tc), name: tc.metadata.name },
          slot: { kind: "Frontend", namespace: namespaceOf(f), name: f.metadata.name, index },
        });
      });
    }
  }

  /** Every Frontend CR with a live TrafficController, sorted. */
  frontendSlots(): { owner: DataplaneOwner; slot: FrontendSlot }[] {
    return [...this.frontends.values()].filter((v): v is { owner: DataplaneOwner; slot: FrontendSlot } => "slot" in v);
  }

  /** Resolves a Frontend reference: `name` (in `namespace`, else agc-system), `ns/name` or `ns/frontends/name`. */
  private frontend(reference: string, namespace: string): { owner: DataplaneOwner; slot: FrontendSlot } | Problem {
    const parts = reference.split("/");
    const candidates =
      parts.length === 3 ? [[parts[0], parts[2]]] : parts.length === 2 ? [[parts[0], parts[1]]] : [[namespace, reference], [DEFAULT_NAMESPACE, reference]];
    for (const [ns, name] of candidates) {
      const byName = live(this.snapshot.frontends).find((f) => namespaceOf(f) === ns && (f.metadata.name === name || agcNameOf(f) === name));
      if (!byName) continue;
      const found = this.frontends.get(keyOf(byName));
      if (found && "slot" in found) return found;
      return { reason: "UnsupportedAddress", message: `Frontend ${keyOf(byName)} has no TrafficController ${ns}/${byName.spec?.trafficControllerRef?.name ?? "(none)"}` };
    }
    return { reason: "UnsupportedAddress", message: `Frontend '${reference}' not found (looked in ${candidates.map(([ns]) => ns).join(", ")})` };
  }

  bindGateway(gateway: KubeObject): BindingResult {
    const addresses: any[] = gateway.spec?.addresses ?? [];
    const other = addresses.find((a) => a.type !== FRONTEND_ADDRESS_TYPE);
    if (other) {
      return { ok: false, problem: { reason: "UnsupportedAddress", message: `spec.addresses: type '${other.type ?? "IPAddress"}' is not supported; name a Frontend with type ${FRONTEND_ADDRESS_TYPE}, or give no address` } };
    }
    const names = [...new Set(addresses.map((a) => String(a.value ?? "")))];
    if (names.length > 1) {
      return { ok: false, problem: { reason: "UnsupportedAddress", message: `spec.addresses names ${names.length} Frontends (${names.join(", ")}); a Gateway uses one` } };
    }
    return this.bind("Gateway", gateway, names[0]);
  }

  bindIngress(ingress: KubeObject): BindingResult {
    const annotations = ingress.metadata.annotations ?? {};
    const name = annotations[INGRESS_FRONTEND_ANNOTATION];
    const namespace = annotations[INGRESS_FRONTEND_NAMESPACE_ANNOTATION];
    return this.bind("Ingress", ingress, name && namespace ? `${namespace}/${name}` : name);
  }

  private bind(kind: "Gateway" | "Ingress", consumer: KubeObject, frontendReference: string | undefined): BindingResult {
    const namespace = namespaceOf(consumer);
    if (!frontendReference) {
      const owner: DataplaneOwner = { kind, namespace, name: consumer.metadata.name };
      return { ok: true, binding: { consumerKind: kind, consumer, owner, slot: { kind, namespace, name: consumer.metadata.name, index: 0 } } };
    }
    const found = this.frontend(frontendReference, namespace);
    if ("reason" in found) return { ok: false, problem: found };
    return { ok: true, binding: { consumerKind: kind, consumer, owner: found.owner, slot: found.slot } };
  }
}

/**
 * AGC011: of the consumers sharing a Frontend, the oldest keeps it; the others are refused
 * with the rule's message.
 */
export function refuseSharedFrontends(bindings: readonly Binding[], report: ReportViolation): Map<Binding, Problem> {
  const byFrontend: Record<string, FrontendConsumer[]> = {};
  const ordered = [...bindings].filter((b) => b.slot.kind === "Frontend").sort((a, b) => byCreationThenName(a.consumer, b.consumer) || a.consumerKind.localeCompare(b.consumerKind));
  for (const b of ordered) {
    const key = `${b.slot.namespace}/${b.slot.name}`;
    (byFrontend[key] ??= []).push({ kind: b.consumerKind, namespace: namespaceOf(b.consumer), name: b.consumer.metadata.name });
  }
  const refused = new Map<Binding, Problem>();
  for (const v of checkFrontendUsage(byFrontend)) {
    const b = ordered.find((x) => x.consumerKind === v.resource.kind && keyOf(x.consumer) === v.resource.name);
    if (b) refused.set(b, { reason: "UnsupportedAddress", message: v.message });
    report(v);
  }
  return refused;
}
