// The local cluster's node: its network plan and the configuration files of containerd, the
// CNI bridge, the kubelet and kube-proxy. Pure functions of the layout; local.ts writes them.
import * as path from "path";

/**
 * The node's addresses. One real node per machine: the bridge, the iptables rules of
 * kube-proxy and the kubelet's fixed paths cannot be shared by two clusters.
 */
export const NODE_NETWORK = {
  /** The Linux bridge the pods' veths join; the node's address is on it. */
  bridge: "agc0",
  /** The node's InternalIP, the API server's advertised address, and the pods' gateway. */
  nodeAddress: "10.244.0.1",
  podCidr: "10.244.0.0/24",
  serviceCidr: "10.96.0.0/16",
  /** The ClusterIP of the `kubernetes` Service (the first of the service range). */
  apiServiceAddress: "10.96.0.1",
} as const;

/**
 * Addresses for gateway frontends (LoadBalancer Services' status.loadBalancer.ingress),
 * routed only to the bridge: kube-proxy carries host traffic for them to the pods. The
 * controller hands them out; `agc cluster env` exports it as AGC_GATEWAY_ADDRESS_POOL.
 */
export const GATEWAY_ADDRESS_POOL = "10.245.0.0/24";

/** The name containerd's sandbox_image names; `agc images` builds it from toolchain/pause. */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

export const NODE_NAME = "agc-node-1";

/** Host routes through the bridge: everything a pod can be reached at, and nothing more. */
export const BRIDGE_ROUTES = [NODE_NETWORK.serviceCidr, GATEWAY_ADDRESS_POOL];

export interface NodePorts {
  kubelet: number;
  kubeletHealthz: number;
  kubeProxyMetrics: number;
  kubeProxyHealthz: number;
}

export interface NodePaths {
  /** containerd's root, state, socket and config. */
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  containerdConfig: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletRoot: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  podLogs: string;
  kubeProxyConfig: string;
  resolvConf: string;
}

export function nodePaths(clusterDir: string): NodePaths {
  const p = (...parts: string[]) => path.join(clusterDir, ...parts);
  return {
    containerdRoot: p("containerd", "root"),
    containerdState: p("containerd", "state"),
    containerdSocket: p("containerd", "containerd.sock"),
    containerdConfig: p("containerd", "config.toml"),
    cniConfDir: p("cni", "net.d"),
    cniIpamDir: p("cni", "ipam"),
    kubeletRoot: p("kubelet"),
    kubeletConfig: p("kubelet-config.json"),
    kubeletKubeconfig: p("kubelet.kubeconfig"),
    podLogs: p("pod-logs"),
    kubeProxyConfig: p("kube-proxy-config.json"),
    resolvConf: p("resolv.conf"),
  };
}

const toml = (v: string | boolean | number) => (typeof v === "string" ? JSON.stringify(v) : String(v));

/** containerd 1.6's configuration: its own root, state and socket; cgroupfs; no pulls needed. */
export function containerdConfig(paths: NodePaths): string {
  const cri = `plugins."io.containerd.grpc.v1.cri"`;
  return [
    "version = 2",
    `root = ${toml(paths.containerdRoot)}`,
    `state = ${toml(paths.containerdState)}`,
    // Snapshotters this machine cannot use: not probed, so the log says nothing about them.
    `disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]`,
    "",
    "[grpc]",
    `  address = ${toml(paths.containerdSocket)}`,
    "",
    `[${cri}]`,
    `  sandbox_image = ${toml(PAUSE_IMAGE)}`,
    // The machine withholds CAP_SYS_RESOURCE: runc may not lower oom_score_adj below its own.
    "  restrict_oom_score_adj = true",
    // Pod network namespaces under our state dir, not /run/netns.
    "  netns_mounts_under_state_dir = true",
    `  stream_server_address = "127.0.0.1"`,
    `  stream_server_port = "0"`,
    "  enable_cdi = false",
    `[${cri}.cni]`,
    `  bin_dir = "/usr/lib/cni"`,
    `  conf_dir = ${toml(paths.cniConfDir)}`,
    `[${cri}.containerd]`,
    `  snapshotter = "overlayfs"`,
    `  default_runtime_name = "runc"`,
    `[${cri}.containerd.runtimes.runc]`,
    `  runtime_type = "io.containerd.runc.v2"`,
    `[${cri}.containerd.runtimes.runc.options]`,
    "  SystemdCgroup = false",
    `  Root = ${toml(path.join(paths.containerdState, "runc"))}`,
    "",
    `[plugins."io.containerd.internal.v1.opt"]`,
    `  path = ${toml(path.join(paths.containerdRoot, "opt"))}`,
    "",
  ].join("\n");
}

/**
 * The pods' network: the bridge with host-local addresses, no masquerade, and routes only to
 * the pod, service and gateway ranges (no default route: nothing in a pod reaches off the machine).
 */
export function cniConflist(paths: NodePaths): object {
  return {
    cniVersion: "0.4.0",
    name: "agc",
    plugins: [
      {
        type: "bridge",
        bridge: NODE_NETWORK.bridge,
        isGateway: true,
        ipMasq: false,
        // A pod reaches itself through its own Service.
        hairpinMode: true,
        ipam: {
          type: "host-local",
          ranges: [[{ subnet: NODE_NETWORK.podCidr, gateway: NODE_NETWORK.nodeAddress }]],
          routes: BRIDGE_ROUTES.map((dst) => ({ dst })),
          dataDir: paths.cniIpamDir,
        },
      },
    ],
  };
}

/** Pods resolve no names: no cluster DNS, and no server off the machine. */
export const RESOLV_CONF = "# agc local cluster: no DNS server; Services are found through *_SERVICE_HOST variables\nnameserver 127.0.0.1\n";

export function kubeletConfig(paths: NodePaths, ports: NodePorts, clientCaFile: string): object {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: NODE_NETWORK.nodeAddress,
    port: ports.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: ports.kubeletHealthz,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: clientCaFile } },
    authorization: { mode: "Webhook" },
    cgroupDriver: "cgroupfs",
    // cgroup v1 is what these machines have; kubelets newer than 1.35 refuse it.
    failCgroupV1: false,
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    resolvConf: paths.resolvConf,
    clusterDomain: "cluster.local",
    podLogsDir: paths.podLogs,
    failSwapOn: false,
    // Images come from `agc images`, not a registry: never collect them.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    staticPodPath: "",
    rotateCertificates: false,
    serverTLSBootstrap: false,
    protectKernelDefaults: false,
  };
}

export function kubeProxyConfig(kubeconfig: string, ports: NodePorts): object {
  return {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    mode: "iptables",
    hostnameOverride: NODE_NAME,
    bindAddress: NODE_NETWORK.nodeAddress,
    clusterCIDR: NODE_NETWORK.podCidr,
    clientConnection: { kubeconfig },
    healthzBindAddress: `127.0.0.1:${ports.kubeProxyHealthz}`,
    metricsBindAddress: `127.0.0.1:${ports.kubeProxyMetrics}`,
    // Node ports only on the node's address: no route_localnet, nothing on the machine's NIC.
    nodePortAddresses: [`${NODE_NETWORK.nodeAddress}/32`],
    // Zero leaves the machine's conntrack settings alone (it may not change them).
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s", udpTimeout: "0s", udpStreamTimeout: "0s" },
  };
}
