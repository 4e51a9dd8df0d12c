# The data plane's image (HAProxy and the agent that drives it), for clusters that pull from a
# registry. `agc images` builds the same image (same files, entrypoint and environment) from
# this machine's binaries, with no registry; test/unit/cli/images.test.ts keeps the two in step.
# From a checkout, after `npm run build`:  docker build -f images/dataplane.Dockerfile -t REGISTRY/alb-dataplane:TAG .
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends haproxy && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY dist ./dist
COPY crds ./crds
ENTRYPOINT ["node", "/app/bin/agc.js", "dataplane"]
