// The @pulumi/kubernetes objects a program declares, seen as they are constructed and read once
// their inputs resolve, for the controller's rules at preview (sdk/declaredObjects.ts).
import * as pulumi from "@pulumi/pulumi";
import { containsUnknown } from "../model/rules";
import { KubeObject } from "../translate";
import { TRANSLATED_KINDS } from "./declaredObjects";
import { resolveInput } from "./references";

/**
 * The kind of a @pulumi/kubernetes resource when translation reads it, from its type token
 * (`kubernetes:core/v1:Service`, `kubernetes:gateway.networking.k8s.io/v1:Gateway`).
 */
export function translatedKindOf(type: string): string | undefined {
  const [pkg, , kind] = type.split(":");
  return pkg === "kubernetes" && kind !== undefined && TRANSLATED_KINDS.has(kind) ? kind : undefined;
}

/**
 * The object a @pulumi/kubernetes resource declares, once its inputs resolve: undefined when
 * any of it is unknown at preview, or it has no name of its own (Pulumi names it at update).
 * A Secret's data is never read: translation takes a Secret without data as valid.
 */
export async function declaredObject(kind: string, props: Record<string, unknown>): Promise<KubeObject | undefined> {
  const read = kind === "Secret" ? { apiVersion: props.apiVersion, metadata: props.metadata, type: props.type } : props;
  const value = (await resolveInput(read)) as Record<string, any>;
  if (containsUnknown(value) || typeof value?.metadata?.name !== "string") return undefined;
  return { ...value, kind, metadata: value.metadata };
}

/**
 * Calls `observe` with every @pulumi/kubernetes resource of a kind translation reads, as it
 * is constructed, anywhere in the program (components' children too). It only observes: the
 * resource is registered as declared. Outside a running stack (unit tests) it does nothing.
 */
export function observeKubernetesObjects(observe: (resource: pulumi.Resource, kind: string, props: Record<string, unknown>) => void): void {
  if (!pulumi.runtime.getStackResource()) return;
  pulumi.runtime.registerStackTransformation(({ resource, type, props }) => {
    const kind = translatedKindOf(type);
    if (kind) observe(resource, kind, props);
    return undefined;
  });
}
