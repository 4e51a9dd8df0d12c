#!/bin/sh
# Benchmarks: compiles bench/<script>.ts (default: run) with the repository's TypeScript, then
# runs it. `bench/run.sh where` runs the configuration variants, `bench/run.sh preview` the
# preview of a large program, `bench/run.sh fuzz` the fuzzing, `bench/run.sh propagation` route
# propagation on the local cluster (`bench/run.sh propagation --translate-only`: no cluster).
# Further arguments go to the script. Compiled inside the checkout, so the scripts find the
# package root as the command does.
# The data plane ones need wrk and h2load (apt-get install -y wrk nghttp2-client). A few minutes each.
set -eu
cd "$(dirname "$0")/.."
script=${1:-run}
[ $# -gt 0 ] && shift
out=$(mktemp -d "$PWD/.bench-XXXXXX")
trap 'rm -rf "$out"' EXIT
npx tsc --outDir "$out" --rootDir . --target ES2022 --module commonjs --strict --esModuleInterop \
  --resolveJsonModule --skipLibCheck --types node "bench/$script.ts"
NODE_PATH="$PWD/node_modules" node "$out/bench/$script.js" "$@"
