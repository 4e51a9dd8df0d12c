// WebSocketService for CDKTF: the objects webSocketServiceObjects makes (Deployment, Service,
// HealthCheckPolicy, Gateway and HTTPRoute with its RoutePolicy, or an Ingress), each a
// kubernetes_manifest, with the same input checks and the same warning about the 502 trap.
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Annotations, ITerraformDependable, TerraformProvider, Token } from "cdktf";
import { Construct } from "constructs";
import { missingHealthCheckPathWarning, objectNameProblem, webSocketServiceProblems } from "../sdk/websocketChecks";
import {
  HealthCheck,
  RouteKind,
  WEBSOCKET_SERVICE_DEFAULTS,
  WebSocketServiceInput,
  WebSocketServiceObjects,
  webSocketServiceObjects,
  webSocketServiceSpec,
  webSocketUrl,
} from "../sdk/websocketObjects";
import { enableChecks, markOwner, planProblemsOf } from "./checks";
import { Frontend, createdBefore } from "./resources";
import { rolloutWait } from "./waits";

/** As the Pulumi WebSocketService's arguments; see there for each property's default. */
export interface WebSocketServiceProps {
  /** A server that accepts WebSocket upgrades on `port`. Default: `agc.local/ws-echo:dev`. */
  readonly image?: string;
  /** The container's port. Default: 8888. */
  readonly port?: number;
  /** Pods of the Deployment. Default: 2. */
  readonly replicas?: number;
  /** The namespace of every object made. Default: `default`. */
  readonly namespace?: string;
  /** The host name clients connect with, e.g. `ws.contoso.com`. Default: any host. */
  readonly hostname?: string;
  /** The path prefix routed to the service. Default: `/`. */
  readonly path?: string;
  /**
   * The Frontend clients reach the service through: the Frontend construct, its id, or
   * `<namespace>/<name>` or a name. A Frontend serves one Gateway or Ingress. Default: none.
   */
  readonly frontend?: Frontend | string;
  /** How the gateway probes the pods. Default: `{ path: "/health" }` with the default image. */
  readonly healthCheck?: HealthCheck;
  /** `HTTPRoute` or `Ingress`. Default: `HTTPRoute`. */
  readonly routeKind?: RouteKind;
  /** The wait for the backend's answer (a Gateway API duration); `0s`: no limit. Default: `0s`. */
  readonly routeTimeout?: string;
  /** The Kubernetes provider to use. Default: the stack's default `kubernetes` provider. */
  readonly provider?: TerraformProvider;
  /** Resources every object waits for (the controller's install, the Frontend's Association). */
  readonly dependsOn?: ITerraformDependable[];
}

/** A value Terraform fills in at apply is not checked at synth: the data plane and the API server check it then. */
const plain = (value: string | undefined) => (value !== undefined && Token.isUnresolved(value) ? undefined : value);

/**
 * A WebSocket server behind the gateway, every object named after the construct's id, the
 * route created last so that its first request finds ready pods probed on the right path.
 */
export class WebSocketService extends Construct {
  /** `ws://<hostname><path>`; without a hostname, the Frontend's fqdn in its place (when `frontend` is the construct). */
  readonly url?: string;
  /** `ws://<fqdn><path>` of the Frontend, when `frontend` is the construct. */
  readonly frontendUrl?: string;
  readonly namespace: string;
  readonly deploymentName: string;
  readonly serviceName: string;
  /** The HTTPRoute's or the Ingress's name. */
  readonly routeName: string;
  /** The Gateway made for the HTTPRoute; none with routeKind Ingress. */
  readonly gatewayName?: string;
  /** Each object's kubernetes_manifest, by kind. */
  readonly manifests: Partial<Record<keyof WebSocketServiceObjects, Manifest>> = {};

  constructor(scope: Construct, id: string, props: WebSocketServiceProps = {}) {
    super(scope, id);
    markOwner(this);
    enableChecks(this);
    const frontend = props.frontend instanceof Frontend ? props.frontend.literalId : props.frontend;
    const input: WebSocketServiceInput = {
      image: props.image,
      port: props.port,
      replicas: props.replicas,
      namespace: props.namespace,
      hostname: props.hostname,
      path: props.path,
      frontend,
      healthCheck: props.healthCheck,
      routeKind: props.routeKind,
      routeTimeout: props.routeTimeout,
    };
    const known = { ...input, image: plain(input.image), hostname: plain(input.hostname), frontend: plain(input.frontend) };
    const ownProblems = [objectNameProblem(id), ...webSocketServiceProblems(id, known)].filter((p): p is string => p !== undefined);
    this.node.addValidation({ validate: () => [...ownProblems, ...planProblemsOf(this)] });
    const spec = webSocketServiceSpec(input, props.image !== undefined);
    if (spec.healthCheck?.path === undefined) Annotations.of(this).addWarning(missingHealthCheckPathWarning(id));

    const objects = webSocketServiceObjects(id, spec);
    const make = (key: keyof WebSocketServiceObjects, after: ITerraformDependable[] = []) => {
      const object = objects[key];
      if (!object) return undefined;
      const dependsOn = [...(props.dependsOn ?? []), ...after];
      return (this.manifests[key] = new Manifest(this, key, { manifest: object, provider: props.provider, dependsOn, ...rolloutWait(object) }));
    };
    const frontendManifest = props.frontend instanceof Frontend ? createdBefore(this, [props.frontend.manifest]) : [];
    const backend = [make("deployment")!, make("service")!, make("healthCheckPolicy")].filter((m): m is Manifest => m !== undefined);
    const gateway = make("gateway", frontendManifest);
    const routePolicy = make("routePolicy");
    make("httpRoute", [...backend, ...(gateway ? [gateway] : []), ...(routePolicy ? [routePolicy] : [])]);
    make("ingress", [...backend, ...frontendManifest]);

    const path = props.path ?? WEBSOCKET_SERVICE_DEFAULTS.path;
    const fqdn = props.frontend instanceof Frontend ? props.frontend.fqdn : undefined;
    this.frontendUrl = fqdn === undefined ? undefined : webSocketUrl(fqdn, path);
    const host = props.hostname ?? fqdn;
    this.url = host === undefined ? undefined : webSocketUrl(host, path);
    this.namespace = objects.deployment.metadata.namespace;
    this.deploymentName = objects.deployment.metadata.name;
    this.serviceName = objects.service.metadata.name;
    this.routeName = (objects.httpRoute ?? objects.ingress)!.metadata.name;
    this.gatewayName = objects.gateway?.metadata.name;
  }
}
