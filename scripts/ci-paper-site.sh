#!/usr/bin/env bash
# The workflow's paper-site step (.github/workflows/site.yml): after the quick site is in site/,
# builds the paper profile from the committed results store (results/), training nothing, into
# site/paper/ (every report whose paper profile is not committed yet gets a page that says so),
# linked both ways with the quick site. Fails when a report results/ lists as committed does not
# build whole from it (a run missing, not verifying, or declarations changed since they were
# frozen). Skipped when the workflow builds another profile than quick. Run from the repository root.
#   bash scripts/ci-paper-site.sh
set -euo pipefail
if [ "${PROFILE:-quick}" != quick ]; then
  echo "ci-paper-site: the workflow builds profile $PROFILE: no paper site beside it"
  exit 0
fi
[ -f site/index.html ] || { echo "ci-paper-site: no quick site in site/ (run scripts/ci-merge.sh first)" >&2; exit 1; }
BIN=.build/release/mgdl-report
if [ -d results/runs ]; then "$BIN" verify-store --store results; fi
"$BIN" build --profile paper --frozen --allow-uncommitted --results results --store .mgdl-paper-store \
  --out site/paper --profile-link quick=../
