import { irFromConfigMap, parseConfigMapRef } from "../../../dataplane/configmap";

describe("IR from a ConfigMap", () => {
  it("reads the ir.json key with its resourceVersion", () => {
    const cm = { metadata: { resourceVersion: "42" }, data: { "ir.json": '{"apiVersion":"ir.agc.dev/v1"}' } };
    expect(irFromConfigMap(cm, "agc-system/gw")).toEqual({ ok: true, document: { apiVersion: "ir.agc.dev/v1" }, resourceVersion: "42" });
  });

  it("says what is missing", () => {
    expect(irFromConfigMap(undefined, "agc-system/gw")).toEqual({ ok: false, error: "ConfigMap agc-system/gw does not exist (yet)" });
    expect(irFromConfigMap({ data: {} }, "agc-system/gw")).toEqual({ ok: false, error: "ConfigMap agc-system/gw has no 'ir.json' key" });
    const bad = irFromConfigMap({ data: { "ir.json": "{ [" } }, "a/b");
    expect(bad.ok).toBe(false);
    expect((bad as { error: string }).error).toMatch(/^ConfigMap a\/b key 'ir.json': /);
  });

  it("parses NAMESPACE/NAME", () => {
    expect(parseConfigMapRef("agc-system/gw-ir")).toEqual({ namespace: "agc-system", name: "gw-ir" });
    expect(parseConfigMapRef("gw-ir")).toBeUndefined();
    expect(parseConfigMapRef("A/b")).toBeUndefined();
  });
});
