#!/usr/bin/env bash
# The workflow's "Check the site" step (.github/workflows/site.yml): installs the site checking
# tools when missing (scripts/site-check-tools.sh) and checks site/ (and the paper site in
# site/paper/) with scripts/check-site.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/site-check-tools.sh
bash scripts/check-site.sh site
# The paper site beside it (scripts/ci-paper-site.sh), built from the committed results.
if [ -d site/paper ]; then bash scripts/check-site.sh site/paper --no-execute --within site; fi
