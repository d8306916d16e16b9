# Container images of the real node, built here: no registry is reachable and no image daemon
# runs, so the binaries are compiled locally and packed by oci-image.mjs into OCI archives for
# `ctr -n k8s.io images import`. Sourced by the test bed; defines functions only.
#
# Expects TESTBED_CACHE, TB_DIR (scripts/testbed), K8S_VERSION (for build_pause) and the
# functions log and die (lib.sh). Optional: GO (default go on PATH, else /usr/local/go/bin/go),
# NODE (default $TB_ROOT/node_modules/.bin/node), PAUSE_TAG (default 3.10.2, the sandbox image
# containerd 2.4 expects). Every function prints its result paths on stdout, logs on stderr, and
# reuses what is in "$TESTBED_CACHE/images/" when the inputs' hash is unchanged.
# shellcheck shell=bash

_img_go() {
  local go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
  [ -x "$go" ] || die "go not found (expected /usr/local/go/bin/go)"
  echo "$go"
}

_img_node() { # lib.sh's find_node when there is one (NODE, the project's node, node on PATH)
  local node
  if declare -F find_node >/dev/null; then
    node="$(find_node)" || die "node not found (run npm ci, or set NODE)"
  else
    node="${NODE:-${TB_ROOT:-$TB_DIR/../..}/node_modules/.bin/node}"
  fi
  [ -x "$node" ] || die "node not found at $node (run npm ci, or set NODE)"
  echo "$node"
}

# _img_key: 16 hex digits of the sha256 of stdin, naming a cache entry by its inputs
_img_key() { sha256sum | cut -c1-16; }

# _img_publish <tmp> <final>: move a finished build into place; if a concurrent build got there
# first, keep theirs (same inputs, same result).
_img_publish() {
  if ! mv -T "$1" "$2" 2>/dev/null; then
    [ -e "$2" ] || die "could not move $1 to $2"
    rm -rf "$1"
  fi
}

# build_demo_app: the static demo binary (linux/amd64) from scripts/testbed/demo-app, keyed by
# its sources (not the tests) and the Go version. Prints the binary's path.
build_demo_app() {
  local src="$TB_DIR/demo-app" go key out tmp t0=$SECONDS
  go="$(_img_go)" || return 1
  key="$(
    cd "$src" || exit 1
    for f in go.mod go.sum *.go; do
      [ -f "$f" ] && [[ $f != *_test.go ]] && sha256sum "$f"
    done
    "$go" version
    echo "CGO_ENABLED=0 GOOS=linux GOARCH=amd64 -trimpath -ldflags=-s -w"
  )" || die "cannot read $src"
  key="$(_img_key <<<"$key")"
  out="$TESTBED_CACHE/images/demo-$key"
  if [ -x "$out/demo" ]; then
    log "demo app cached in $out"
    echo "$out/demo"
    return 0
  fi
  mkdir -p "$TESTBED_CACHE/images"
  tmp="$(mktemp -d "$TESTBED_CACHE/images/.demo-$key.XXXXXX")" && chmod 755 "$tmp"
  log "go build demo app -> $out"
  # -buildvcs=false: the binary must not change with the repository's commit or dirty state
  (cd "$src" && GOTOOLCHAIN=local GOWORK=off GOFLAGS=-buildvcs=false CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
    "$go" build -trimpath -ldflags "-s -w" -o "$tmp/demo" .) >&2 || { rm -rf "$tmp"; die "demo app build failed"; }
  _img_publish "$tmp" "$out"
  log "demo app built in $((SECONDS - t0))s"
  echo "$out/demo"
}

