#!/usr/bin/env bash
# The workflow's training step (.github/workflows/site.yml): trains shard I of N of the reports
# (profile $PROFILE, default quick) into the run store store-I/, and, once it has finished, writes
# store-I/shard.txt (the merge step's proof that this shard is complete, and what keeps the
# artifact of a shard that owns no run from being empty). The workflow uploads store-I/ as the
# artifact store-I. Run from the repository root.
#   bash scripts/ci-shard.sh I N
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: bash scripts/ci-shard.sh I N" >&2; exit 2; }
I=$1 N=$2
rm -f "store-$I/shard.txt"
.build/release/mgdl-report build --profile "${PROFILE:-quick}" --shard "$I/$N" --store "store-$I" | tee "store-$I.log"
tail -n 1 "store-$I.log" > "store-$I/shard.txt"
rm -f "store-$I.log"
