#!/usr/bin/env bash
# Runs the whole test suite (installs the system packages first if they are missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
