export { DataplaneAgent } from "./agent";
export type { AgentOptions, ApplyResult } from "./agent";
export { render, noHealthyEndpointBody, secretCertificateFiles } from "./render";
export type { CertificateFiles, RenderOptions, RenderedConfig } from "./render";
export { planSlots, runtimeCommands } from "./slots";
export type { SlotLayout } from "./slots";
export { healthView } from "./health";
export type { ClusterHealth, EndpointHealth } from "./health";
export { IR_CONFIGMAP_KEY, irFromConfigMap } from "./configmap";
