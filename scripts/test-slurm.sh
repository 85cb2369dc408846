#!/usr/bin/env bash
# Runs scripts/slurm-build.sh against a real single-node Slurm cluster started here (Debian's
# slurmctld, slurmd and munge, installed when missing; root or sudo needed), on a tiny report of
# six runs in 3 shards:
#   1. shard 1 fails (its store path is blocked by a file) and shard 2 is cancelled before it
#      starts: the site job must fail, name both shards and their logs, and write no site;
#   2. resubmitted after the fix: shard 0 restores its runs and trains nothing, shards 1 and 2
#      train theirs; the site job merges the stores, which verify, and assembles a site that
#      equals a single-machine build of the same report (same run keys, same numbers).
# Every daemon it started is stopped on exit, also on failure. Usage: bash scripts/test-slurm.sh
# (MGDL_REPORT=path picks the binary; default .build/release/mgdl-report, built when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
start_time=$(date +%s)
say() { echo "test-slurm: $*"; }
fail() { echo "test-slurm: FAIL: $*" >&2; exit 1; }

SUDO=(); [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
missing=()
for p in slurmctld slurmd slurm-client munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
BIN=${MGDL_REPORT:-$REPO/.build/release/mgdl-report}
if [ ! -x "$BIN" ]; then swift build -c release --product mgdl-report; fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
export MGDL_REPORT=$BIN

T=$(mktemp -d "${TMPDIR:-/tmp}/mgdl-slurm-XXXXXX")
chmod 755 "$T"
export SLURM_CONF="$T/slurm.conf"
cleanup() {
  status=$?
  trap - EXIT INT TERM
  # Cancel whatever is still queued or running, then stop the daemons this test started.
  if [ -f "$T/slurmctld.pid" ]; then
    ids=$(squeue -h -o %A 2>/dev/null || true)
    # shellcheck disable=SC2086 # one argument per job id
    [ -z "$ids" ] || scancel $ids 2>/dev/null || true
    for _ in $(seq 1 20); do [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  for pidfile in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ $status -ne 0 ]; then
    for log in "$T"/log/*.log "$T"/work/slurm-logs/*.out; do
      [ -f "$log" ] && { echo "--- $log (last lines)"; tail -n 15 "$log"; }
    done
    say "failed after $(( $(date +%s) - start_time )) s; files kept in $T"
  else
    rm -rf "$T"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Free TCP ports for the two daemons.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ctld_port=""; d_port=""
for p in $(seq $((20000 + RANDOM % 20000)) 1 45000); do
  port_free "$p" || continue
  if [ -z "$ctld_port" ]; then ctld_port=$p; elif port_free "$p"; then d_port=$p; break; fi
done
[ -n "$d_port" ] || fail "no free TCP ports"

# munge: a private key, socket and logs under $T.
mkdir -m 700 "$T/munge" && mkdir -p "$T/log" "$T/state" "$T/spool"
chmod 755 "$T/munge"
dd if=/dev/urandom of="$T/munge/munge.key" bs=128 count=1 status=none
chmod 400 "$T/munge/munge.key"
munged --force --socket="$T/munge/socket" --key-file="$T/munge/munge.key" --log-file="$T/log/munged.log" \
  --pid-file="$T/munge/munged.pid" --seed-file="$T/munge/seed" || fail "munged did not start"

node=$(hostname -s)
cat > "$SLURM_CONF" <<EOF
# A one-node cluster for scripts/test-slurm.sh. No cgroups (they may not work in a container):
# processes are tracked with /proc, and jobs are not confined to their CPUs.
ClusterName=mgdltest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=3600
NodeName=$node NodeAddr=127.0.0.1 CPUs=6 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for _ in $(seq 1 60); do
  [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
  sleep 0.5
done
[ "$(sinfo -h -o %T 2>/dev/null)" = idle ] || fail "the node is not idle: $(sinfo 2>&1)"
say "cluster up in $(( $(date +%s) - start_time )) s (ports $ctld_port, $d_port)"

# The workspace: a tiny report, the templates, nothing else.
W="$T/work"
mkdir -p "$W/reports"
cp "$REPO/scripts/fixtures/tiny-sweep.md" "$W/reports/"
cp -R "$REPO/templates" "$W/templates"
cd "$W"

# Submits with slurm-build.sh; sets $array and $site from its last line.
submit() {
  out=$(bash "$REPO/scripts/slurm-build.sh" quick 3) || fail "slurm-build.sh failed: $out"
  echo "$out"
  line=$(echo "$out" | grep '^submitted: ')
  array=$(echo "$line" | sed -E 's/.*training array ([0-9]+) .*/\1/')
  site=$(echo "$line" | sed -E 's/.*site job ([0-9]+);.*/\1/')
  [[ "$array" =~ ^[0-9]+$ && "$site" =~ ^[0-9]+$ ]] || fail "cannot read the job ids from: $line"
}
job_state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2; }
wait_for() {  # waits until the site job has ended (it ends last: it depends on the whole array)
  for _ in $(seq 1 300); do
    case "$(job_state "$site")" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) return 0 ;; esac
    sleep 1
  done
  fail "the site job $site did not end in 300 s: $(squeue 2>&1)"
}

