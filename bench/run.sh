#!/bin/sh
# Data plane benchmarks: compiles bench/run.ts with the repository's TypeScript, then runs it.
# Needs wrk and h2load (apt-get install -y wrk nghttp2-client). A few minutes.
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npx tsc --outDir "$out" --rootDir . --target ES2022 --module commonjs --strict --esModuleInterop \
  --resolveJsonModule --skipLibCheck --types node bench/run.ts
NODE_PATH="$PWD/node_modules" node "$out/bench/run.js"
