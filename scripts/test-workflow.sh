#!/usr/bin/env bash
# Runs the steps of .github/workflows/site.yml on this machine (scripts/run-workflow.py reads
# them from the workflow file: the shard matrix, the artifacts, the merge, the frozen build, the
# site check and the Pages upload), on the tiny fixture report instead of reports/, and checks:
#   - every job succeeds, and the published artifact equals a single-machine build of the same
#     report (same run keys, same numbers: scripts/compare-sites.py), with the paper site in paper/
#     (the fixture's paper profile not committed: its page says so) linked both ways;
#   - the merge step fails, naming the shard, when a shard's store is missing or unfinished.
# Usage: bash scripts/test-workflow.sh   (MGDL_REPORT=path picks the binary; default
# .build/release/mgdl-report, built when missing). Needs the site checking tools on PATH or
# installs them (scripts/site-check-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
start_time=$(date +%s)
say() { echo "test-workflow: $*"; }
fail() { echo "test-workflow: FAIL: $*" >&2; exit 1; }
source scripts/workflow-tools.sh
BIN=${MGDL_REPORT:-$REPO/.build/release/mgdl-report}
if [ ! -x "$BIN" ]; then swift build -c release --product mgdl-report; fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

T=$(mktemp -d "${TMPDIR:-/tmp}/mgdl-workflow-XXXXXX")
cleanup() { local status=$?; if [ $status -eq 0 ]; then rm -rf "$T"; else say "failed; files kept in $T"; fi; }
trap cleanup EXIT

# SHARDS and the matrix's shard list are set side by side in the workflow: they must agree.
"$WORKFLOW_VENV/bin/python" - .github/workflows/site.yml <<'PY' || fail "the workflow's SHARDS and its matrix disagree"
import sys
from ruamel.yaml import YAML
w = YAML(typ="safe", pure=True).load(open(sys.argv[1]))
shards = w["jobs"]["train"]["strategy"]["matrix"]["shard"]
sys.exit(0 if shards == list(range(int(w["env"]["SHARDS"]))) else f"matrix shard: {shards}, SHARDS: {w['env']['SHARDS']}")
PY
"$WORKFLOW_VENV/bin/python" scripts/run-workflow.py .github/workflows/site.yml \
  --repo "$REPO" --work "$T" --binary "$BIN" --reports scripts/fixtures \
  || fail "the workflow failed when run here"
pages="$T/_artifacts/github-pages"
[ -f "$pages/index.html" ] || fail "no Pages artifact"
merged="$T/site-0/.mgdl-store"

# The paper site beside the quick one (scripts/ci-paper-site.sh), from the committed results:
# the fixture's paper profile is not committed, and its page says so; the two link both ways.
[ -f "$pages/paper/index.html" ] || fail "no paper site (paper/) in the Pages artifact"
grep -q 'Not yet committed' "$pages/paper/tiny-sweep/index.html" || fail "the paper page of an uncommitted report does not say so"
grep -q 'href="../paper/tiny-sweep/index.html"' "$pages/tiny-sweep/index.html" || fail "the quick page does not link to its paper page"
grep -q 'href="../../tiny-sweep/index.html"' "$pages/paper/tiny-sweep/index.html" || fail "the paper page does not link to its quick page"
grep -q 'Profile <code>quick</code>' "$pages/tiny-sweep/index.html" || fail "the quick page does not name its profile"
quick_pages="$T/quick-pages"
cp -r "$pages" "$quick_pages"
rm -rf "$quick_pages/paper"

# The same report built on one machine, in one go.
mkdir -p "$T/single/reports"
cp scripts/fixtures/*.md "$T/single/reports/"
(cd "$T/single" && "$BIN" build --profile quick --templates "$REPO/templates" --store store --out site --quiet)
python3 scripts/compare-sites.py "$quick_pages" "$T/single/site" --stores "$merged" "$T/single/store"

# A shard whose store did not arrive complete: the merge step must fail and name it.
cd "$T/site-0"
rm -rf .mgdl-store site
rm "shards/store-2/shard.txt"
if out=$(bash scripts/ci-merge.sh 4 2>&1); then fail "ci-merge.sh succeeded with shard 2 unfinished"; fi
echo "$out" | grep -q "shard 2/4 is missing or unfinished" || fail "ci-merge.sh did not name shard 2: $out"
[ ! -e site ] || fail "ci-merge.sh wrote a site with shard 2 missing"
say "passed in $(( $(date +%s) - start_time )) s"