# 1. One shard fails, one is cancelled before it starts: the site job must fail and say which.
say "round 1: shard 1 made to fail, shard 2 cancelled"
mkdir -p .mgdl-shards && echo "not a folder" > .mgdl-shards/store-1
# The partition is down while submitting, so nothing starts before shard 2 is cancelled.
scontrol update PartitionName=test State=DOWN
submit
scancel "${array}_2"
scontrol update PartitionName=test State=UP
wait_for
[ ! -e slurm-logs/train-2.out ] || fail "round 1: shard 2 ran although it was cancelled before it started"
[ "$(job_state "$site")" = FAILED ] || fail "round 1: the site job should fail, it is $(job_state "$site")"
[ "$(job_state "${array}_1")" = FAILED ] || fail "round 1: shard 1 should fail, it is $(job_state "${array}_1")"
grep -q "shard 1/3 .*slurm-logs/train-1.out" slurm-logs/site.out || fail "round 1: site.out does not name shard 1 and its log"
grep -q "shard 2/3 .*slurm-logs/train-2.out" slurm-logs/site.out || fail "round 1: site.out does not name shard 2 and its log"
if grep -q "shard 0/3 " slurm-logs/site.out; then fail "round 1: site.out blames shard 0, which finished"; fi
grep -qi "error" slurm-logs/train-1.out || fail "round 1: shard 1's log shows no error"
if [ -e site ] || [ -e .mgdl-store ]; then fail "round 1: a site or merged store was written although shards were missing"; fi
shard0_runs=$(sed -nE 's/^shard 0\/3: ([0-9]+) run.*/\1/p' slurm-logs/train-0.out)
[ "${shard0_runs:-0}" -gt 0 ] || fail "round 1: shard 0 trained nothing (the fixture should give every shard a run)"
sed 's/^/  site.out: /' slurm-logs/site.out

# 2. Fixed and resubmitted: only the missing runs train; the site equals a single-machine build.
say "round 2: resubmitted"
rm -f .mgdl-shards/store-1
submit
wait_for
[ "$(job_state "$site")" = COMPLETED ] || { cat slurm-logs/site.out >&2; fail "round 2: the site job is $(job_state "$site")"; }
grep -q "^shard 0/3: $shard0_runs run(s) (0 trained, $shard0_runs already in the store)" slurm-logs/train-0.out \
  || fail "round 2: shard 0 should restore its $shard0_runs run(s) and train none: $(cat slurm-logs/train-0.out)"
for i in 1 2; do
  grep -qE "^shard $i/3: ([0-9]+) run\(s\) \(\1 trained, 0 already in the store\)" "slurm-logs/train-$i.out" \
    || fail "round 2: shard $i should train all its runs: $(cat "slurm-logs/train-$i.out")"
done
"$BIN" verify-store --store .mgdl-store
# -j as the shards' (MGDL_CPUS_PER_TASK's default): the BLAS threads a run gets, which its key
# records, then match on any machine.
"$BIN" build --profile quick --store single-store --out single-site -j 2 --quiet
python3 "$REPO/scripts/compare-sites.py" site single-site --stores .mgdl-store single-store
say "passed in $(( $(date +%s) - start_time )) s"
