// diff does no I/O: it runs here without a cluster.
import { applyConflictMessage, handlersFor, stillThereMessage } from "../../../provider/handlers";
import { KubeError } from "../../../kube/client";
import { KindName } from "../../../model/kinds";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const GW_ID = "agc-system/trafficcontrollers/gw";
const SN_ID = "agc-system/subnetdelegations/sn";

const inputs: Record<KindName, Record<string, any>> = {
  TrafficController: { name: "gw", location: "westeurope", tags: { env: "dev" }, kubeconfig: "/a/kubeconfig", timeoutSeconds: 300 },
  Frontend: { name: "fe", trafficControllerId: GW_ID, tags: { env: "dev" }, kubeconfig: "/a/kubeconfig" },
  Association: { name: "as", trafficControllerId: GW_ID, subnetId: SN_ID, associationType: "subnets", tags: { env: "dev" } },
  SubnetDelegation: { name: "sn", location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" },
};

async function diff(kind: KindName, change: Record<string, any>) {
  const olds = inputs[kind];
  return handlersFor(kind).diff!(`agc-system/x/${olds.name}`, olds, { ...olds, ...change });
}

describe("diff", () => {
  it("reports nothing when nothing changed", async () => {
    for (const kind of Object.keys(inputs) as KindName[]) {
      expect(await diff(kind, {})).toMatchObject({ changes: false, replaces: [], deleteBeforeReplace: false });
    }
  });

  it("replaces a child moved to another parent, deleting first since the object name stays", async () => {
    expect(await diff("Frontend", { trafficControllerId: "agc-system/trafficcontrollers/gw2" })).toMatchObject({
      changes: true,
      replaces: ["trafficControllerId"],
      deleteBeforeReplace: true,
    });
  });

  it("replaces an association moved to another subnet", async () => {
    expect(await diff("Association", { subnetId: "agc-system/subnetdelegations/sn2" })).toMatchObject({
      changes: true,
      replaces: ["subnetId"],
      deleteBeforeReplace: true,
    });
  });

  it("replaces a gateway moved to another region", async () => {
    expect(await diff("TrafficController", { location: "northeurope" })).toMatchObject({ changes: true, replaces: ["location"] });
  });

  it("updates tags in place", async () => {
    for (const kind of ["TrafficController", "Frontend", "Association"] as KindName[]) {
      expect(await diff(kind, { tags: { env: "prod" } })).toMatchObject({ changes: true, replaces: [], deleteBeforeReplace: false });
      expect(await diff(kind, { tags: undefined })).toMatchObject({ changes: true, replaces: [] });
    }
  });

  it("updates a subnet's prefix in place", async () => {
    expect(await diff("SubnetDelegation", { addressPrefix: "10.1.0.0/23" })).toMatchObject({ changes: true, replaces: [] });
  });

  it("treats an unknown value in a replace-on-change property as a replacement", async () => {
    expect(await diff("Frontend", { trafficControllerId: UNKNOWN })).toMatchObject({ changes: true, replaces: ["trafficControllerId"], deleteBeforeReplace: true });
    expect(await diff("Association", { subnetId: UNKNOWN })).toMatchObject({ changes: true, replaces: ["subnetId"] });
  });

  it("treats an unknown tag as an update", async () => {
    expect(await diff("Frontend", { tags: UNKNOWN })).toMatchObject({ changes: true, replaces: [] });
  });

  it("sees no change at all in kubeconfig or timeoutSeconds", async () => {
    expect(await diff("TrafficController", { kubeconfig: "/b/other", timeoutSeconds: 10 })).toMatchObject({ changes: false, replaces: [] });
    expect(await diff("Frontend", { kubeconfig: UNKNOWN })).toMatchObject({ changes: false, replaces: [] });
  });

  it("creates before deleting when the object name changes", async () => {
    expect(await diff("TrafficController", { name: "gw-b" })).toMatchObject({ changes: true, replaces: ["name"], deleteBeforeReplace: false });
    expect(await diff("Frontend", { namespace: "team-b" })).toMatchObject({ changes: true, replaces: ["namespace"], deleteBeforeReplace: false });
    // A name that differs only in case maps to another object.
    expect(await diff("TrafficController", { name: "GW" })).toMatchObject({ replaces: ["name"], deleteBeforeReplace: false });
  });

  it("sees no change when a default is written out explicitly", async () => {
    expect(await diff("Frontend", { namespace: "agc-system", type: "public" })).toMatchObject({ changes: false, replaces: [] });
    expect(await diff("Association", { associationType: undefined })).toMatchObject({ changes: false, replaces: [] });
    expect(await diff("SubnetDelegation", { virtualNetworkName: "default", delegation: "Microsoft.ServiceNetworking/trafficControllers" })).toMatchObject({
      changes: false,
      replaces: [],
    });
    // And back: leaving a default out again is no change either.
    const assoc = handlersFor("Association");
    expect(await assoc.diff!("id", { ...inputs.Association, namespace: "agc-system" }, { ...inputs.Association, associationType: undefined })).toMatchObject({
      changes: false,
      replaces: [],
    });
  });

  it("still replaces when a default is changed to something else", async () => {
    expect(await diff("SubnetDelegation", { virtualNetworkName: "vnet-2" })).toMatchObject({ changes: true, replaces: ["virtualNetworkName"] });
    expect(await diff("Frontend", { namespace: "agc-system", trafficControllerId: "agc-system/trafficcontrollers/gw2" })).toMatchObject({
      replaces: ["trafficControllerId"],
      deleteBeforeReplace: true,
    });
  });
});

describe("applyConflictMessage", () => {
  it("names each field and the manager that owns it, and the way to take them over", () => {
    const conflict = new KubeError(409, "Conflict", 'Apply failed with 2 conflicts: conflict with "kubectl-edit" using alb.agc.dev/v1alpha1: .spec.location', {
      details: {
        causes: [
          { type: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using alb.agc.dev/v1alpha1', field: ".spec.location" },
          { type: "FieldManagerConflict", message: 'conflict with "ops-script" using alb.agc.dev/v1alpha1', field: ".spec.tags.env" },
        ],
      },
    });
    expect(applyConflictMessage("TrafficController", "gw", conflict)).toBe(
      "TrafficController 'gw': fields this program sets are managed by another field manager: " +
        '.spec.location (conflict with "kubectl-edit" using alb.agc.dev/v1alpha1), .spec.tags.env (conflict with "ops-script" using alb.agc.dev/v1alpha1). ' +
        'Set them back to what this program says, or add the annotation pulumi.com/patchForce: "true" to take them over',
    );
  });
});

describe("stillThereMessage", () => {
  it("says what keeps a deleted object alive", () => {
    const obj = { metadata: { name: "gw", deletionTimestamp: "2026-11-22T08:00:00Z", finalizers: ["agc.test/hold", "other/x"] } };
    expect(stillThereMessage("TrafficController", "gw", obj, 2)).toBe(
      "TrafficController 'gw' is still there 2 s after it was deleted (deletion started 2026-11-22T08:00:00Z; waiting for finalizers agc.test/hold, other/x)",
    );
    expect(stillThereMessage("Frontend", "fe", { metadata: { name: "fe" } }, 300)).toBe("Frontend 'fe' is still there 300 s after it was deleted (no deletion started)");
  });
});
