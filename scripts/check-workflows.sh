#!/usr/bin/env bash
# Checks the GitHub Actions workflows offline: their structure against the workflow schema
# (check-jsonschema's copy of it) and their security with zizmor (policy: .github/zizmor.yml).
# Fails on any schema error and on any zizmor finding above informational.
#   bash scripts/check-workflows.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/workflow-tools.sh
workflows=(.github/workflows/*.yml)
"$WORKFLOW_VENV/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
"$WORKFLOW_VENV/bin/zizmor" --offline --no-progress --min-severity low --config .github/zizmor.yml "${workflows[@]}"
echo "check-workflows: ${#workflows[@]} workflow(s): schema valid, no zizmor finding above informational"
