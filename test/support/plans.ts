// Generated plans (what a program declares) and the validation preview gives them: each
// resource's provider `check`, then the program's checks across resources over the plan, with
// an empty cluster read (so references to undeclared resources count, as with a cluster).
// Valid plans are built valid; an invalid one is a valid plan with one known fault, so the
// rule it must be refused with is known independently of the rules themselves.
import fc from "fast-check";
import { DEFAULT_NAMESPACE, KindName } from "../../model/kinds";
import { PlannedResource, REFERENCES, RuleCode, checkInventory, inventoryFromPlan, keyOfId } from "../../model/rules";
import { handlers } from "../../provider/handlers";

type Props = Record<string, unknown>;

export interface PlanResource {
  kind: KindName;
  /** The Pulumi resource name. */
  name: string;
  /** The resource's arguments, as a program passes them. */
  props: Props;
}

export const CODE_SUFFIX = /\[AGC\d{3}\]$/;

/** Everything preview says is wrong with a plan: the provider's check failures, then the program's. */
export async function previewMessages(plan: readonly PlanResource[]): Promise<string[]> {
  const failures = await Promise.all(plan.map(async (r) => (await handlers[r.kind].check({}, providerInputs(r))).failures ?? []));
  const planned = plan.map(plannedResource);
  const acrossResources = checkInventory(inventoryFromPlan(planned), { strictReferences: true });
  return [...failures.flat().map((f) => f.reason), ...acrossResources.map((v) => v.message)];
}

/** What the SDK hands the engine: the AGC name and namespace filled in. */
function providerInputs(r: PlanResource): Props {
  return { ...r.props, name: r.props.name ?? r.name, namespace: r.props.namespace ?? DEFAULT_NAMESPACE };
}

/** What the program checks see: references with known values are followed by their id. */
function plannedResource(r: PlanResource): PlannedResource {
  const references = Object.fromEntries(REFERENCES[r.kind].map((ref) => [ref.property, keyOfId(r.props[ref.property], ref.kind)]));
  return { kind: r.kind, declaredName: r.name, props: r.props, references };
}

const id = (plural: string, name: string) => `${DEFAULT_NAMESPACE}/${plural}/${name}`;
const LOCATIONS = ["westeurope", "northeurope", "eastus"];

/** Gateway i, with its frontends, and (when `associated`) its subnet 10.1.i.0/24 and association. */
function gatewayGroup(i: number, location: string, frontends: number, associated: boolean): PlanResource[] {
  const gw: PlanResource = { kind: "TrafficController", name: `gw-${i}`, props: { location, tags: { team: "a" } } };
  const fes: PlanResource[] = Array.from({ length: frontends }, (_, j) => ({
    kind: "Frontend",
    name: `fe-${i}-${j}`,
    props: { trafficControllerId: id("trafficcontrollers", gw.name), ...(j % 2 ? { type: "public" } : {}) },
  }));
  if (!associated) return [gw, ...fes];
  return [gw, ...fes, subnet(`sn-${i}`, location, `10.1.${i}.0/24`), association(`as-${i}`, gw.name, `sn-${i}`)];
}

function subnet(name: string, location: string, addressPrefix: string, extra: Props = {}): PlanResource {
  return { kind: "SubnetDelegation", name, props: { location, virtualNetworkAddressSpace: ["10.1.0.0/16"], addressPrefix, ...extra } };
}

function association(name: string, gateway: string, subnetName: string): PlanResource {
  return { kind: "Association", name, props: { trafficControllerId: id("trafficcontrollers", gateway), subnetId: id("subnetdelegations", subnetName), associationType: "subnets" } };
}

/** Plans that break no rule: 1-4 gateways, each with 0-5 frontends and at most one association; gateway 0 has both. */
export const validPlan: fc.Arbitrary<PlanResource[]> = fc
  .array(fc.record({ location: fc.constantFrom(...LOCATIONS), frontends: fc.integer({ min: 0, max: 5 }), associated: fc.boolean() }), { minLength: 1, maxLength: 4 })
  .map((gateways) => gateways.flatMap((g, i) => gatewayGroup(i, g.location, i === 0 ? Math.max(1, g.frontends) : g.frontends, i === 0 || g.associated)));

const find = (plan: PlanResource[], name: string) => plan.find((r) => r.name === name)!;
const withProps = (plan: PlanResource[], name: string, props: Props) => plan.map((r) => (r.name === name ? { ...r, props: { ...r.props, ...props } } : r));
const without = (props: Props, key: string) => Object.fromEntries(Object.entries(props).filter(([k]) => k !== key));

