// The names of the project's two images: `agc images` builds them under these names, and the
// controller's Deployments run them unless told otherwise.
export const CONTROLLER_IMAGE = "agc.local/alb-controller:dev";
export const DATAPLANE_IMAGE = "agc.local/alb-dataplane:dev";
/** Where the controller image carries the Gateway API release's standard CRDs (the bootstrap installs them). */
export const IMAGE_GATEWAY_API_CRDS = "/app/gateway-api-crds/standard";
