#!/usr/bin/env bash
# Builds (once) and caches every binary the test bed runs.
# Usage: bash scripts/testbed/build.sh [all|kubernetes|etcd|kwok|metrics-server|prometheus]
# Binaries land in ${AIOPS_TESTBED_CACHE:-$HOME/.cache/kubectl-aiops-testbed}/<component>-<version>/
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
[ -x "$GO" ] || { echo "testbed: go not found (expected /usr/local/go/bin/go)" >&2; exit 1; }
BUILD_P="${TESTBED_BUILD_P:-2}"

log() { echo "[testbed build $(date +%H:%M:%S)] $*" >&2; }
die() { echo "testbed build: ERROR: $*" >&2; exit 1; }

mkwrap() { # mkwrap <name> -> prints a fresh temp dir
  local d; d="$(mktemp -d "${TMPDIR:-/tmp}/aiops-testbed-$1.XXXXXX")"; echo "$d"
}

build_kubernetes() {
  local out="$K8S_DIR"
  local c missing=0
  for c in $K8S_BINARIES; do [ -x "$out/$c" ] || missing=1; done
  if [ $missing = 0 ]; then log "kubernetes $K8S_VERSION cached in $out"; return 0; fi
  local t0=$SECONDS w gomod
  w="$(mkwrap k8s)"
  log "kubernetes $K8S_VERSION: wrapper module in $w"
  (
    cd "$w"
    "$GO" mod init aiops.local/testbed-k8s >/dev/null 2>&1
    gomod="$("$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
    [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$K8S_VERSION"
    "$GO" mod edit -require="k8s.io/kubernetes@$K8S_VERSION"
    # Every k8s.io/* staging module that k8s.io/kubernetes requires at v0.0.0 -> published v0.x.y
    local mods
    mods="$(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$gomod" | sort -u)"
    [ -n "$mods" ] || die "no v0.0.0 staging requirements found in $gomod"
    local m args=()
    for m in $mods; do args+=("-replace=$m=$m@$K8S_STAGING_VERSION"); done
    "$GO" mod edit "${args[@]}"
    sed "s/@@VERSION@@/$K8S_VERSION/" "$HERE/wrappers/k8s-tools.go.txt" > tools.go
    log "go mod tidy (k8s)"
    "$GO" mod tidy
    local pkg="k8s.io/component-base/version" cg="k8s.io/client-go/pkg/version"
    local major="${K8S_VERSION#v}"; major="${major%%.*}"
    local minor="${K8S_VERSION#v*.}"; minor="${minor%%.*}"
    local bd; bd="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    local ld="-s -w"
    for p in "$pkg" "$cg"; do
      ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$bd"
    done
    mkdir -p "$out.tmp"
    # keep what an earlier build made (the node binaries were added later)
    if [ -d "$out" ]; then cp -a "$out"/. "$out.tmp"/; fi
    for c in $K8S_BINARIES; do
      if [ -x "$out.tmp/$c" ]; then continue; fi
      log "go build $c (-p $BUILD_P)"
      "$GO" build -p "$BUILD_P" -trimpath -ldflags "$ld" -o "$out.tmp/$c" "k8s.io/kubernetes/cmd/$c"
    done
  )
  rm -rf "$out"; mv "$out.tmp" "$out"; rm -rf "$w"
  log "kubernetes built in $((SECONDS - t0))s"
}

build_etcd() {
  local out="$ETCD_DIR"
  if [ -x "$out/etcd" ]; then log "etcd $ETCD_VERSION cached in $out"; return 0; fi
  local t0=$SECONDS w; w="$(mkwrap etcd)"
  log "etcd $ETCD_VERSION: wrapper module in $w"
  (
    cd "$w"
    "$GO" mod init aiops.local/testbed-etcd >/dev/null 2>&1
    "$GO" mod edit -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    cp "$HERE/wrappers/etcd-tools.go.txt" tools.go
    "$GO" mod tidy
    mkdir -p "$out.tmp"
    "$GO" build -p "$BUILD_P" -trimpath -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3
  )
  rm -rf "$out"; mv "$out.tmp" "$out"; rm -rf "$w"
  log "etcd built in $((SECONDS - t0))s"
}

go_install() { # go_install <outdir> <pkg@version> <binary> [extra ldflags]
  local out="$1" pkg="$2" bin="$3" extra="${4:-}"
  if [ -x "$out/$bin" ]; then log "$bin cached in $out"; return 0; fi
  local t0=$SECONDS
  mkdir -p "$out.tmp"
  log "go install $pkg"
  GOBIN="$out.tmp" "$GO" install -p "$BUILD_P" -trimpath -ldflags "-s -w $extra" "$pkg"
  rm -rf "$out"; mv "$out.tmp" "$out"
  log "$bin built in $((SECONDS - t0))s"
}

