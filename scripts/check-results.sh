#!/usr/bin/env bash
# Checks the committed results store (results/) and the paper site built from it, training
# nothing (docs/committed-results.md):
#   1. every entry of results/ verifies (its files match its digest, its declaration its key);
#   2. `build --profile paper --frozen --allow-uncommitted` from results/ alone (an empty run
#      store): every report results/ lists as committed (results/reports/paper/*.json) builds whole
#      (a listed run missing or not verifying, or declarations changed since they were frozen,
#      fail, by name); the other reports build as "not yet committed" pages;
#   3. that site passes scripts/check-site.sh (promised files, links, HTML5, notebooks; not executed).
# Writes the paper site to OUT (default: a temporary folder, removed at the end).
# Usage: bash scripts/check-results.sh [--binary PATH] [--out DIR] [--profile NAME]
# Needs the site checking tools on PATH (source scripts/site-check-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/mgdl-report OUT="" PROFILE=paper
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BIN=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --profile) PROFILE=$2; shift 2 ;;
    *) echo "check-results: unknown argument $1" >&2; exit 2 ;;
  esac
done
fail() { echo "check-results: FAIL: $*" >&2; exit 1; }
[ -x "$BIN" ] || fail "no mgdl-report binary at $BIN (swift build -c release)"
start=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/mgdl-results-XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -n "$OUT" ] || OUT="$work/site"

committed=0
if [ -d results/runs ]; then
  "$BIN" verify-store --store results || fail "an entry of results/ does not verify (above)"
  committed=$(ls results/reports/"$PROFILE" 2>/dev/null | grep -c '\.json$' || true)
fi
echo "check-results: $committed report(s) with a committed $PROFILE profile"

status=0
"$BIN" build --profile "$PROFILE" --frozen --allow-uncommitted --results results --store "$work/empty-store" \
  --out "$OUT" --quiet > "$work/build.txt" 2>&1 || status=$?
cat "$work/build.txt"
[ "$status" = 0 ] || fail "the $PROFILE site does not build from results/ alone (exit $status; above)"
grep -q "0 trained" "$work/build.txt" || fail "the frozen build trained something"
for manifest in results/reports/"$PROFILE"/*.json; do
  [ -e "$manifest" ] || continue
  id=$(basename "$manifest" .json)
  grep -q 'class="uncommitted-note"' "$OUT/$id/index.html" && fail "report $id is listed as committed but its page says not yet committed"
done
bash scripts/check-site.sh "$OUT" --no-execute || fail "the $PROFILE site built from results/ does not pass check-site (above)"
echo "check-results: passed in $(( $(date +%s) - start )) s"
