#!/usr/bin/env bash
# Builds (once) krew and its manifest validator from the Go module sigs.k8s.io/krew into the test
# bed's cache, like the test bed's own Go builds (scripts/testbed/build.sh), and prints the folder:
#   <cache>/krew-<version>/kubectl-krew, <cache>/krew-<version>/validate-krew-manifest
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../testbed/versions.sh
source "$HERE/../testbed/versions.sh"
KREW_VERSION="${AIOPS_KREW_VERSION:-v0.4.3}"
out="$TESTBED_CACHE/krew-$KREW_VERSION"

if [ -x "$out/kubectl-krew" ] && [ -x "$out/validate-krew-manifest" ]; then echo "$out"; exit 0; fi
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
[ -x "$GO" ] || { echo "error: go not found (expected /usr/local/go/bin/go)" >&2; echo "hint: install Go >= 1.26 (the test bed needs it too)" >&2; exit 1; }
echo "[krew] go install sigs.k8s.io/krew $KREW_VERSION (kubectl-krew, validate-krew-manifest)" >&2
rm -rf "$out.tmp"; mkdir -p "$out.tmp"
GOBIN="$out.tmp" "$GO" install -trimpath -ldflags "-s -w -X sigs.k8s.io/krew/internal/version.gitTag=$KREW_VERSION" \
  "sigs.k8s.io/krew/cmd/krew@$KREW_VERSION" "sigs.k8s.io/krew/cmd/validate-krew-manifest@$KREW_VERSION"
mv "$out.tmp/krew" "$out.tmp/kubectl-krew"
rm -rf "$out"; mv "$out.tmp" "$out"
echo "$out"