# The real node's runtime: runc needs cgo and libseccomp (seccomp profiles); containerd without the
# snapshotters that need cgo or kernel features this machine lacks.
build_node_runtime() {
  local out="$NODE_BIN_DIR"
  if [ -x "$out/containerd" ] && [ -x "$out/containerd-shim-runc-v2" ] && [ -x "$out/ctr" ] && \
     [ -x "$out/runc" ] && [ -x "$out/crictl" ]; then
    log "node runtime cached in $out"; return 0
  fi
  [ -f /usr/include/seccomp.h ] || { log "apt-get install libseccomp-dev (runc's seccomp support)"; apt_install libseccomp-dev pkg-config; }
  command -v gcc >/dev/null || apt_install gcc libc6-dev
  local t0=$SECONDS
  mkdir -p "$out.tmp"
  log "go install runc $RUNC_VERSION (cgo, seccomp)"
  CGO_ENABLED=1 GOBIN="$out.tmp" "$GO" install -p "$BUILD_P" -tags seccomp -trimpath -ldflags "-s -w" \
    "github.com/opencontainers/runc@$RUNC_VERSION"
  log "go install containerd $CONTAINERD_VERSION"
  GOBIN="$out.tmp" "$GO" install -p "$BUILD_P" -tags "no_btrfs no_devmapper no_zfs no_aufs" -trimpath -ldflags "-s -w" \
    "github.com/containerd/containerd/v2/cmd/containerd@$CONTAINERD_VERSION" \
    "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2@$CONTAINERD_VERSION" \
    "github.com/containerd/containerd/v2/cmd/ctr@$CONTAINERD_VERSION"
  log "go install crictl $CRICTL_VERSION"
  GOBIN="$out.tmp" "$GO" install -p "$BUILD_P" -trimpath -ldflags "-s -w" "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
  rm -rf "$out"; mv "$out.tmp" "$out"
  log "node runtime built in $((SECONDS - t0))s"
}

# Debian's packages the real node uses: CNI plugins, nft/iptables (kube-proxy, kubelet, the guard),
# conntrack (kube-proxy's UDP cleanup).
install_node_packages() {
  local need=()
  [ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
  command -v nft >/dev/null || need+=(nftables)
  command -v iptables >/dev/null || need+=(iptables)
  command -v conntrack >/dev/null || need+=(conntrack)
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
  if [ ${#need[@]} -gt 0 ]; then log "apt-get install ${need[*]}"; apt_install "${need[@]}"; fi
  return 0
}

build_kwok() { go_install "$KWOK_DIR" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" kwok; "$GO" mod download "sigs.k8s.io/kwok@$KWOK_VERSION"; }
# metrics-server reports its version through client-go's version package (as its Makefile does)
build_metrics_server() {
  go_install "$MS_DIR" "sigs.k8s.io/metrics-server/cmd/metrics-server@$MS_VERSION" metrics-server \
    "-X k8s.io/client-go/pkg/version.gitVersion=$MS_VERSION -X k8s.io/client-go/pkg/version.gitTreeState=clean"
}

apt_install() { # apt_install <pkg>...
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" != 0 ]; then die "need root to apt-get install $*"; fi
  # keep package installs from starting services (prometheus would bind :9090)
  local rc=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$rc" ]; then printf '#!/bin/sh\nexit 101\n' > "$rc"; chmod +x "$rc"; created=1; fi
  apt-get update -qq >/dev/null || true
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null || { [ $created = 1 ] && rm -f "$rc"; die "apt-get install $* failed"; }
  [ $created = 1 ] && rm -f "$rc"
  return 0
}

build_prometheus() {
  if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
    log "prometheus present: $(command -v prometheus)"
  else
    log "apt-get install prometheus"
    apt_install prometheus
  fi
  # Debian's package may have started its own service on :9090; stop it, we run our own.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl stop prometheus || true; systemctl disable prometheus >/dev/null 2>&1 || true
  fi
  if [ -x /etc/init.d/prometheus ] && /etc/init.d/prometheus status >/dev/null 2>&1; then
    /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  fi
  for b in openssl; do command -v $b >/dev/null || apt_install openssl; done
  return 0
}

what="${1:-all}"
case "$what" in
  all) build_prometheus; build_etcd; build_kwok; build_metrics_server; build_kubernetes; install_node_packages; build_node_runtime ;;
  node-runtime) install_node_packages; build_node_runtime ;;
  kubernetes) build_kubernetes ;;
  etcd) build_etcd ;;
  kwok) build_kwok ;;
  metrics-server) build_metrics_server ;;
  prometheus) build_prometheus ;;
  *) die "unknown component $what" ;;
esac
