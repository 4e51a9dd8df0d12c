// The helpers the e2e tests apply plain manifests with: reading YAML, finding a kind's REST
// resource in the API server's discovery answer, the object's path.
import { parseManifests } from "../../support/manifests";
import { objectPath, resourceOfKind } from "../../../kube/manifests";

const discovery = {
  kind: "APIResourceList",
  groupVersion: "gateway.networking.k8s.io/v1",
  resources: [
    { name: "gatewayclasses", kind: "GatewayClass", namespaced: false },
    { name: "gateways/status", kind: "Gateway", namespaced: true },
    { name: "gateways", kind: "Gateway", namespaced: true },
  ],
};

test("a kind's resource is its plural, not a subresource, and says whether it is namespaced", () => {
  expect(resourceOfKind(discovery, "Gateway")).toEqual({ plural: "gateways", namespaced: true });
  expect(resourceOfKind(discovery, "GatewayClass")).toEqual({ plural: "gatewayclasses", namespaced: false });
  expect(resourceOfKind(discovery, "HTTPRoute")).toBeUndefined();
  expect(resourceOfKind(undefined, "Gateway")).toBeUndefined();
});

test("a namespaced object's path names its namespace; a cluster-scoped one's does not", () => {
  const gw = { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "echo", namespace: "echo" } };
  expect(objectPath(gw, { plural: "gateways", namespaced: true })).toBe("/apis/gateway.networking.k8s.io/v1/namespaces/echo/gateways/echo");
  const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "echo" } };
  expect(objectPath(ns, { plural: "namespaces", namespaced: false })).toBe("/api/v1/namespaces/echo");
});

test("multi-document YAML reads in file order, comments and empty documents left out; a syntax error names itself", () => {
  expect(parseManifests("# header\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n").map((o) => o.metadata.name)).toEqual(["a", "b"]);
  expect(() => parseManifests("kind: [Namespace\n")).toThrow(/^YAML: /);
});
