import { API_VERSION, AgcObject } from "../../../model/kinds";
import { checkInventory, inventoryFromObjects } from "../../../model/rules";

const meta = (name: string, created: string, extra: Record<string, unknown> = {}) => ({ name, namespace: "agc-system", creationTimestamp: created, ...extra });

describe("inventoryFromObjects", () => {
    const gw: AgcObject<"TrafficController"> = { apiVersion: API_VERSION, kind: "TrafficController", metadata: meta("gw", "2025-01-01T00:00:00Z"), spec: { location: "westeurope" } };
    const sn: AgcObject<"SubnetDelegation"> = {
        apiVersion: API_VERSION,
        kind: "SubnetDelegation",
        metadata: meta("sn", "2025-01-01T00:00:00Z"),
        spec: { location: "westeurope", virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix: "10.1.0.0/24" },
    };
    const assoc = (name: string, created: string): AgcObject<"Association"> => ({
        apiVersion: API_VERSION,
        kind: "Association",
        metadata: meta(name, created),
        spec: { trafficControllerRef: { name: "gw" }, associationType: "subnets", subnetRef: { name: "sn" } },
        status: { allocatedPrefix: "10.1.0.0/24" },
    });
    const fe: AgcObject<"Frontend"> = {
        apiVersion: API_VERSION,
        kind: "Frontend",
        metadata: meta("my-fe-0123456789", "2025-01-01T00:00:00Z", { annotations: { "alb.agc.dev/name": "My_FE" } }),
        spec: { trafficControllerRef: { name: "gw" } },
    };

    it("keys entries by id, names them by their AGC name and fills defaults", () => {
        const inventory = inventoryFromObjects({ trafficControllers: [gw], frontends: [fe], associations: [assoc("as", "2025-01-02T00:00:00Z")], subnetDelegations: [sn] });
        expect(inventory).toEqual({
            gateways: [{ key: "agc-system/trafficcontrollers/gw", name: "gw", location: "westeurope" }],
            frontends: [{ key: "agc-system/frontends/my-fe-0123456789", name: "My_FE", gatewayKey: "agc-system/trafficcontrollers/gw", type: "public" }],
            associations: [
                {
                    key: "agc-system/associations/as",
                    name: "as",
                    gatewayKey: "agc-system/trafficcontrollers/gw",
                    subnetKey: "agc-system/subnetdelegations/sn",
                    associationType: "subnets",
                    allocatedPrefix: "10.1.0.0/24",
                },
            ],
            subnets: [
                {
                    key: "agc-system/subnetdelegations/sn",
                    name: "sn",
                    location: "westeurope",
                    virtualNetworkName: "agc-system/default",
                    virtualNetworkAddressSpace: ["10.1.0.0/16"],
                    addressPrefix: "10.1.0.0/24",
                    delegation: "Microsoft.ServiceNetworking/trafficControllers",
                },
            ],
        });
        expect(checkInventory(inventory, { strictReferences: true, singleResourceRules: true })).toEqual([]);
    });

    it("orders by creation so the newest object is the one reported", () => {
        const inventory = inventoryFromObjects({
            trafficControllers: [gw],
            frontends: [],
            associations: [assoc("newer", "2025-03-01T00:00:00Z"), assoc("older", "2025-02-01T00:00:00Z")],
            subnetDelegations: [sn],
        });
        expect(checkInventory(inventory).map((v) => `${v.code} ${v.resource.name}`)).toEqual(["AGC001 newer", "AGC005 newer"]);
    });
});
