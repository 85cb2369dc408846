#!/usr/bin/env bash
# Sets everything up and builds the site: system packages, a release build of mgdl-report,
# then `mgdl-report build` (quick profile unless arguments say otherwise). Open site/index.html.
# Usage: bash scripts/build-site.sh [build options, e.g. --profile paper]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product mgdl-report
if [ $# -eq 0 ]; then set -- --profile quick; fi
exec .build/release/mgdl-report build "$@"
