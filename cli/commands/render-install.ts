// `agc render install [options]`: the ALB controller's install as multi-document YAML, for
// Argo CD, Flux or `kubectl apply`: the same objects the AlbController component creates.
import * as path from "path";
import * as YAML from "yaml";
import {
  DEFAULT_CONTROLLER_REPLICAS, DEFAULT_CONTROLLER_RESOURCES, DEFAULT_IMAGE_PULL_POLICY, IMAGE_PULL_POLICIES, ImagePullPolicy, InstallOptions, ResourceRequirements, Toleration,
  installObjects,
} from "../../controller/install";
import { DEFAULT_ADDRESS_POOL } from "../../controller/addresses";
import { DEFAULT_LOG_LEVEL, LogLevel } from "../../controller/log";
import { CONTROLLER_IMAGE, DATAPLANE_IMAGE } from "../../model/images";
import { DEFAULT_NAMESPACE } from "../../model/kinds";
import { packageRoot } from "../paths";

export const HELP = `usage: agc render install [--namespace NS | --no-namespace] [--replicas N]
                         [--controller-image IMAGE] [--dataplane-image IMAGE] [--image-pull-policy POLICY]
                         [--log-level LEVEL] [--address-pool CIDR]
                         [--node-selector KEY=VALUE]... [--toleration KEY[=VALUE]:EFFECT]...
                         [--cpu-request Q] [--memory-request Q] [--cpu-limit Q] [--memory-limit Q]

Prints the objects that install the ALB controller, as multi-document YAML for Argo CD,
Flux or \`kubectl apply -f -\`: the Namespace, a ServiceAccount and least-privilege RBAC for
each pod, the alb-controller-bootstrap Deployment (installs and upgrades the CRDs: ours and
the Gateway API standard channel the image carries), the alb-controller Deployment
(leader-elected replicas) and GatewayClass and IngressClass agc. These are the objects the
AlbController Pulumi component creates with the same options.

The classes need the CRDs the bootstrap installs: they carry Argo CD's sync wave 1 (after the
Deployments are healthy) and SkipDryRunOnMissingResource; with kubectl, apply again once
\`kubectl -n NS rollout status deploy/alb-controller-bootstrap\` returns.

  --namespace NS     where the pods, their ServiceAccounts and the leader Lease live;
                     default ${DEFAULT_NAMESPACE}
  --no-namespace     leave the Namespace object out (it is managed elsewhere)
  --replicas N       alb-controller pods (one leads, the others stand by); default ${DEFAULT_CONTROLLER_REPLICAS}
  --controller-image IMAGE  the image both pods run; default ${CONTROLLER_IMAGE}
  --dataplane-image IMAGE   the data plane pods' image; default ${DATAPLANE_IMAGE}
  --image-pull-policy POLICY  ${IMAGE_PULL_POLICIES.join(", ")}; default ${DEFAULT_IMAGE_PULL_POLICY}
                     (the local cluster imports its images: it must never pull)
  --log-level LEVEL  error, warn, info or debug; default ${DEFAULT_LOG_LEVEL}
  --address-pool CIDR  IPv4 range frontend Services' addresses come from; default ${DEFAULT_ADDRESS_POOL}
  --node-selector KEY=VALUE  a node label both pods require (repeat for more)
  --toleration KEY[=VALUE]:EFFECT  a taint both pods tolerate (repeat for more); without
                     =VALUE any value of the key is tolerated
  --cpu-request Q, --memory-request Q, --cpu-limit Q, --memory-limit Q
                     the alb-controller container's resources; default requests
                     ${DEFAULT_CONTROLLER_RESOURCES.requests!.cpu} CPU and ${DEFAULT_CONTROLLER_RESOURCES.requests!.memory}, limit ${DEFAULT_CONTROLLER_RESOURCES.limits!.memory} memory, no CPU limit`;

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/** `dedicated=gateways:NoSchedule` or `dedicated:NoSchedule`. */
export function parseToleration(text: string): Toleration {
  const m = /^([^=:]+)(?:=([^:]*))?:(.+)$/.exec(text);
  const effect = m?.[3] as Toleration["effect"];
  if (!m || !TAINT_EFFECTS.includes(effect as (typeof TAINT_EFFECTS)[number])) {
    throw new Error(`--toleration must be KEY[=VALUE]:EFFECT with EFFECT one of ${TAINT_EFFECTS.join(", ")}; got '${text}'`);
  }
  return m[2] === undefined ? { key: m[1], operator: "Exists", effect } : { key: m[1], operator: "Equal", value: m[2], effect };
}

