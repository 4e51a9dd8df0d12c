// The Kubernetes objects a program declares (Gateways, HTTPRoutes, Ingresses, Services, and our
// own resources as the custom resources they become), checked by the controller's own
// translation before anything is created: a rule only the controller could see broken
// (AGC006, AGC011-AGC014) fails the plan with the code and message the controller would write
// in a status. Pure: Pulumi's preview (sdk/kubernetesChecks.ts) and CDKTF's synth (cdktf/) feed it.
import { GATEWAY_CLASS, INGRESS_CLASS } from "../controller/install";
import { BINDINGS, desiredObject } from "../model/bindings";
import { PlannedResource, Violation, containsUnknown, plannedName } from "../model/rules";
import { CONTROLLER_NAME, KubeObject, snapshotFromObjects, translate } from "../translate";
import { keyOf } from "../translate/objects";

/** The kinds translation reads, as a program may declare them through @pulumi/kubernetes. */
export const TRANSLATED_KINDS: ReadonlySet<string> = new Set([
  "GatewayClass",
  "Gateway",
  "HTTPRoute",
  "ReferenceGrant",
  "Ingress",
  "IngressClass",
  "Service",
  "EndpointSlice",
  "Secret",
  "Namespace",
  "HealthCheckPolicy",
  "RoutePolicy",
  "TrafficController",
  "Frontend",
  "Association",
  "SubnetDelegation",
]);

/** An object the program declares, with what declared it (where its problems are reported). */
export interface DeclaredObject<Owner> {
  object: KubeObject;
  owner: Owner;
}

export interface OwnedViolation<Owner> {
  violation: Violation;
  owner: Owner;
}

/**
 * The rules the declared objects break, each with the declaration it names. Objects are
 * listed in declaration order, which stands in for creation order: of two Gateways sharing a
 * Frontend, the one declared first keeps it. The classes `agc` are assumed installed (by
 * AlbController, here or in another stack) when the program does not declare them.
 */
export function declaredObjectViolations<Owner>(declared: readonly DeclaredObject<Owner>[]): OwnedViolation<Owner>[] {
  const objects = declared.map(({ object }, index) => inDeclarationOrder(object, index));
  const { snapshot } = snapshotFromObjects([...objects, ...assumedClasses(objects)]);
  const { violations } = translate(snapshot, { controllerName: CONTROLLER_NAME });
  const owners = new Map<string, Owner>();
  for (const { object, owner } of declared) {
    for (const name of [keyOf(object), object.metadata.name]) {
      const key = `${object.kind}/${name}`;
      if (!owners.has(key)) owners.set(key, owner);
    }
  }
  return violations.flatMap((violation) => {
    const owner = owners.get(`${violation.resource.kind}/${violation.resource.name}`);
    return owner === undefined ? [] : [{ violation, owner }];
  });
}

const DECLARATION_EPOCH = Date.UTC(2000, 0, 1);

function inDeclarationOrder(object: KubeObject, index: number): KubeObject {
  const creationTimestamp = new Date(DECLARATION_EPOCH + index * 1000).toISOString();
  return { ...object, metadata: { ...object.metadata, creationTimestamp } };
}

function assumedClasses(objects: readonly KubeObject[]): KubeObject[] {
  const declares = (kind: string, name: string) => objects.some((o) => o.kind === kind && o.metadata.name === name);
  const assumed: KubeObject[] = [];
  if (!declares("GatewayClass", GATEWAY_CLASS)) {
    assumed.push({ apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: GATEWAY_CLASS }, spec: { controllerName: CONTROLLER_NAME } });
  }
  if (!declares("IngressClass", INGRESS_CLASS)) {
    assumed.push({ apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: INGRESS_CLASS }, spec: { controller: CONTROLLER_NAME } });
  }
  return assumed;
}

/**
 * The object a custom resource of ours becomes, as far as preview knows it: undefined while
 * any of it is unknown, or a reference cannot be followed to its resource.
 */
export function plannedObject(planned: PlannedResource): KubeObject | undefined {
  const inputs = { ...planned.props, ...planned.references, name: plannedName(planned.declaredName, planned.props) };
  try {
    const object = desiredObject(BINDINGS[planned.kind], inputs) as unknown as KubeObject;
    return containsUnknown(object) ? undefined : object;
  } catch {
    return undefined; // a reference that names no resource: the checks across resources report it
  }
}
