#!/usr/bin/env bash
# The site job submitted by scripts/slurm-build.sh (not meant to be run by hand); it runs after
# every task of the training array has ended, in any state.
#   slurm-site.sh BIN PROFILE SHARDS ARRAY_JOB_ID
# Fails, naming each shard that did not finish and its log, unless every shard of this array
# wrote its mark; then merges the shard stores into .mgdl-store, verifies it, and assembles the
# site from it (`build --frozen` trains nothing).
set -euo pipefail
BIN=$1 PROFILE=$2 SHARDS=$3 ARRAY=$4
missing=0
for i in $(seq 0 $((SHARDS - 1))); do
  if [ "$(cat ".mgdl-shards/store-$i.done" 2>/dev/null)" != "$ARRAY" ]; then
    state=$(scontrol show job "${ARRAY}_$i" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 || true)
    echo "slurm-site: shard $i/$SHARDS (job ${ARRAY}_$i${state:+, $state}) did not finish: it failed or was cancelled; its log: slurm-logs/train-$i.out" >&2
    missing=$((missing + 1))
  fi
done
if [ "$missing" -gt 0 ]; then
  echo "slurm-site: $missing of $SHARDS shard(s) missing: no site written. Fix the cause and run scripts/slurm-build.sh $PROFILE $SHARDS again: the finished shards restore their runs from .mgdl-shards and train nothing." >&2
  exit 1
fi
stores=()
for i in $(seq 0 $((SHARDS - 1))); do stores+=(".mgdl-shards/store-$i"); done
"$BIN" merge-stores --into .mgdl-store "${stores[@]}"
"$BIN" verify-store --store .mgdl-store
"$BIN" build --profile "$PROFILE" --store .mgdl-store --frozen
