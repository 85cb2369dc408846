#!/usr/bin/env bash
# The workflow's merge step (.github/workflows/site.yml): the N shard stores, downloaded as
# shards/store-I/, are merged into .mgdl-store, which is verified; then the site is assembled
# from it into site/ (profile $PROFILE, default quick) without training anything; the quick site
# links to the paper site of scripts/ci-paper-site.sh (site/paper/). Fails naming
# each shard whose store is missing or unfinished (no shard.txt). Run from the repository root.
#   bash scripts/ci-merge.sh N
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: bash scripts/ci-merge.sh N" >&2; exit 2; }
N=$1
BIN=.build/release/mgdl-report
stores=() missing=0
for i in $(seq 0 $((N - 1))); do
  if [ -f "shards/store-$i/shard.txt" ]; then
    echo "ci-merge: $(cat "shards/store-$i/shard.txt")"
    stores+=("shards/store-$i")
  else
    echo "ci-merge: shard $i/$N is missing or unfinished (no shards/store-$i/shard.txt): see the log of the job 'Train shard $i'" >&2
    missing=$((missing + 1))
  fi
done
[ "$missing" -eq 0 ] || { echo "ci-merge: $missing of $N shard(s) missing: no site written" >&2; exit 1; }
"$BIN" merge-stores --into .mgdl-store "${stores[@]}"
"$BIN" verify-store --store .mgdl-store
# The quick site links every page to the paper site that scripts/ci-paper-site.sh puts in site/paper/.
link=(); [ "${PROFILE:-quick}" != quick ] || link=(--profile-link paper=paper/)
"$BIN" build --profile "${PROFILE:-quick}" --store .mgdl-store --frozen --out site "${link[@]}"
