#!/usr/bin/env bash
# The workflow's "Set up" step (.github/workflows/site.yml): the system packages and a release
# build of mgdl-report at .build/release/mgdl-report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product mgdl-report