function parseLabel(text: string): [string, string] {
  const i = text.indexOf("=");
  if (i <= 0) throw new Error(`--node-selector must be KEY=VALUE; got '${text}'`);
  return [text.slice(0, i), text.slice(i + 1)];
}

/** Sets one resource quantity over the defaults (a request given alone keeps the default limit). */
const quantity = (kind: "requests" | "limits", resource: "cpu" | "memory") => (o: InstallOptions, v: string) => {
  const current: ResourceRequirements = o.resources ?? DEFAULT_CONTROLLER_RESOURCES;
  o.resources = { ...current, [kind]: { ...current[kind], [resource]: v } };
};

/** What each option with a value does to the install options. */
const VALUE_OPTIONS: Record<string, (o: InstallOptions, v: string) => void> = {
  "--namespace": (o, v) => (o.namespace = v),
  "--replicas": (o, v) => {
    if (!/^\d+$/.test(v)) throw new Error(`--replicas must be a whole number, 1 or more; got '${v}'`);
    o.replicas = Number(v);
  },
  "--controller-image": (o, v) => (o.controllerImage = v),
  "--dataplane-image": (o, v) => (o.dataplaneImage = v),
  "--image-pull-policy": (o, v) => (o.imagePullPolicy = v as ImagePullPolicy),
  "--log-level": (o, v) => (o.logLevel = v as LogLevel),
  "--address-pool": (o, v) => (o.addressPool = v),
  "--node-selector": (o, v) => (o.nodeSelector = Object.fromEntries([...Object.entries(o.nodeSelector ?? {}), parseLabel(v)])),
  "--toleration": (o, v) => (o.tolerations = [...(o.tolerations ?? []), parseToleration(v)]),
  "--cpu-request": quantity("requests", "cpu"),
  "--memory-request": quantity("requests", "memory"),
  "--cpu-limit": quantity("limits", "cpu"),
  "--memory-limit": quantity("limits", "memory"),
};

/** The install options the arguments ask for; throws naming an unknown option or a bad value. */
export function installOptionsFromArgs(args: string[]): InstallOptions {
  const options: InstallOptions = {};
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split(/=(.*)/s, 2);
    if (name === "--no-namespace" && inline === undefined) {
      options.createNamespace = false;
      continue;
    }
    const set = Object.prototype.hasOwnProperty.call(VALUE_OPTIONS, name) ? VALUE_OPTIONS[name] : undefined;
    if (!set) throw new Error(`unknown option '${args[i]}'`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    set(options, value);
  }
  return options;
}

/** Multi-document YAML, with a first line saying what made it. */
function installYaml(objects: Record<string, unknown>[], command: string): string {
  const version = require(path.join(packageRoot, "package.json")).version;
  return `# The ALB controller, pulumi-agc ${version}: ${command}\n${objects.map((o) => YAML.stringify(o, { aliasDuplicateObjects: false })).join("---\n")}`;
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  let objects: Record<string, unknown>[];
  try {
    objects = installObjects(installOptionsFromArgs(args));
  } catch (e) {
    console.error(`agc render install: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  process.stdout.write(installYaml(objects, ["agc render install", ...args].join(" ")));
  return 0;
}
