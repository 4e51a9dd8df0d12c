// The four resources of the gateway's control plane, as Pulumi dynamic resources. Thin: they
// shape inputs, register the program-wide checks, and leave the work to provider/handlers.
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_NAMESPACE, KindName } from "../model/kinds";
import { providerFor } from "./provider";
import { programInventory, stackOwner } from "./programChecks";

/** What every resource of this package accepts besides its own properties. */
export interface CommonArgs {
  /**
   * The AGC name (1-64 characters: letters, digits, `_`, `.`, `-`; starting and ending with a
   * letter or digit). Default: the Pulumi resource name.
   */
  name?: string;
  /** The Kubernetes namespace of the custom resource. Default: `agc-system`. */
  namespace?: string;
  /**
   * The cluster's kubeconfig (its contents or a file path). Stored as a secret. Default: the
   * standard resolution: KUBECONFIG, then ~/.kube/config, then the pod's service account.
   */
  kubeconfig?: pulumi.Input<string>;
  /** How long create, update and delete wait for the controller. Default: 300 seconds. */
  timeoutSeconds?: number;
  /**
   * Annotations on the custom resource. `pulumi.com/patchForce: "true"` takes over fields another
   * field manager (kubectl, a script) has set; without it such a conflict fails the update, naming
   * the field and the manager (as with @pulumi/kubernetes).
   */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface TrafficControllerArgs extends CommonArgs {
  /** The region, e.g. `westeurope`. Changing it replaces the gateway. */
  location: pulumi.Input<string>;
  /** Tags (string values). Default: none. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface FrontendArgs extends CommonArgs {
  /** The gateway's id (`gw.id`). Changing it replaces the frontend. */
  trafficControllerId: pulumi.Input<string>;
  /** `public` (the default). `private` is not supported yet and is refused at preview. */
  type?: pulumi.Input<"public" | "private">;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface AssociationArgs extends CommonArgs {
  /** The gateway's id (`gw.id`). Changing it replaces the association. */
  trafficControllerId: pulumi.Input<string>;
  /** The delegated subnet's id (`subnet.id`). Changing it replaces the association. */
  subnetId: pulumi.Input<string>;
  /** Only `subnets` exists. Default: `subnets`. */
  associationType?: pulumi.Input<"subnets">;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface SubnetDelegationArgs extends CommonArgs {
  /** The region, e.g. `westeurope`; associations must be in their gateway's region. */
  location: pulumi.Input<string>;
  /** The virtual network's name. Default: `default`. */
  virtualNetworkName?: pulumi.Input<string>;
  /** The virtual network's address space, e.g. `["10.1.0.0/16"]`. */
  virtualNetworkAddressSpace: pulumi.Input<pulumi.Input<string>[]>;
  /** The subnet, e.g. `10.1.0.0/24`: 256 addresses per association it will hold. */
  addressPrefix: pulumi.Input<string>;
  /** The service the subnet is delegated to. Default: `Microsoft.ServiceNetworking/trafficControllers`. */
  delegation?: pulumi.Input<string>;
}

/** Inputs every kind carries. */
function commonInputs(name: string, args: CommonArgs): pulumi.Inputs {
  return {
    name: args.name ?? name,
    namespace: args.namespace ?? DEFAULT_NAMESPACE,
    kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
    timeoutSeconds: args.timeoutSeconds,
    annotations: args.annotations,
    owner: stackOwner(),
  };
}

/**
 * What a resource registers: the inputs given (left-out ones are absent, as the engine would
 * drop them anyway) and the outputs its class declares, unknown until the provider fills them
 * in. The SDK makes an Output with four promises for every property, so fewer properties
 * make a large program's preview faster (bench/preview.ts).
 */
function registration(name: string, args: CommonArgs, own: pulumi.Inputs, outputs: readonly string[]): pulumi.Inputs {
  const given = Object.entries({ ...commonInputs(name, args), ...own }).filter(([, value]) => value !== undefined);
  return { ...Object.fromEntries(outputs.map((output) => [output, undefined])), ...Object.fromEntries(given) };
}

function options(args: CommonArgs, opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  if (args.kubeconfig === undefined) return { ...opts };
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "kubeconfig"] };
}

/**
 * What the four kinds share: registration, then the checks across resources. While it
 * registers, no stack traces are recorded: the SDK records one for each of the four promises
 * of every property, only to print them should the program leak a promise, and with source
 * maps installed each one costs much more than the property itself (of an 800-resource
 * preview, seconds of CPU; bench/preview.ts). The resource's source position, which Pulumi
 * records with its own limit, is unaffected.
 */
abstract class AgcResource extends pulumi.dynamic.Resource {
  /** Provisioning, Updating, Deleting, Accepted, Succeeded, Failed or Canceled. */
  declare readonly provisioningState: pulumi.Output<string>;

  protected constructor(kind: KindName, name: string, args: CommonArgs, own: pulumi.Inputs, outputs: readonly string[], opts: pulumi.CustomResourceOptions | undefined) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(providerFor(kind), name, registration(name, args, own, ["provisioningState", ...outputs]), options(args, opts), "agc", kind);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    programInventory.declare(kind, this, name, args as unknown as Record<string, unknown>);
  }
}

/** A gateway (Azure: Microsoft.ServiceNetworking/trafficControllers). */
export class TrafficController extends AgcResource {
  /** Host names the controller pushes configuration to. */
  declare readonly configurationEndpoints: pulumi.Output<string[]>;
  declare readonly location: pulumi.Output<string>;

  constructor(name: string, args: TrafficControllerArgs, opts?: pulumi.CustomResourceOptions) {
    super("TrafficController", name, args, { location: args.location, tags: args.tags }, ["configurationEndpoints", "location"], opts);
  }
}

/** An entry point of a gateway, with its own generated host name. */
export class Frontend extends AgcResource {
  /** The generated, unique and stable host name clients connect to. */
  declare readonly fqdn: pulumi.Output<string>;

  constructor(name: string, args: FrontendArgs, opts?: pulumi.CustomResourceOptions) {
    super("Frontend", name, args, { trafficControllerId: args.trafficControllerId, type: args.type, tags: args.tags }, ["fqdn"], opts);
  }
}

/** Attaches a gateway to a delegated subnet. */
export class Association extends AgcResource {
  /** The 256-address block of the subnet reserved for this association. */
  declare readonly allocatedPrefix: pulumi.Output<string>;

  constructor(name: string, args: AssociationArgs, opts?: pulumi.CustomResourceOptions) {
    const own = { trafficControllerId: args.trafficControllerId, subnetId: args.subnetId, associationType: args.associationType, tags: args.tags };
    super("Association", name, args, own, ["allocatedPrefix"], opts);
  }
}

/** A virtual network subnet delegated to the gateway service. */
export class SubnetDelegation extends AgcResource {
  constructor(name: string, args: SubnetDelegationArgs, opts?: pulumi.CustomResourceOptions) {
    const own = {
      location: args.location,
      virtualNetworkName: args.virtualNetworkName,
      virtualNetworkAddressSpace: args.virtualNetworkAddressSpace,
      addressPrefix: args.addressPrefix,
      delegation: args.delegation,
    };
    super("SubnetDelegation", name, args, own, [], opts);
  }
}
