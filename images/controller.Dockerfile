# The ALB controller's image, for clusters that pull from a registry. `agc images` builds the
# same image (same files, entrypoint and environment) from this machine's binaries, with no
# registry; test/unit/cli/images.test.ts keeps the two in step.
# From a checkout, after `npm run build`:  docker build -f images/controller.Dockerfile -t REGISTRY/alb-controller:TAG .

# The Gateway API release's standard CRDs, which the bootstrap pod installs, taken from its Go
# module as `agc toolchain` takes them (GATEWAY_API_CONFORMANCE_VERSION in toolchain/versions.env).
FROM golang:1.26-bookworm AS gateway-api
ARG GATEWAY_API_VERSION=v1.6.3
RUN cd /tmp && mod=$(go mod download -json "sigs.k8s.io/gateway-api@${GATEWAY_API_VERSION}" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p') && mkdir -p /crds && grep -l '^kind: CustomResourceDefinition' "$mod"/config/crd/standard/*.yaml | xargs cp -t /crds/

FROM node:20-bookworm-slim
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY dist ./dist
COPY crds ./crds
COPY --from=gateway-api /crds /app/gateway-api-crds/standard
ENTRYPOINT ["node", "/app/bin/agc.js", "controller"]
