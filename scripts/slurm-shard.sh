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
jobs=${SLURM_CPUS_PER_TASK:-1}
echo "slurm-shard: shard $i/$SHARDS of job $job on $(hostname), profile $PROFILE, $jobs CPU(s)"
# mgdl-report gives each of its -j runs (the node's CPUs / -j) BLAS threads, counting every CPU
# of the node whatever this job may use, and a run's key records a thread count other than one.
online=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if [ $((online / jobs)) -gt 1 ]; then
  echo "slurm-shard: warning: the node has $online CPUs and this shard trains $jobs run(s) at once: each computes on $((online / jobs)) threads (oversubscribed if the job was given fewer CPUs, and keys unlike a one-thread build's). Ask for whole nodes: SBATCH_EXCLUSIVE=exclusive and MGDL_CPUS_PER_TASK=$online." >&2
fi
"$BIN" build --profile "$PROFILE" --shard "$i/$SHARDS" --store ".mgdl-shards/store-$i" \
  -j "$jobs" --quiet
echo "$job" > "$mark"
