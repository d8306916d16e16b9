#!/usr/bin/env bash
# Builds (or finds in the cache) the OCI archive of the report CronJob's image and prints its
# path: bash scripts/testbed/build-report-image.sh. Logs go to stderr. See report-image.sh.
set -euo pipefail
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
# shellcheck source=images.sh
source "$TB_DIR/images.sh"
# shellcheck source=report-image.sh
source "$TB_DIR/report-image.sh"
build_report_image
