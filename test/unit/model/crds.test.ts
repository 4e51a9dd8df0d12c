import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import { parse } from "yaml";
import { DNS1123_SUBDOMAIN_PATTERN, IPV4_CIDR_PATTERN, crdManifests } from "../../../model/crds";
import { REGENERATE_COMMAND, renderCrdFiles } from "../../../model/gen-crds";
import { parsePrefix } from "../../../model/cidr";
import { objectNameFor, AGC_NAME_PATTERN } from "../../../model/kinds";

const crdsDir = path.resolve(__dirname, "../../../crds");

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const byKind = (kind: string): Json => crdManifests().find((m: Json) => m.spec.names.kind === kind);
const versionOf = (kind: string): Json => byKind(kind).spec.versions[0];
const specOf = (kind: string): Json => versionOf(kind).schema.openAPIV3Schema.properties.spec;

describe("committed CRDs", () => {
    it(`match model/crds.ts (if not, regenerate: ${REGENERATE_COMMAND})`, () => {
        const expected = renderCrdFiles();
        const committed = fs.existsSync(crdsDir) ? fs.readdirSync(crdsDir).filter((n) => n.endsWith(".yaml")).sort() : [];
        const stale: string[] = [];
        if (JSON.stringify(committed) !== JSON.stringify(expected.map((f) => f.name).sort())) {
            stale.push(`files: have [${committed.join(", ")}], want [${expected.map((f) => f.name).sort().join(", ")}]`);
        }
        for (const file of expected) {
            const target = path.join(crdsDir, file.name);
            if (fs.existsSync(target) && fs.readFileSync(target, "utf8") !== file.content) stale.push(`${file.name} differs`);
        }
        if (stale.length > 0) {
            throw new Error(`crds/ is stale (${stale.join("; ")}). Regenerate with: ${REGENERATE_COMMAND}`);
        }
    });

    it("parse back to the manifests", () => {
        for (const file of renderCrdFiles()) {
            expect(crdManifests()).toContainEqual(parse(file.content));
        }
    });
});

describe("crdManifests", () => {
    it("defines the six kinds in group alb.agc.dev, v1alpha1, with a status subresource", () => {
        const manifests = crdManifests() as Json[];
        expect(manifests.map((m) => m.metadata.name)).toEqual([
            "trafficcontrollers.alb.agc.dev",
            "frontends.alb.agc.dev",
            "associations.alb.agc.dev",
            "subnetdelegations.alb.agc.dev",
            "healthcheckpolicies.alb.agc.dev",
            "routepolicies.alb.agc.dev",
        ]);
        for (const m of manifests) {
            expect(m.apiVersion).toBe("apiextensions.k8s.io/v1");
            expect(m.spec.scope).toBe("Namespaced");
            expect(m.spec.versions).toHaveLength(1);
            expect(m.spec.versions[0]).toMatchObject({ name: "v1alpha1", served: true, storage: true, subresources: { status: {} } });
        }
    });

    it("shows State, FQDN and Age columns", () => {
        const columns = (kind: string) => versionOf(kind).additionalPrinterColumns.map((c: Json) => c.name);
        expect(columns("Frontend")).toEqual(["State", "Gateway", "FQDN", "Age"]);
        expect(columns("TrafficController")).toEqual(["State", "Location", "Age"]);
        expect(versionOf("Frontend").additionalPrinterColumns[2].jsonPath).toBe(".status.fqdn");
    });

    it("rejects private frontends in CEL with the same message as the preview rule", () => {
        expect(specOf("Frontend")["x-kubernetes-validations"]).toEqual([
            { rule: "!has(self.type) || self.type != 'private'", message: "private frontends are not supported yet; use 'public' (the default)", fieldPath: ".type" },
        ]);
        expect(specOf("Frontend").properties.type).toMatchObject({ enum: ["public", "private"], default: "public" });
    });

    it("makes parent and subnet references immutable", () => {
        for (const [kind, field] of [["Frontend", "trafficControllerRef"], ["Association", "trafficControllerRef"], ["Association", "subnetRef"]] as const) {
            expect(specOf(kind).properties[field]["x-kubernetes-validations"]).toEqual([expect.objectContaining({ rule: "self == oldSelf" })]);
            expect(specOf(kind).properties[field]["x-kubernetes-validations"][0].message).toContain(`${field} is immutable`);
        }
    });

    it("puts single-object rules in the schema", () => {
        expect(specOf("Association").properties.associationType.enum).toEqual(["subnets"]);
        expect(specOf("SubnetDelegation").properties.virtualNetworkAddressSpace.minItems).toBe(1);
        expect(specOf("SubnetDelegation").properties.addressPrefix["x-kubernetes-validations"][0].message).toBe(
            "an association needs 256 addresses: use a /24 or larger prefix",
        );
        expect(specOf("SubnetDelegation").required).toEqual(["location", "virtualNetworkAddressSpace", "addressPrefix"]);
        expect(versionOf("TrafficController").schema.openAPIV3Schema.properties.status.properties.provisioningState.enum).toEqual([
            "Provisioning", "Updating", "Deleting", "Accepted", "Succeeded", "Failed", "Canceled",
        ]);
    });

    it("shapes the policies like the product's", () => {
        const hc = specOf("HealthCheckPolicy");
        expect(Object.keys(hc.properties.default.properties)).toEqual(["interval", "timeout", "healthyThreshold", "unhealthyThreshold", "port", "http", "useTLS"]);
        expect(hc.properties.default.properties.http.properties.match.properties.statusCodes.items.required).toEqual(["start", "end"]);
        expect(hc.properties.targetRef.required).toEqual(["group", "kind", "name"]);
        const rp = specOf("RoutePolicy");
        expect(rp.properties.default.properties.timeouts.properties.routeTimeout.type).toBe("string");
        expect(rp.properties.default.properties.sessionAffinity.properties.affinityType.enum).toEqual(["managed-cookie", "application-cookie"]);
    });
});

