// The names of the project's images: `agc images` builds them under these names; the
// controller's Deployments run the first two, WebSocketService the third, unless told otherwise.
export const CONTROLLER_IMAGE = "agc.local/alb-controller:dev";
export const DATAPLANE_IMAGE = "agc.local/alb-dataplane:dev";
/** The WebSocket echo server (apps/ws-echo): answers GET /health, echoes every message. */
export const WS_ECHO_IMAGE = "agc.local/ws-echo:dev";
/** Where the controller image carries the Gateway API release's standard CRDs (the bootstrap installs them). */
export const IMAGE_GATEWAY_API_CRDS = "/app/gateway-api-crds/standard";
