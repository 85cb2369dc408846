#!/usr/bin/env bash
# One task of the training array submitted by scripts/slurm-build.sh (not meant to be run by hand).
#   slurm-shard.sh BIN PROFILE SHARDS      (in the job's folder; task i = SLURM_ARRAY_TASK_ID)
# Trains shard i/SHARDS into .mgdl-shards/store-i, then writes .mgdl-shards/store-i.done holding
# the array's job id: the site job counts a shard as finished only with that mark.
set -euo pipefail
BIN=$1 PROFILE=$2 SHARDS=$3
i=${SLURM_ARRAY_TASK_ID:?slurm-shard: not in a Slurm job array}
job=${SLURM_ARRAY_JOB_ID:?slurm-shard: not in a Slurm job array}
mark=".mgdl-shards/store-$i.done"
rm -f "$mark"
echo "slurm-shard: shard $i/$SHARDS of job $job on $(hostname), profile $PROFILE, ${SLURM_CPUS_PER_TASK:-1} CPU(s)"
"$BIN" build --profile "$PROFILE" --shard "$i/$SHARDS" --store ".mgdl-shards/store-$i" \
  -j "${SLURM_CPUS_PER_TASK:-1}" --quiet
echo "$job" > "$mark"
