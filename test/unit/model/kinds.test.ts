import { createHash } from "crypto";
import fc from "fast-check";
import {
    AGC_NAME_PATTERN,
    API_VERSION,
    DEFAULT_NAMESPACE,
    KINDS,
    formatId,
    isValidAgcName,
    objectNameFor,
    parseId,
} from "../../../model/kinds";

describe("constants", () => {
    it("names the group, version and namespace", () => {
        expect(API_VERSION).toBe("alb.agc.dev/v1alpha1");
        expect(DEFAULT_NAMESPACE).toBe("agc-system");
        expect(KINDS.TrafficController.plural).toBe("trafficcontrollers");
        expect(KINDS.SubnetDelegation.plural).toBe("subnetdelegations");
    });

    it("accepts AGC names of 1 to 64 characters with alphanumeric ends", () => {
        for (const ok of ["a", "A1", "gw_1.prod-x", "x".repeat(64)]) expect(isValidAgcName(ok)).toBe(true);
        for (const bad of ["", "-a", "a-", "a_", "x".repeat(65), "a b", "é", 5]) expect(isValidAgcName(bad)).toBe(false);
    });
});

describe("ids", () => {
    it("formats and parses", () => {
        const id = formatId("TrafficController", "agc-system", "gw");
        expect(id).toBe("agc-system/trafficcontrollers/gw");
        expect(parseId(id, "TrafficController")).toEqual({ ok: true, kind: "TrafficController", namespace: "agc-system", name: "gw" });
    });

    it("says when an id is of another kind", () => {
        expect(parseId("agc-system/frontends/fe", "TrafficController")).toEqual({
            ok: false,
            error: "'agc-system/frontends/fe' is the id of a Frontend, not of a TrafficController: expected <namespace>/trafficcontrollers/<name>, e.g. 'agc-system/trafficcontrollers/my-name'",
        });
    });

    it("says when an id is malformed", () => {
        expect(parseId("gw", "TrafficController")).toEqual({
            ok: false,
            error: "'gw' is not a TrafficController id: expected <namespace>/trafficcontrollers/<name>, e.g. 'agc-system/trafficcontrollers/my-name'",
        });
        expect(parseId("a/widgets/b", "Frontend")).toMatchObject({ ok: false, error: expect.stringContaining("'widgets' is not a known kind") });
        expect(parseId("A_B/frontends/b", "Frontend")).toMatchObject({ ok: false, error: expect.stringContaining("namespace 'A_B' is not a valid Kubernetes namespace") });
        expect(parseId(42, "Frontend")).toMatchObject({ ok: false, error: "expected a Frontend id such as 'agc-system/frontends/my-name', got number" });
    });
});

const agcNameArb = fc.stringMatching(AGC_NAME_PATTERN);

// Oracles written out here, independent of model/kinds: Kubernetes' DNS-1123 subdomain rule
// (dot-separated labels of [a-z0-9-] with alphanumeric ends, 253 characters at most) and the
// first 10 hex digits of the sha256 of the AGC name.
const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const isObjectName = (name: string) => name.length <= 253 && new RegExp(`^${LABEL}(\\.${LABEL})*$`).test(name);
const sha10 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex").slice(0, 10);

describe("objectNameFor", () => {
    it("keeps names that are already valid object names", () => {
        expect(objectNameFor("gw")).toBe("gw");
        expect(objectNameFor("gw.prod-1")).toBe("gw.prod-1");
    });

    it("lowers and cleans other names, adding a hash of the original", () => {
        // `printf Gw | sha256sum` starts 23395cbe73.
        expect(objectNameFor("Gw")).toBe("gw-23395cbe73");
        expect(objectNameFor("my_gw")).toBe("my-gw-c53a18120a");
        expect(objectNameFor("a.-b")).toBe("a--b-cf3cd0bc6d");
        expect(objectNameFor("GW")).not.toBe("gw");
    });

    it("always gives a valid object name", () => {
        fc.assert(fc.property(agcNameArb, (name) => expect(isObjectName(objectNameFor(name))).toBe(true)), { numRuns: 2000 });
    });

    it("keeps valid object names, and gives any other name a suffix hashing it", () => {
        fc.assert(
            fc.property(agcNameArb, (name) => {
                const objectName = objectNameFor(name);
                if (isObjectName(name)) expect(objectName).toBe(name);
                else expect(objectName.endsWith(sha10(name))).toBe(true);
            }),
            { numRuns: 2000 },
        );
    });

    it("is injective on a generated sample", () => {
        fc.assert(
            fc.property(fc.uniqueArray(agcNameArb, { minLength: 50, maxLength: 300 }), (names) => {
                expect(new Set(names.map(objectNameFor)).size).toBe(names.length);
            }),
            { numRuns: 50 },
        );
    });

    it("keeps case variants and separator variants apart", () => {
        const variants = ["ab", "AB", "Ab", "aB", "a_b", "a-b", "a.b", "A_B", "A-B", "a__b", "a--b", "a_-b"];
        expect(new Set(variants.map(objectNameFor)).size).toBe(variants.length);
    });
});
