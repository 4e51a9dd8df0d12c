// ReferenceGrant: a reference into another namespace is allowed only when the target
// namespace holds a grant from the referrer's group/kind/namespace to the target's group/kind
// (and name, when the grant names one).
import { KubeObject } from "./types";
import { live, namespaceOf } from "./objects";

export interface ReferenceFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface ReferenceTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function referencePermitted(grants: readonly KubeObject[], from: ReferenceFrom, to: ReferenceTo): boolean {
  if (from.namespace === to.namespace) return true;
  return live(grants).some(
    (grant) =>
      namespaceOf(grant) === to.namespace &&
      (grant.spec?.from ?? []).some((f: any) => (f.group ?? "") === from.group && f.kind === from.kind && f.namespace === from.namespace) &&
      (grant.spec?.to ?? []).some((t: any) => (t.group ?? "") === to.group && t.kind === to.kind && (!t.name || t.name === to.name)),
  );
}
