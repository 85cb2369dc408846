#!/usr/bin/env bash
# Trains the reports on a Slurm cluster as a job array (one task per shard), then merges the
# run stores and assembles the site in a dependent job.
#
#   bash scripts/slurm-build.sh [PROFILE] [SHARDS]      # e.g. bash scripts/slurm-build.sh paper 16
#
# Needs: the repository on a shared file system, a release build
# (`swift build -c release --product mgdl-report`), and sbatch on PATH. Extra sbatch options
# (partition, account, time) come from SBATCH_* environment variables as usual.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${1:-paper}
SHARDS=${2:-8}
BIN="$PWD/.build/release/mgdl-report"
[ -x "$BIN" ] || { echo "slurm-build: build first: swift build -c release --product mgdl-report" >&2; exit 1; }
command -v sbatch >/dev/null || { echo "slurm-build: sbatch not found: run this on a Slurm login node" >&2; exit 1; }
"$BIN" validate --profile "$PROFILE"
mkdir -p slurm-logs

array=$(sbatch --parsable --job-name=mgdl-train --array=0-$((SHARDS - 1)) \
  --cpus-per-task=2 --output=slurm-logs/train-%a.out --chdir="$PWD" --wrap \
  "OPENBLAS_NUM_THREADS=\${SLURM_CPUS_PER_TASK:-1} '$BIN' build --profile '$PROFILE' --shard \${SLURM_ARRAY_TASK_ID}/$SHARDS --store .mgdl-shards/store-\${SLURM_ARRAY_TASK_ID} --quiet")

stores=$(for i in $(seq 0 $((SHARDS - 1))); do printf '.mgdl-shards/store-%d ' "$i"; done)
sbatch --parsable --job-name=mgdl-site --dependency=afterok:"$array" --output=slurm-logs/site.out --chdir="$PWD" --wrap \
  "'$BIN' merge-stores --into .mgdl-store $stores && '$BIN' verify-store && '$BIN' build --profile '$PROFILE' --frozen"
echo "submitted: training array $array ($SHARDS shards), then the site job; logs in slurm-logs/"
