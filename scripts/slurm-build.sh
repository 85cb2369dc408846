#!/usr/bin/env bash
# Trains the reports on a Slurm cluster as a job array (one task per shard), then merges the
# run stores and assembles the site in a dependent job.
#
#   cd <the folder that holds reports/ and templates/, e.g. this repository>
#   bash scripts/slurm-build.sh [PROFILE] [SHARDS]      # e.g. bash scripts/slurm-build.sh paper 16
#
# Shard i trains its share of the runs into .mgdl-shards/store-i (log: slurm-logs/train-i.out);
# the site job (log: slurm-logs/site.out) runs after every shard has ended, whatever its state:
# if a shard failed or was cancelled it fails naming that shard and its log, and writes no site.
# Running this again resubmits every shard, but a shard whose runs are already in its store
# restores them and trains nothing: only the missing runs train.
#
# Needs: the folder on a file system the compute nodes share, a release build
# (`swift build -c release --product mgdl-report`; or MGDL_REPORT=/path/to/mgdl-report), and
# sbatch on PATH. Cluster settings come from sbatch's own environment variables, e.g.
# SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT (per shard); MGDL_CPUS_PER_TASK (default 2)
# sets the CPUs of each shard (it trains that many runs at once).
set -euo pipefail
SCRIPTS="$(cd "$(dirname "$0")" && pwd)"
PROFILE=${1:-paper}
SHARDS=${2:-8}
CPUS=${MGDL_CPUS_PER_TASK:-2}
BIN=${MGDL_REPORT:-"$SCRIPTS/../.build/release/mgdl-report"}
fail() { echo "slurm-build: $*" >&2; exit 1; }
[[ "$SHARDS" =~ ^[1-9][0-9]*$ ]] || fail "SHARDS must be a positive number, found '$SHARDS'"
[[ "$CPUS" =~ ^[1-9][0-9]*$ ]] || fail "MGDL_CPUS_PER_TASK must be a positive number, found '$CPUS'"
[ -x "$BIN" ] || fail "no mgdl-report at $BIN: build first (swift build -c release --product mgdl-report) or set MGDL_REPORT"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
command -v sbatch >/dev/null || fail "sbatch not found: run this on a Slurm login node"
[ -d reports ] || fail "no reports/ folder here ($PWD): run this from the folder that holds reports/"
"$BIN" validate --profile "$PROFILE"
mkdir -p slurm-logs .mgdl-shards

# The batch scripts are copied by sbatch at submission, so later edits do not affect queued jobs.
array=$(sbatch --parsable --job-name=mgdl-train --array="0-$((SHARDS - 1))" --cpus-per-task="$CPUS" \
  --output='slurm-logs/train-%a.out' --chdir="$PWD" \
  "$SCRIPTS/slurm-shard.sh" "$BIN" "$PROFILE" "$SHARDS")
array=${array%%;*}
site=$(sbatch --parsable --job-name=mgdl-site --dependency="afterany:$array" \
  --output='slurm-logs/site.out' --chdir="$PWD" \
  "$SCRIPTS/slurm-site.sh" "$BIN" "$PROFILE" "$SHARDS" "$array")
site=${site%%;*}
echo "submitted: training array $array ($SHARDS shards), site job $site; logs in slurm-logs/"
