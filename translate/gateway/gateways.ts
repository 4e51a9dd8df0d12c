// A Gateway of one of our classes: its binding to a data plane, its listeners, and its status.
import { isIP } from "net";
import { checkGatewayObjectListeners, checkKubernetesNameLength } from "../../model/rules";
import { KubeObject, StatusUpdate, addressKey } from "../types";
import { GATEWAY_API_VERSION, generationOf, keyOf, namespaceOf } from "../objects";
import { Problem, StatusCondition, condition, conditionOf } from "../conditions";
import { Binding } from "../bindings";
import { DataplaneBuilder } from "../dataplane";
import { Listener, ListenerContext, listenerStatus, programmed, resolveListeners } from "./listeners";

export interface GatewayState {
  gateway: KubeObject;
  binding?: Binding;
  /** Problems that keep the whole Gateway from being accepted. */
  problems: Problem[];
  listeners: Listener[];
  /** The IR frontend serving each programmed listener. */
  irFrontends: Map<Listener, string>;
  /** Problems with what it was programmed into (limits of its data plane). */
  programProblems: Problem[];
  /** AGC006: the subnet of its TrafficController holds something else. */
  subnetProblems: Problem[];
}

export function gatewayState(gateway: KubeObject, binding: Binding | Problem, context: ListenerContext): GatewayState {
  const problems: Problem[] = "reason" in binding ? [binding] : [];
  const listeners = resolveListeners(gateway, context);
  const tooMany = checkGatewayObjectListeners(keyOf(gateway), listeners.length);
  if (tooMany) problems.push({ reason: "ListenersNotValid", message: tooMany.message });
  const longName = checkKubernetesNameLength({ kind: "Gateway", name: keyOf(gateway) }, "metadata.name", gateway.metadata.name);
  if (longName) problems.push({ reason: "Invalid", message: longName.message });
  context.report(tooMany);
  context.report(longName);
  return { gateway, binding: "reason" in binding ? undefined : binding, problems, listeners, irFrontends: new Map(), programProblems: [], subnetProblems: [] };
}

/** Whether the Gateway as a whole is accepted (at least one listener accepted). */
export function gatewayAccepted(state: GatewayState): boolean {
  return state.problems.length === 0 && state.listeners.some((l) => l.accepted.length === 0);
}

/** Opens an IR frontend for every programmed listener of an accepted Gateway. */
export function programListeners(state: GatewayState, builder: DataplaneBuilder): void {
  if (!state.binding || !gatewayAccepted(state)) return;
  for (const l of state.listeners) {
    if (!programmed(l)) continue;
    state.irFrontends.set(l, builder.listen(state.binding.slot, l.port, l.protocol === "HTTPS" ? l.certificates : undefined));
  }
}

function gatewayConditions(state: GatewayState, addresses: string[], generation: number): StatusCondition[] {
  const accepted = gatewayAccepted(state);
  const invalidListeners = state.listeners.filter((l) => l.accepted.length > 0);
  let acceptedCondition: StatusCondition;
  if (state.problems.length) {
    acceptedCondition = conditionOf("Accepted", false, state.problems, generation);
  } else if (!accepted) {
    acceptedCondition = condition("Accepted", false, "ListenersNotValid", "no listener is valid: see the listeners' conditions", generation);
  } else if (invalidListeners.length) {
    const names = invalidListeners.map((l) => l.name).join(", ");
    acceptedCondition = condition("Accepted", true, "ListenersNotValid", `accepted; listeners not valid: ${names}`, generation);
  } else {
    acceptedCondition = condition("Accepted", true, "Accepted", "the Gateway is valid", generation);
  }
  let programmedCondition: StatusCondition;
  if (!accepted) programmedCondition = condition("Programmed", false, "Invalid", "the Gateway is not accepted", generation);
  else if (state.programProblems.length) {
    programmedCondition = conditionOf("Programmed", false, state.programProblems, generation);
  } else if (state.irFrontends.size === 0) {
    programmedCondition = condition("Programmed", false, "Invalid", "no listener can be served: see the listeners' conditions", generation);
  } else if (addresses.length === 0) {
    programmedCondition = condition("Programmed", false, "AddressNotAssigned", "waiting for the frontend Service's address", generation);
  } else programmedCondition = condition("Programmed", true, "Programmed", "the data plane serves this Gateway", generation);
  const conditions = [acceptedCondition, programmedCondition];
  // Traffic still flows; the subnet is a problem to fix, reported on a condition of its own.
  if (state.subnetProblems.length) conditions.push(conditionOf("SubnetExclusive", false, state.subnetProblems, generation));
  return conditions;
}

export function gatewayStatus(state: GatewayState, assigned: Readonly<Record<string, string[]>>): StatusUpdate {
  const generation = generationOf(state.gateway);
  const slot = state.binding?.slot;
  const accepted = gatewayAccepted(state);
  const addresses = slot && accepted ? assigned[addressKey(slot.kind, slot.namespace, slot.name)] ?? [] : [];
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: "Gateway",
    namespace: namespaceOf(state.gateway),
    name: state.gateway.metadata.name,
    status: {
      addresses: addresses.map((value) => ({ type: isIP(value) ? "IPAddress" : "Hostname", value })),
      conditions: gatewayConditions(state, addresses, generation),
      listeners: state.listeners.map((l) => listenerStatus(l, generation, accepted)),
    },
  };
}
