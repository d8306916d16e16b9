# The image of deploy/'s pods (the weekly report CronJob and the watch Deployment): Debian
# bookworm with git, ssh and CA certificates (mmdebstrap) and the release's self-contained
# kubectl-aiops binary (npm run release: Node and the runbooks are inside it; the image has no
# Node, no npm and no node_modules). No registry is reachable, so it is written by oci-image.mjs
# as an OCI archive for `ctr -n k8s.io images import`. Sourced by the test bed; defines functions
# only.
#
# Expects what images.sh expects (TESTBED_CACHE, TB_DIR, TB_ROOT, log, die) and images.sh itself
# (_img_node, _img_key, _img_archive). Optional: REPORT_IMAGE (default
# 127.0.0.1:5000/kubectl-aiops:dev, the name the e2e suite runs), REPORT_IMAGE_SUITE (bookworm),
# REPORT_IMAGE_MIRRORS (one-line sources, separated by "|"; default deb.debian.org bookworm,
# -updates, -security).
#
# Layers: 1. the rootfs tar of mmdebstrap, cached as "$TESTBED_CACHE/images/report-rootfs-<key>.tar"
# (key: mmdebstrap's version and every option given to it; the packages are whatever the mirror
# serves on the day of the first build); 2. written by oci-image.mjs:
#   /usr/local/bin/kubectl-aiops            release/bin/linux-amd64/kubectl-aiops
# The image carries two names for one manifest: REPORT_IMAGE and RELEASE_IMAGE (the name deploy/
# pins by digest: scripts/testbed/pin-image.mjs). Everything is owned by root and world-readable,
# so any uid runs it, with a read-only root filesystem: the plugin writes only under HOME and the
# history's clone (the pods' emptyDir at /tmp). /etc/passwd has an entry for 1000:1000 (aiops,
# home /tmp), the pods' user, because ssh refuses a uid without one; git needs none.
# shellcheck shell=bash

REPORT_IMAGE="${REPORT_IMAGE:-127.0.0.1:5000/kubectl-aiops:dev}"
RELEASE_IMAGE_REPO="ghcr.io/kubectl-aiops/kubectl-aiops"

_report_suite() { echo "${REPORT_IMAGE_SUITE:-bookworm}"; }

# _report_mmdebstrap_opts: the options of the rootfs build, one per line (they key its cache)
_report_mmdebstrap_opts() {
  printf '%s\n' --variant=minbase --include=git,ca-certificates,openssh-client --architectures=amd64 \
    '--aptopt=APT::Install-Recommends "false"' \
    '--dpkgopt=path-exclude=/usr/share/doc/*' '--dpkgopt=path-include=/usr/share/doc/*/copyright' \
    '--dpkgopt=path-exclude=/usr/share/man/*' '--dpkgopt=path-exclude=/usr/share/info/*' \
    '--dpkgopt=path-exclude=/usr/share/locale/*' '--dpkgopt=path-exclude=/usr/share/lintian/*' \
    '--customize-hook=echo "aiops:x:1000:1000:kubectl-aiops:/tmp:/usr/sbin/nologin" >> "$1/etc/passwd"' \
    '--customize-hook=echo "aiops:x:1000:" >> "$1/etc/group"' \
    '--customize-hook=rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*.log "$1"/var/cache/ldconfig/aux-cache'
}

# _report_mirrors: one-line apt sources, one per line
_report_mirrors() {
  local suite m
  suite="$(_report_suite)"
  IFS='|' read -r -a m <<<"${REPORT_IMAGE_MIRRORS:-deb http://deb.debian.org/debian $suite main|deb http://deb.debian.org/debian $suite-updates main|deb http://deb.debian.org/debian-security $suite-security main}"
  printf '%s\n' "${m[@]}"
}

# build_report_rootfs: the Debian rootfs tar (mmdebstrap; as root it uses chroot mode). Prints
# its path.
build_report_rootfs() {
  local key out tmp t0=$SECONDS suite opts=() mirrors=()
  command -v mmdebstrap >/dev/null || die "mmdebstrap not found (apt-get install mmdebstrap)"
  suite="$(_report_suite)"
  mapfile -t opts < <(_report_mmdebstrap_opts)
  mapfile -t mirrors < <(_report_mirrors)
  key="$( { mmdebstrap --version; printf '%s\n' "${opts[@]}" "$suite" "${mirrors[@]}"; } | _img_key)"
  out="$TESTBED_CACHE/images/report-rootfs-$key.tar"
  if [ -s "$out" ]; then
    log "report image rootfs cached: $out"
    echo "$out"
    return 0
  fi
  mkdir -p "$TESTBED_CACHE/images"
  tmp="$(mktemp -d "$TESTBED_CACHE/images/.report-rootfs-$key.XXXXXX")"
  log "mmdebstrap $suite (minbase + git, ca-certificates, openssh-client) -> $out"
  mmdebstrap --quiet --format=tar "${opts[@]}" "$suite" "$tmp/rootfs.tar" "${mirrors[@]}" >&2 ||
    { rm -rf "$tmp"; die "mmdebstrap failed (see above)"; }
  # a concurrent build may have got there first: same inputs, keep theirs
  mv -T "$tmp/rootfs.tar" "$out" 2>/dev/null || [ -s "$out" ] || { rm -rf "$tmp"; die "could not move the rootfs to $out"; }
  rm -rf "$tmp"
  log "report image rootfs built in $((SECONDS - t0))s ($(du -m "$out" | cut -f1) MiB)"
  echo "$out"
}

# _report_release_binary: the linux/amd64 binary of the release build, built when its inputs
# changed (the release e2e builds the same platforms, so one build serves both). Prints its path.
_report_release_binary() {
  local node bin="$TB_ROOT/release/bin/linux-amd64/kubectl-aiops"
  # the project's Node (the release injects into the Node that made the blob): not $NODE, which
  # npm sets to the Node running npm itself
  node="$TB_ROOT/node_modules/node/bin/node"
  [ -x "$node" ] || die "$node is missing: run npm ci (the release needs the project's Node)"
  (cd "$TB_ROOT" && "$node" scripts/release.mjs --platforms linux/amd64,linux/arm64) >&2 ||
    die "the release build failed (see above): npm run release -- --platforms linux/amd64,linux/arm64"
  [ -x "$bin" ] || die "$bin is missing after the release build"
  echo "$bin"
}

# build_report_image: the OCI archive of the image (see the top of this file), keyed by the
# rootfs, the binary and oci-image.mjs. Prints the archive's path.
build_report_image() {
  local rootfs binary version out
  declare -F _img_archive >/dev/null || die "report-image.sh needs images.sh sourced first"
  rootfs="$(build_report_rootfs)" || return 1
  binary="$(_report_release_binary)" || return 1
  version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$TB_ROOT/package.json" | head -1)"
  [ -n "$version" ] || die "no version in $TB_ROOT/package.json"
  out="$(_img_archive report-image --name "$REPORT_IMAGE" --name "$RELEASE_IMAGE_REPO:v$version" --layer-tar "$rootfs" \
    --add "$binary:/usr/local/bin/kubectl-aiops:0755" \
    --entrypoint '["/usr/local/bin/kubectl-aiops"]' --env HOME=/tmp --user 1000:1000)" || return 1
  # every new binary makes a new archive: drop the ones of earlier builds (older than 10 minutes,
  # so an import of one in progress elsewhere is left alone)
  find "$TESTBED_CACHE/images" -maxdepth 1 -name 'report-image-*.tar' ! -name "${out##*/}" -mmin +10 -delete 2>/dev/null || true
  echo "$out"
}
