// The four resources of the gateway's control plane, as Pulumi dynamic resources. Thin: they
// shape inputs, register the program-wide checks, and leave the work to provider/handlers.
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_NAMESPACE, KindName } from "../model/kinds";
import { providerFor } from "./provider";
import { knownValue, programInventory, stackOwner } from "./programChecks";

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

/** Inputs every kind carries; outputs the provider fills in start as undefined. */
function commonInputs(name: string, args: CommonArgs): pulumi.Inputs {
  return {
    name: args.name ?? name,
    namespace: args.namespace ?? DEFAULT_NAMESPACE,
    kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
    timeoutSeconds: args.timeoutSeconds,
    annotations: args.annotations,
    owner: stackOwner(),
    provisioningState: undefined,
    objectName: undefined,
  };
}

function options(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "kubeconfig"] };
}

function declare(kind: KindName, resource: pulumi.CustomResource, name: string, args: CommonArgs, fields: Promise<Record<string, unknown>>): void {
  programInventory.declare(kind, resource, args.name ?? name, args.namespace ?? DEFAULT_NAMESPACE, fields, args.kubeconfig);
}

/** A gateway (Azure: Microsoft.ServiceNetworking/trafficControllers). */
export class TrafficController extends pulumi.dynamic.Resource {
  /** Provisioning, Updating, Deleting, Accepted, Succeeded, Failed or Canceled. */
  declare readonly provisioningState: pulumi.Output<string>;
  /** Host names the controller pushes configuration to. */
  declare readonly configurationEndpoints: pulumi.Output<string[]>;
  declare readonly location: pulumi.Output<string>;

  constructor(name: string, args: TrafficControllerArgs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("TrafficController"), name, { ...commonInputs(name, args), location: args.location, tags: args.tags, configurationEndpoints: undefined }, options(opts), "agc", "TrafficController");
    declare("TrafficController", this, name, args, knownValue(args.location).then((location) => ({ location })));
  }
}

/** An entry point of a gateway, with its own generated host name. */
export class Frontend extends pulumi.dynamic.Resource {
  declare readonly provisioningState: pulumi.Output<string>;
  /** The generated, unique and stable host name clients connect to. */
  declare readonly fqdn: pulumi.Output<string>;

  constructor(name: string, args: FrontendArgs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("Frontend"), name, { ...commonInputs(name, args), trafficControllerId: args.trafficControllerId, type: args.type, tags: args.tags, fqdn: undefined }, options(opts), "agc", "Frontend");
    declare("Frontend", this, name, args, programInventory.keyOf(args.trafficControllerId, "TrafficController").then((gatewayKey) => ({ gatewayKey })));
  }
}

/** Attaches a gateway to a delegated subnet. */
export class Association extends pulumi.dynamic.Resource {
  declare readonly provisioningState: pulumi.Output<string>;
  /** The 256-address block of the subnet reserved for this association. */
  declare readonly allocatedPrefix: pulumi.Output<string>;

  constructor(name: string, args: AssociationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("Association"),
      name,
      { ...commonInputs(name, args), trafficControllerId: args.trafficControllerId, subnetId: args.subnetId, associationType: args.associationType, tags: args.tags, allocatedPrefix: undefined },
      options(opts),
      "agc",
      "Association",
    );
    const fields = Promise.all([programInventory.keyOf(args.trafficControllerId, "TrafficController"), programInventory.keyOf(args.subnetId, "SubnetDelegation")]).then(
      ([gatewayKey, subnetKey]) => ({ gatewayKey, subnetKey }),
    );
    declare("Association", this, name, args, fields);
  }
}

/** A virtual network subnet delegated to the gateway service. */
export class SubnetDelegation extends pulumi.dynamic.Resource {
  declare readonly provisioningState: pulumi.Output<string>;

  constructor(name: string, args: SubnetDelegationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("SubnetDelegation"),
      name,
      {
        ...commonInputs(name, args),
        location: args.location,
        virtualNetworkName: args.virtualNetworkName,
        virtualNetworkAddressSpace: args.virtualNetworkAddressSpace,
        addressPrefix: args.addressPrefix,
        delegation: args.delegation,
      },
      options(opts),
      "agc",
      "SubnetDelegation",
    );
    const fields = Promise.all([
      knownValue(args.location),
      knownValue(args.virtualNetworkName),
      knownValue(args.virtualNetworkAddressSpace),
      knownValue(args.addressPrefix),
      knownValue(args.delegation),
    ]).then(([location, virtualNetworkName, virtualNetworkAddressSpace, addressPrefix, delegation]) => ({
      location,
      virtualNetworkName,
      virtualNetworkAddressSpace,
      addressPrefix,
      delegation,
    }));
    declare("SubnetDelegation", this, name, args, fields);
  }
}