# build_pause: Kubernetes' pause (build/pause/linux/pause.c of k8s.io/kubernetes@$K8S_VERSION),
# compiled static and stripped as its Makefile does (CFLAGS there: -Os -Wall -Werror -static
# -DVERSION=v$(TAG)-$(REV)). Prints the binary's path.
build_pause() {
  local tag="${PAUSE_TAG:-3.10.2}" go moddir c key out tmp t0=$SECONDS
  [ -n "${K8S_VERSION:-}" ] || die "K8S_VERSION is not set"
  command -v gcc >/dev/null || die "gcc not found (apt-get install gcc libc6-dev)"
  go="$(_img_go)" || return 1
  moddir="$(GOTOOLCHAIN=local "$go" env GOMODCACHE)/k8s.io/kubernetes@$K8S_VERSION"
  c="$moddir/build/pause/linux/pause.c"
  if [ ! -f "$c" ]; then
    log "go mod download k8s.io/kubernetes@$K8S_VERSION (for pause.c)"
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/aiops-testbed-pause.XXXXXX")"
    # from an empty folder: no module of ours is involved, and the module cache stays shared
    moddir="$(cd "$tmp" && GOTOOLCHAIN=local GOFLAGS=-mod=mod "$go" mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    rm -rf "$tmp"
    c="$moddir/build/pause/linux/pause.c"
    [ -f "$c" ] || die "no build/pause/linux/pause.c in k8s.io/kubernetes@$K8S_VERSION"
  fi
  local cflags=(-Os -Wall -Werror -static "-DVERSION=v$tag-aiops")
  key="$( { sha256sum <"$c"; gcc --version | head -1; echo "${cflags[*]}"; } | _img_key)"
  out="$TESTBED_CACHE/images/pause-$tag-$key"
  if [ -x "$out/pause" ]; then
    log "pause cached in $out"
    echo "$out/pause"
    return 0
  fi
  mkdir -p "$TESTBED_CACHE/images"
  tmp="$(mktemp -d "$TESTBED_CACHE/images/.pause-$key.XXXXXX")" && chmod 755 "$tmp"
  log "gcc pause.c ($K8S_VERSION) -> $out"
  gcc "${cflags[@]}" -o "$tmp/pause" "$c" >&2 && strip "$tmp/pause" ||
    { rm -rf "$tmp"; die "pause build failed (static linking needs libc6-dev)"; }
  _img_publish "$tmp" "$out"
  log "pause built in $((SECONDS - t0))s"
  echo "$out/pause"
}

# _img_archive <name-prefix> <args...>: runs oci-image.mjs with the args into
# "$TESTBED_CACHE/images/<name-prefix>-<key>.tar", the key hashing the args, the content of
# every --add source and the tool itself. Prints the archive's path.
_img_archive() {
  local prefix="$1" node key arg out t0=$SECONDS
  shift
  node="$(_img_node)" || return 1
  local prev=""
  key="$(
    sha256sum <"$TB_DIR/oci-image.mjs"
    for arg in "$@"; do
      printf '%s\n' "$arg"
      # the content of every file added (SRC of --add SRC:DEST[:MODE]); a --layer-tar is named by
      # its own content key, so its path says enough
      if [ "$prev" = --add ]; then sha256sum <"${arg%%:*}" || exit 1; fi
      prev="$arg"
    done
  )" || die "cannot read the inputs of $prefix"
  key="$(_img_key <<<"$key")"
  out="$TESTBED_CACHE/images/$prefix-$key.tar"
  if [ -s "$out" ]; then
    log "image $prefix cached: $out"
    echo "$out"
    return 0
  fi
  "$node" "$TB_DIR/oci-image.mjs" --out "$out" "$@" >/dev/null || die "oci-image.mjs failed for $prefix"
  log "image $prefix written in $((SECONDS - t0))s: $out"
  echo "$out"
}

# build_images: the OCI archives of the real node, one path per line:
#   registry.k8s.io/pause:$PAUSE_TAG   /pause, user 65535:65535 (as upstream's Dockerfile)
#   127.0.0.1:5000/demo:1 and :2       /demo only, user 65532:65532; one archive holding both
#                                      names of the same manifest (":2" is the "new revision"
#                                      of rollout tests): ctr imports one image per index entry
build_images() {
  local tag="${PAUSE_TAG:-3.10.2}" pause demo pause_tar demo_tar
  pause="$(build_pause)" || return 1
  demo="$(build_demo_app)" || return 1
  pause_tar="$(_img_archive "pause-$tag" --name "registry.k8s.io/pause:$tag" \
    --add "$pause:/pause:0755" --entrypoint '["/pause"]' --user 65535:65535)" || return 1
  demo_tar="$(_img_archive demo-image --name 127.0.0.1:5000/demo:1 --name 127.0.0.1:5000/demo:2 \
    --add "$demo:/demo:0755" --entrypoint '["/demo"]' --user 65532:65532)" || return 1
  printf '%s\n' "$pause_tar" "$demo_tar"
}
