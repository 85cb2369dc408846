#!/usr/bin/env bash
# The workflow's "Check the site" step (.github/workflows/site.yml): installs the site checking
# tools when missing (scripts/site-check-tools.sh) and checks site/ with scripts/check-site.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/site-check-tools.sh
bash scripts/check-site.sh site
