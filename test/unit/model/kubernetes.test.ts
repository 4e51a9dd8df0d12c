import {
    GATEWAY_LIMITS,
    checkFrontendUsage,
    checkGatewayObjectListeners,
    checkGatewayUsage,
    checkKubernetesNameLength,
    checkListenerPort,
} from "../../../model/rules";

describe("AGC011: a frontend serves exactly one Gateway or Ingress", () => {
    it("reports every consumer past the first", () => {
        const found = checkFrontendUsage({
            fe: [
                { kind: "Gateway", namespace: "web", name: "gw" },
                { kind: "Ingress", namespace: "web", name: "ws" },
            ],
            fe2: [{ kind: "Ingress", namespace: "web", name: "other" }],
            unused: [],
        });
        expect(found.map((v) => v.message)).toEqual([
            "Ingress 'web/ws': property frontend: frontend 'fe' already serves Gateway web/gw; a frontend serves exactly one Gateway or Ingress: give this one its own frontend [AGC011]",
        ]);
    });

    it("passes one consumer per frontend", () => {
        expect(checkFrontendUsage({ fe: [{ kind: "Gateway", namespace: "web", name: "gw" }] })).toEqual([]);
    });
});

describe("AGC012: listeners accept ports 80 and 443 only", () => {
    it("refuses other ports and says which are allowed", () => {
        expect(checkListenerPort({ kind: "Gateway", name: "web/gw" }, "spec.listeners[1].port", 8080)?.message).toBe(
            "Gateway 'web/gw': property spec.listeners[1].port: 8080 is not an allowed listener port; listeners accept ports 80 (HTTP) and 443 (HTTPS) only [AGC012]",
        );
        expect(checkListenerPort({ kind: "Gateway", name: "web/gw" }, "port", "80")?.code).toBe("AGC012");
    });

    it("accepts 80 and 443", () => {
        expect(checkListenerPort({ kind: "Gateway", name: "web/gw" }, "port", 80)).toBeUndefined();
        expect(checkListenerPort({ kind: "Gateway", name: "web/gw" }, "port", 443)).toBeUndefined();
    });
});

describe("AGC013: Kubernetes-side limits", () => {
    it("reports each count over its limit", () => {
        const found = checkGatewayUsage("gw", { listeners: 201, routes: 200, rules: 250, services: 101, endpoints: 5001, certificateReferences: 101 });
        expect(found.map((v) => v.message)).toEqual([
            "TrafficController 'gw': property listeners: gateway 'gw' has 201 listeners; at most 200 are allowed per gateway [AGC013]",
            "TrafficController 'gw': property rules: gateway 'gw' has 250 routing rules; at most 200 are allowed per gateway [AGC013]",
            "TrafficController 'gw': property services: gateway 'gw' has 101 backend services; at most 100 are allowed per gateway [AGC013]",
            "TrafficController 'gw': property endpoints: gateway 'gw' has 5001 backend endpoints; at most 5000 are allowed per gateway [AGC013]",
            "TrafficController 'gw': property certificateReferences: gateway 'gw' has 101 certificate references; at most 100 are allowed per gateway [AGC013]",
        ]);
    });

    it("names the owner of a managed data plane (a Gateway or Ingress) by its kind", () => {
        expect(checkGatewayUsage("web/gw", { rules: 201 }, "Gateway").map((v) => v.message)).toEqual([
            "Gateway 'web/gw': property rules: gateway 'web/gw' has 201 routing rules; at most 200 are allowed per gateway [AGC013]",
        ]);
    });

    it("passes counts at the limits, and skips counts not given", () => {
        expect(checkGatewayUsage("gw", { ...GATEWAY_LIMITS })).toEqual([]);
        expect(checkGatewayUsage("gw", {})).toEqual([]);
    });

    it("limits one Gateway object to 64 listeners", () => {
        expect(checkGatewayObjectListeners("web/gw", 65)?.message).toBe(
            "Gateway 'web/gw': property spec.listeners: 65 listeners declared; at most 64 are allowed per Gateway: split it into several Gateways [AGC013]",
        );
        expect(checkGatewayObjectListeners("web/gw", 64)).toBeUndefined();
    });
});

describe("AGC014: names up to 128 characters", () => {
    it("refuses longer names", () => {
        const long = "r".repeat(129);
        expect(checkKubernetesNameLength({ kind: "HTTPRoute", name: "web/x" }, "metadata.name", long)?.message).toBe(
            `HTTPRoute 'web/x': property metadata.name: '${long}' has 129 characters; at most 128 are allowed [AGC014]`,
        );
        expect(checkKubernetesNameLength({ kind: "HTTPRoute", name: "web/x" }, "metadata.name", "r".repeat(128))).toBeUndefined();
    });
});
