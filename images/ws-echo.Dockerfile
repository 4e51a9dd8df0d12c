# The WebSocket echo server (apps/ws-echo), WebSocketService's default backend, for clusters that
# pull from a registry. `agc images` builds the same image (same files, entrypoint and
# environment) from this machine's binaries, with no registry; test/unit/cli/images.test.ts
# keeps the two in step.
# From a checkout, after `npm run build`:  docker build -f images/ws-echo.Dockerfile -t REGISTRY/ws-echo:TAG .
FROM node:20-bookworm-slim
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY dist ./dist
COPY crds ./crds
EXPOSE 8888
ENTRYPOINT ["node", "/app/dist/apps/ws-echo/server.js"]
