#!/bin/sh
# Data plane benchmarks: compiles bench/<script>.ts (default: run) with the repository's
# TypeScript, then runs it. `bench/run.sh where` runs the configuration variants.
# Needs wrk and h2load (apt-get install -y wrk nghttp2-client). A few minutes.
set -eu
cd "$(dirname "$0")/.."
script=${1:-run}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npx tsc --outDir "$out" --rootDir . --target ES2022 --module commonjs --strict --esModuleInterop \
  --resolveJsonModule --skipLibCheck --types node "bench/$script.ts"
NODE_PATH="$PWD/node_modules" node "$out/bench/$script.js"