/** One fault each, with the rule that must refuse it. Gateway 0 has a frontend fe-0-0, subnet sn-0 and association as-0. */
export const FAULTS: Readonly<Record<string, { rule: RuleCode; apply: (plan: PlanResource[]) => PlanResource[] }>> = {
  "a second association on a gateway": {
    rule: "AGC001",
    apply: (plan) => [...plan, subnet("sn-extra", find(plan, "sn-0").props.location as string, "10.1.200.0/24"), association("as-extra", "gw-0", "sn-extra")],
  },
  "a thousand and first gateway": {
    rule: "AGC002",
    apply: (plan) => [...plan, ...Array.from({ length: 1001 }, (_, i): PlanResource => ({ kind: "TrafficController", name: `many-${i}`, props: { location: "westeurope" } }))],
  },
  "a sixth frontend": {
    rule: "AGC003",
    apply: (plan) => [...plan, ...[1, 2, 3, 4, 5].map((j): PlanResource => ({ kind: "Frontend", name: `fe-extra-${j}`, props: { trafficControllerId: id("trafficcontrollers", "gw-0") } }))],
  },
  "a subnet delegated to another service": { rule: "AGC004", apply: (plan) => withProps(plan, "sn-0", { delegation: "Microsoft.Web/serverFarms" }) },
  "a /25 subnet": { rule: "AGC005", apply: (plan) => withProps(plan, "sn-0", { addressPrefix: "10.1.0.0/25" }) },
  "a subnet in another region than its gateway": {
    rule: "AGC007",
    apply: (plan) => withProps(plan, "sn-0", { location: find(plan, "gw-0").props.location === "westeurope" ? "eastus" : "westeurope" }),
  },
  "a subnet outside its network": { rule: "AGC008", apply: (plan) => withProps(plan, "sn-0", { addressPrefix: "10.9.0.0/24" }) },
  "two overlapping subnets": { rule: "AGC009", apply: (plan) => [...plan, subnet("sn-overlap", "westeurope", "10.1.0.0/23")] },
  "a private frontend": { rule: "AGC010", apply: (plan) => withProps(plan, "fe-0-0", { type: "private" }) },
  "an invalid name": { rule: "AGC015", apply: (plan) => withProps(plan, "gw-0", { name: "bad name!" }) },
  "another association type": { rule: "AGC016", apply: (plan) => withProps(plan, "as-0", { associationType: "vnets" }) },
  "a gateway without location": { rule: "AGC017", apply: (plan) => plan.map((r) => (r.name === "gw-0" ? { ...r, props: without(r.props, "location") } : r)) },
  "a prefix with host bits": { rule: "AGC018", apply: (plan) => withProps(plan, "sn-0", { addressPrefix: "10.1.0.1/24" }) },
  "a frontend id where a gateway id belongs": { rule: "AGC019", apply: (plan) => withProps(plan, "fe-0-0", { trafficControllerId: id("frontends", "fe-0-0") }) },
  "a tag that is not a string": { rule: "AGC020", apply: (plan) => withProps(plan, "gw-0", { tags: { team: 1 } }) },
  "an unknown frontend type": { rule: "AGC021", apply: (plan) => withProps(plan, "fe-0-0", { type: "internal" }) },
  "a gateway that does not exist": { rule: "AGC022", apply: (plan) => withProps(plan, "fe-0-0", { trafficControllerId: id("trafficcontrollers", "missing") }) },
  "one network with two address spaces": { rule: "AGC023", apply: (plan) => [...plan, subnet("sn-other-space", "westeurope", "10.2.0.0/24", { virtualNetworkAddressSpace: ["10.2.0.0/16"] })] },
};

/** A valid plan with one fault, named. */
export const faultyPlan = fc.tuple(validPlan, fc.constantFrom(...Object.keys(FAULTS))).map(([plan, fault]) => ({ fault, rule: FAULTS[fault]!.rule, plan: FAULTS[fault]!.apply(plan) }));

/** A value of any JSON-ish shape, or one of the values the rules look for. */
const anyValue = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom("westeurope", "10.1.0.0/24", "10.1.0.0/16", ["10.1.0.0/16"], "public", "private", "subnets", id("trafficcontrollers", "gw"), id("subnetdelegations", "sn"), "04da6b54-80e4-46f7-96ec-b56ff0331ba9"),
);

const PROPERTIES: Readonly<Record<KindName, readonly string[]>> = {
  TrafficController: ["name", "namespace", "location", "tags"],
  Frontend: ["name", "namespace", "trafficControllerId", "type", "tags"],
  Association: ["name", "namespace", "trafficControllerId", "subnetId", "associationType", "tags"],
  SubnetDelegation: ["name", "namespace", "location", "virtualNetworkName", "virtualNetworkAddressSpace", "addressPrefix", "delegation", "tags"],
};

/** Plans of up to 8 resources whose properties are anything at all. */
export const arbitraryPlan: fc.Arbitrary<PlanResource[]> = fc.array(
  fc.constantFrom(...(Object.keys(PROPERTIES) as KindName[])).chain((kind) =>
    fc.record({ kind: fc.constant(kind), name: fc.constantFrom("gw", "sn", "fe", "as", "x"), props: fc.dictionary(fc.constantFrom(...PROPERTIES[kind]), anyValue) }),
  ),
  { maxLength: 8 },
);
