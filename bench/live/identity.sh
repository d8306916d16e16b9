#!/usr/bin/env bash
# Writes .testbed/bench/kubeconfig: a client certificate CN=aiops-bench, O=system:masters, signed
# by the test bed's CA with the test bed's own helpers (scripts/testbed/pki.sh). The benchmark
# runs every command as this user so that the audit log's count is only its own requests: the
# admin user is shared with the e2e suite and with whoever else uses the test bed meanwhile.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/testbed/lib.sh"
source "$TB_DIR/pki.sh"
load_ports || die "the test bed is not up"
client_cert aiops-bench aiops-bench system:masters
mkdir -p "$STATE/bench"
write_kubeconfig "$STATE/bench/kubeconfig" aiops-bench aiops-bench
echo "$STATE/bench/kubeconfig"
