#!/usr/bin/env bash
# Builds the tools this project needs and cannot download: Pulumi's CLI, a Node.js language
# host, the Kubernetes provider plugin, Kubernetes (control plane, kubelet, kube-proxy), the
# pod sandbox's pause program, CoreDNS and the Gateway API conformance suite (with that
# release's CRDs and its echo backend), all from Go modules at the versions in
# toolchain/versions.env. Results are cached outside the checkout,
# one directory per tool and version, so any clone on this machine reuses them.
#
#   scripts/toolchain.sh          build what is missing, print the bin directory last
#   scripts/toolchain.sh path     print the bin directory (builds nothing)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../toolchain/versions.env
source "$repo/toolchain/versions.env"

cache=${AGC_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agc/toolchain}
langhost_hash=$(cat "$repo"/toolchain/pulumi-language-nodejs/{go.mod,go.sum,*.go} | sha256sum | cut -c1-12)
pause_hash=$(cat "$repo"/toolchain/pause/{go.mod,*.go} | sha256sum | cut -c1-12)
conformance_hash=$(cat "$repo"/toolchain/conformance/{go.mod,go.sum,*.go} | sha256sum | cut -c1-12)
conformance_dir="gateway-api-conformance-$GATEWAY_API_CONFORMANCE_VERSION-$conformance_hash"
bin_key=$(printf '%s\n' "$PULUMI_VERSION" "$PULUMI_KUBERNETES_MODULE" "$KUBERNETES_VERSION" "$langhost_hash" \
  "$pause_hash" "$GATEWAY_API_CONFORMANCE_VERSION" "$COREDNS_VERSION" "$conformance_dir" | sha256sum | cut -c1-12)
bin="$cache/bin-$bin_key"

if [ "${1:-}" = path ]; then echo "$bin"; exit 0; fi
if [ -n "${1:-}" ]; then echo "usage: $0 [path]" >&2; exit 2; fi

export GOFLAGS=-mod=mod
# The module mirror answers for these modules but its checksum database does not know every
# pseudo-version; go.sum files written here pin the hashes instead.
export GONOSUMDB=github.com/pulumi
export GOTOOLCHAIN=local
mkdir -p "$cache/logs"

step() { # step <tool> <what> <command...>: runs a command with its output in the tool's log
  local tool=$1 what=$2; shift 2
  local log="$cache/logs/$tool.log"
  echo "[$(date +%T)] $tool: $what" >>"$log"
  if ! "$@" >>"$log" 2>&1; then
    echo "toolchain: $tool failed while it was trying to $what; the log is $log" >&2
    tail -n 20 "$log" | sed 's/^/  | /' >&2
    exit 1
  fi
}

tool_dirs=() # every tool's version directory, in build order: the bin directory links them all
build() { # build <tool> <dir> <function>: runs the function once per version directory
  local tool=$1 dir=$2 fn=$3
  tool_dirs+=("$dir")
  if [ -f "$dir/.done" ]; then
    echo "toolchain: $tool cached in $dir"
    return
  fi
  local start=$SECONDS
  echo "toolchain: building $tool (log: $cache/logs/$tool.log) ..."
  : >"$cache/logs/$tool.log"
  rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/src"
  # A heartbeat while the compiler is quiet; it ends with this script.
  (while sleep 60 && kill -0 $$ 2>/dev/null; do echo "toolchain: still building $tool ($((SECONDS - start)) s)"; done) &
  local ticker=$!
  "$fn" "$dir"
  kill "$ticker" 2>/dev/null || true
  touch "$dir/.done"
  echo "toolchain: $tool built in $((SECONDS - start)) s -> $dir/bin"
}

