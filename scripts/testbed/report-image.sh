# The image of the weekly report's CronJob (deploy/30-cronjob.yaml) for the real node: Debian
# bookworm with git, ssh and CA certificates (mmdebstrap), the project's Node 24 and the built
# plugin. No registry is reachable, so it is written by oci-image.mjs as an OCI archive for
# `ctr -n k8s.io images import`. Sourced by the test bed; defines functions only.
#
# Expects what images.sh expects (TESTBED_CACHE, TB_DIR, TB_ROOT, log, die) and images.sh itself
# (_img_node, _img_key, _img_archive). Optional: REPORT_IMAGE (default
# 127.0.0.1:5000/kubectl-aiops:dev), REPORT_IMAGE_SUITE (bookworm), REPORT_IMAGE_MIRRORS
# (one-line sources, separated by "|"; default deb.debian.org bookworm, -updates, -security).
#
# Layers: 1. the rootfs tar of mmdebstrap, cached as "$TESTBED_CACHE/images/report-rootfs-<key>.tar"
# (key: mmdebstrap's version and every option given to it; the packages are whatever the mirror
# serves on the day of the first build); 2. written by oci-image.mjs:
#   /usr/local/bin/node                     node_modules/node/bin/node (the project's Node 24)
#   /opt/kubectl-aiops/{dist,plugin,runbooks,package.json,LICENSE}
#   /usr/local/bin/kubectl-aiops ->         /opt/kubectl-aiops/plugin/kubectl-aiops
# Everything is owned by root and world-readable (directories and executables 0755), so any uid
# runs it, with a read-only root filesystem: the plugin writes only under HOME and the history's
# clone (the CronJob's emptyDir at /tmp). /etc/passwd has an entry for 1000:1000 (aiops, home
# /tmp), the CronJob's user, because ssh refuses a uid without one; git needs none.
# shellcheck shell=bash

REPORT_IMAGE="${REPORT_IMAGE:-127.0.0.1:5000/kubectl-aiops:dev}"

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

# _report_app_files: the plugin's files as "SRC:DEST" lines, sorted (dist/, plugin/, runbooks/,
# package.json, LICENSE under /opt/kubectl-aiops). A name with ":" would be refused by oci-image.mjs.
_report_app_files() {
  local f
  (
    cd "$TB_ROOT" || exit 1
    find dist plugin runbooks -type f | LC_ALL=C sort
    printf '%s\n' package.json LICENSE
  ) | while IFS= read -r f; do
    printf '%s:%s\n' "$TB_ROOT/$f" "/opt/kubectl-aiops/$f"
  done
}

# build_report_image: the OCI archive of $REPORT_IMAGE (see the top of this file), keyed by the
# rootfs, the Node binary, every file of the plugin and oci-image.mjs. Prints the archive's path.
# Needs the built bundle (npm run build); it never builds it (a build deletes dist/ first).
build_report_image() {
  local rootfs node nodebin out spec opts=()
  [ -f "$TB_ROOT/dist/kubectl-aiops.mjs" ] || die "dist/kubectl-aiops.mjs is missing: run npm run build first"
  declare -F _img_archive >/dev/null || die "report-image.sh needs images.sh sourced first"
  rootfs="$(build_report_rootfs)" || return 1
  node="$(_img_node)" || return 1
  nodebin="$TB_ROOT/node_modules/node/bin/node"
  [ -x "$nodebin" ] || nodebin="$(readlink -f "$node")"
  "$nodebin" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)' ||
    die "$nodebin is not Node.js >= 22.12 (run npm ci)"
  opts=(--name "$REPORT_IMAGE" --layer-tar "$rootfs" --add "$nodebin:/usr/local/bin/node:0755")
  while IFS= read -r spec; do opts+=(--add "$spec"); done < <(_report_app_files)
  opts+=(--symlink /opt/kubectl-aiops/plugin/kubectl-aiops:/usr/local/bin/kubectl-aiops
    --entrypoint '["/usr/local/bin/kubectl-aiops"]' --env HOME=/tmp --user 1000:1000)
  out="$(_img_archive report-image "${opts[@]}")" || return 1
  # every rebuild of dist/ makes a new archive of ~300 MiB: drop the ones of earlier builds
  # (older than 10 minutes, so an import of one in progress elsewhere is left alone)
  find "$TESTBED_CACHE/images" -maxdepth 1 -name 'report-image-*.tar' ! -name "${out##*/}" -mmin +10 -delete 2>/dev/null || true
  echo "$out"
}