describe("schema patterns", () => {
    const cidrPattern = new RegExp(IPV4_CIDR_PATTERN);
    const dnsPattern = new RegExp(DNS1123_SUBDOMAIN_PATTERN);
    const octets = (a: number) => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".");

    it("the CIDR pattern accepts dotted quads with a length of 0..32", () => {
        for (const ok of ["10.1.0.0/16", "0.0.0.0/0", "255.255.255.255/32", "10.1.0.1/24"]) expect([ok, cidrPattern.test(ok)]).toEqual([ok, true]);
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (address, length) => {
                expect(cidrPattern.test(`${octets(address)}/${length}`)).toBe(true);
            }),
        );
    });

    it("the CIDR pattern refuses malformed prefixes", () => {
        for (const bad of ["10.1.0.0", "10.1.0/24", "256.1.0.0/16", "10.01.0.0/16", "10.1.0.0/33", "10.1.0.0/08", "10.1.0.0/-1", "fd00::/64", " 10.1.0.0/16"]) {
            expect([bad, cidrPattern.test(bad)]).toEqual([bad, false]);
        }
    });

    it("the CIDR pattern refuses what the model refuses for syntax (host bits aside: the controller checks those)", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[0-9./]{1,20}$/), (text) => {
                const parsed = parsePrefix(text);
                const hostBitsOnly = !parsed.ok && parsed.error.includes("host bits are set");
                expect(cidrPattern.test(text)).toBe(parsed.ok || hostBitsOnly);
            }),
            { numRuns: 2000 },
        );
    });

    it("the reference pattern accepts object names and refuses others", () => {
        for (const ok of ["gw", "gw.prod-1", "a", "0a-b.c"]) expect([ok, dnsPattern.test(ok)]).toEqual([ok, true]);
        for (const bad of ["Gw", "-gw", "gw-", "a..b", "a_b", ""]) expect([bad, dnsPattern.test(bad)]).toEqual([bad, false]);
    });

    it("the reference pattern accepts every object name the model makes from an AGC name", () => {
        fc.assert(fc.property(fc.stringMatching(AGC_NAME_PATTERN), (name) => expect(dnsPattern.test(objectNameFor(name))).toBe(true)));
    });
});