build_pulumi() {
  local dir=$1 src=$1/src
  cat >"$src/go.mod" <<EOF
module agc.local/toolchain/pulumi

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)
EOF
  # pkg/v3's own replace lines, except the one that points at ../sdk, must be repeated here:
  # replace lines in a dependency are ignored.
  local pkgmod
  pkgmod=$(cd "$src" && go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  grep -E '^replace .* => [^.]' "$pkgmod" >>"$src/go.mod" || true
  (cd "$src" && step pulumi "resolve modules" go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_VERSION")
  (cd "$src" && step pulumi "compile" go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$dir/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
}

build_langhost() {
  local dir=$1
  (cd "$repo/toolchain/pulumi-language-nodejs" && step pulumi-language-nodejs "compile" \
    go build -trimpath -o "$dir/bin/pulumi-language-nodejs" .)
}

build_kubernetes_provider() {
  local dir=$1 src=$1/src/provider mod
  mod=$(cd "$dir/src" && go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@$PULUMI_KUBERNETES_MODULE" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$mod" ] || { echo "toolchain: pulumi-resource-kubernetes: could not download its module" >&2; exit 1; }
  cp -r "$mod" "$src" && chmod -R u+w "$src"
  # The module points its own SDK at ../sdk, which is not part of the module: use the
  # released SDK module it requires instead.
  sed -i '/^replace github.com\/pulumi\/pulumi-kubernetes\/sdk\/v4 => /d' "$src/go.mod"
  (cd "$src" && step pulumi-resource-kubernetes "resolve modules" go mod download)
  (cd "$src/cmd/pulumi-resource-kubernetes" && step pulumi-resource-kubernetes "generate the embedded schema" env VERSION="$PULUMI_KUBERNETES_VERSION" go run generate.go)
  (cd "$src" && step pulumi-resource-kubernetes "compile" go build -trimpath \
    -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" \
    -o "$dir/bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes)
}

build_kubernetes() {
  local dir=$1 src=$1/src kmod
  cat >"$src/go.mod" <<EOF
module agc.local/toolchain/kubernetes

go 1.24

require k8s.io/kubernetes v$KUBERNETES_VERSION
EOF
  kmod=$(cd "$src" && go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  # Each staging module is published as k8s.io/<name> v0.<minor>.<patch>.
  local staging=v0.${KUBERNETES_VERSION#1.}
  sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#replace \1 => \1 '"$staging"'#p' "$kmod" >>"$src/go.mod"
  local cmds="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy" minor
  minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
  (cd "$src" && for c in $cmds; do step kubernetes "resolve modules for $c" go get "k8s.io/kubernetes/cmd/$c@v$KUBERNETES_VERSION"; done)
  (cd "$src" && step kubernetes "compile $cmds" go build -trimpath \
    -ldflags "-X k8s.io/component-base/version.gitVersion=v$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    -o "$dir/bin/" $(printf 'k8s.io/kubernetes/cmd/%s ' $cmds))
}

build_pause() {
  local dir=$1
  (cd "$repo/toolchain/pause" && step pause "compile" env CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$dir/bin/pause" .)
}

# The DNS server the conformance suite's base manifests run (for its UDPRoute tests; every
# pod there must be Ready before any test starts). Not the cluster's DNS: there is none.
build_coredns() {
  local dir=$1 src=$1/src
  cat >"$src/go.mod" <<EOF
module agc.local/toolchain/coredns

go 1.24
EOF
  (cd "$src" && step coredns "resolve modules" go get "github.com/coredns/coredns@v$COREDNS_VERSION")
  (cd "$src" && step coredns "compile" env CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$dir/bin/coredns" github.com/coredns/coredns)
}

# The Gateway API conformance suite's backend (its images are named
# registry.k8s.io/gateway-api/echo-basic:*), built from the conformance module.
build_echo_basic() {
  local dir=$1 src=$1/src
  cat >"$src/go.mod" <<EOF
module agc.local/toolchain/echo-basic

go 1.26
EOF
  (cd "$src" && step echo-basic "resolve modules" go get "sigs.k8s.io/gateway-api/conformance/echo-basic@v$GATEWAY_API_CONFORMANCE_VERSION")
  (cd "$src" && step echo-basic "compile" env CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$dir/bin/echo-basic" sigs.k8s.io/gateway-api/conformance/echo-basic)
}

# The suite as one test binary, and the CRDs of the same release (the suite checks their
# bundle-version annotation), taken from the downloaded module so none of it is committed.
build_conformance() {
  local dir=$1 src=$repo/toolchain/conformance mod
  if ! grep -q "sigs.k8s.io/gateway-api/conformance v$GATEWAY_API_CONFORMANCE_VERSION\$" "$src/go.mod"; then
    echo "toolchain: toolchain/conformance/go.mod must require sigs.k8s.io/gateway-api/conformance v$GATEWAY_API_CONFORMANCE_VERSION (GATEWAY_API_CONFORMANCE_VERSION in toolchain/versions.env)" >&2
    exit 1
  fi
  (cd "$src" && step gateway-api-conformance "compile the suite" go test -c -vet=off -trimpath -o "$dir/bin/gateway-api-conformance.test" .)
  mod=$(cd "$src" && go mod download -json "sigs.k8s.io/gateway-api@v$GATEWAY_API_CONFORMANCE_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$mod" ] || { echo "toolchain: gateway-api-conformance: could not download sigs.k8s.io/gateway-api@v$GATEWAY_API_CONFORMANCE_VERSION" >&2; exit 1; }
  # Only the CustomResourceDefinitions: the channel's admission policy is left to the cluster's owner.
  local channel
  for channel in standard experimental; do
    mkdir -p "$dir/crds/$channel"
    grep -l '^kind: CustomResourceDefinition' "$mod/config/crd/$channel"/*.yaml | xargs cp -t "$dir/crds/$channel/"
  done
  chmod -R u+w "$dir/crds"
}

install_debian_packages() {
  local missing=()
  for p in $DEBIAN_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  echo "toolchain: installing Debian packages: ${missing[*]}"
  local sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  step apt "update the package lists" $sudo apt-get update
  step apt "install ${missing[*]}" env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

total=$SECONDS
install_debian_packages
build kubernetes "$cache/kubernetes-$KUBERNETES_VERSION" build_kubernetes
build pause "$cache/pause-$pause_hash" build_pause
build echo-basic "$cache/echo-basic-$GATEWAY_API_CONFORMANCE_VERSION" build_echo_basic
build coredns "$cache/coredns-$COREDNS_VERSION" build_coredns
build pulumi "$cache/pulumi-$PULUMI_VERSION" build_pulumi
build pulumi-language-nodejs "$cache/pulumi-language-nodejs-$langhost_hash" build_langhost
build pulumi-resource-kubernetes "$cache/pulumi-resource-kubernetes-$PULUMI_KUBERNETES_VERSION" build_kubernetes_provider
build gateway-api-conformance "$cache/$conformance_dir" build_conformance

# One bin directory per combination of versions, so PATH changes atomically with the pins.
mkdir -p "$bin.tmp"
for d in "${tool_dirs[@]}"; do
  ln -sf "$d"/bin/* "$bin.tmp/"
done
# The Gateway API CRDs (crds/standard, crds/experimental) the controller installs by default.
ln -sfn "$cache/$conformance_dir/crds" "$bin.tmp/gateway-api-crds"
# pulumi looks for its language host and the dynamic provider launcher next to its own binary
# (and warns when it takes them from PATH instead): a hard link puts the binary here.
ln -f "$cache/pulumi-$PULUMI_VERSION/bin/pulumi" "$bin.tmp/pulumi" 2>/dev/null || cp "$cache/pulumi-$PULUMI_VERSION/bin/pulumi" "$bin.tmp/pulumi"
# The engine starts dynamic providers through this launcher; it runs the host that ships in
# the program's own @pulumi/pulumi (the engine starts plugins in the program's directory).
cat >"$bin.tmp/pulumi-resource-pulumi-nodejs" <<'LAUNCHER'
#!/bin/sh
host=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || exit 1
exec node "$host" "$@"
LAUNCHER
chmod +x "$bin.tmp/pulumi-resource-pulumi-nodejs"
for t in etcd haproxy; do command -v "$t" >/dev/null && ln -sf "$(command -v "$t")" "$bin.tmp/$t"; done
rm -rf "$bin" && mv "$bin.tmp" "$bin"
echo "toolchain: ready in $((SECONDS - total)) s"
echo "$bin"
