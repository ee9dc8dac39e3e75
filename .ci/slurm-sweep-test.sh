#!/usr/bin/env bash
# Proves the Slurm path of a sharded borderflow sweep on this one machine, for real:
#
#   1. installs Debian's slurm-wlm and munge (skipped when they are already there);
#   2. starts a private munged and a single-node Slurm cluster (slurmctld + slurmd), everything
#      (config, state, spool, sockets, pid files, logs) in a temporary directory, on ports of its
#      own, so it neither needs nor touches /etc/slurm or a Slurm that may already run here;
#   3. submits scenarios/sweeps/round-the-clock.toml with deploy/slurm/submit.sh, exactly as
#      deploy/slurm/README.md tells users to: a 3-task job array (sweep-array.sbatch) and the
#      merge as a dependent job (sweep-merge.sbatch, --dependency=afterok:ARRAY); waits for both
#      and checks that every task COMPLETED with exit code 0 and that the merge started only
#      after the last shard ended;
#   4. runs `borderflow merge` on the 3 shard directories and an unsharded `borderflow sweep`
#      with the same overrides, and `diff -r`s both merges against the unsharded output.
#
# Exit 0 only if every array task completed and both merged outputs are byte-identical to the
# unsharded one. Must run as root (it installs packages and runs slurmd, which runs jobs as their
# user). Takes well under a minute once the packages are installed; about a minute more on a
# fresh machine (apt-get update + install).
#
# Usage: ci/slurm-sweep-test.sh [BORDERFLOW_BINARY]
#   Without an argument it builds target/release/borderflow with cargo (or uses an existing
#   one when cargo is missing).
# Environment (optional): REPLICATIONS (2), DAYS (30), SHARDS (3),
#   SWEEP_FILE (scenarios/sweeps/round-the-clock.toml), SLURM_TEST_TIMEOUT seconds for the jobs (300),
#   SLURM_TEST_PORT first of two TCP ports for slurmctld and slurmd (16817),
#   KEEP_WORK=1 keeps the temporary directory after a success (it is always kept after a failure).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPLICATIONS=${REPLICATIONS:-2}
DAYS=${DAYS:-30}
SHARDS=${SHARDS:-3}
SWEEP_FILE=${SWEEP_FILE:-scenarios/sweeps/round-the-clock.toml}
TIMEOUT=${SLURM_TEST_TIMEOUT:-300}
CTLD_PORT=${SLURM_TEST_PORT:-16817}
SLURMD_PORT=$((CTLD_PORT + 1))
HOST=$(hostname -s)
NCPU=$(nproc)
T0=$SECONDS

log() { printf '[slurm-sweep-test +%3ds] %s\n' $((SECONDS - T0)) "$*"; }
die() {
  log "FAIL: $*"
  exit 1
}

if [ "$(id -u)" != 0 ]; then
  echo "ci/slurm-sweep-test.sh must run as root (apt-get, munged, slurmd)" >&2
  exit 2
fi

WORK=$(mktemp -d /tmp/borderflow-slurm.XXXXXX)
chmod 755 "$WORK" # the munge user must reach $WORK/munge
mkdir -p "$WORK"/{etc,state,spool,run,log,munge,results}
CONF=$WORK/etc/slurm.conf
OUR_POLICY_RC=""
ARRAY_JOB=""
MERGE_JOB=""

show_logs() {
  local f
  echo "---------------- diagnostics (work dir $WORK) ----------------"
  if [ -s "$CONF" ] && command -v sinfo >/dev/null; then
    SLURM_CONF=$CONF timeout 10 sinfo -N -l 2>&1 || true
    SLURM_CONF=$CONF timeout 10 squeue -l 2>&1 || true
    for j in $ARRAY_JOB $MERGE_JOB; do
      SLURM_CONF=$CONF timeout 10 scontrol show job "$j" 2>&1 | grep -E 'JobId=|JobState=|ExitCode|Reason' || true
    done
  fi
  for f in "$WORK"/log/* "$WORK"/munge/munged.log; do
    [ -f "$f" ] || continue
    echo "---- tail -n 40 $f"
    tail -n 40 "$f"
  done
  echo "--------------------------------------------------------------"
}

stop_pidfile() { # stop_pidfile NAME FILE: TERM, then KILL after 10 s
  local name=$1 file=$2 pid i
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || { log "stopped $name (pid $pid)"; return 0; }
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
  log "killed $name (pid $pid)"
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT HUP INT PIPE TERM
  [ "$rc" != 0 ] && show_logs
  if [ -s "$CONF" ] && [ -s "$WORK/run/slurmctld.pid" ] && [ -n "$ARRAY_JOB$MERGE_JOB" ]; then
    # Jobs still queued or running (a failure or a time-out): cancel them before slurmd goes away,
    # so that no slurmstepd or borderflow is left behind.
    if [ -n "$(SLURM_CONF=$CONF timeout 10 squeue -h -o %i 2>/dev/null)" ]; then
      # shellcheck disable=SC2086 # either id may be empty
      SLURM_CONF=$CONF timeout 10 scancel $ARRAY_JOB $MERGE_JOB 2>/dev/null
      for ((i = 0; i < 50; i++)); do
        [ -z "$(SLURM_CONF=$CONF timeout 10 squeue -h -o %i 2>/dev/null)" ] && break
        sleep 0.2
      done
    fi
  fi
  stop_pidfile slurmd "$WORK/run/slurmd.pid"
  stop_pidfile slurmctld "$WORK/run/slurmctld.pid"
  stop_pidfile munged "$WORK/munge/munged.pid"
  [ -n "$OUR_POLICY_RC" ] && rm -f "$OUR_POLICY_RC"
  if [ "$rc" = 0 ] && [ -z "${KEEP_WORK:-}" ]; then
    rm -rf "$WORK"
  else
    log "work directory kept: $WORK"
  fi
  if [ "$rc" = 0 ]; then
    log "PASS in $((SECONDS - T0)) s"
  else
    log "FAILED (exit $rc) after $((SECONDS - T0)) s"
  fi
  exit "$rc"
}
trap cleanup EXIT
# Signals (Ctrl-C, a CI time-out, a closed pipe) still stop the daemons through the EXIT trap.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# wait_until SECONDS DESCRIPTION COMMAND…: polls COMMAND every 0.5 s.
wait_until() {
  local limit=$1 what=$2 i
  shift 2
  for ((i = 0; i < limit * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "timed out after ${limit}s waiting for $what"
}

# ---------------------------------------------------------------- 1. packages
missing=()
for cmd in slurmctld slurmd sbatch sinfo squeue scontrol munged munge unmunge; do
  command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing slurm-wlm and munge (missing: ${missing[*]})"
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # Keep the packages' init scripts from starting daemons with their default configuration
    # (slurmctld would fail without /etc/slurm/slurm.conf and fail the install). Removed on exit.
    OUR_POLICY_RC=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$OUR_POLICY_RC"
    chmod 755 "$OUR_POLICY_RC"
  fi
  apt-get update -qq >"$WORK/log/apt.log" 2>&1 || { tail -n 30 "$WORK/log/apt.log"; die "apt-get update failed"; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge \
    >>"$WORK/log/apt.log" 2>&1 || { tail -n 30 "$WORK/log/apt.log"; die "apt-get install slurm-wlm munge failed"; }
  if [ -n "$OUR_POLICY_RC" ]; then rm -f "$OUR_POLICY_RC"; OUR_POLICY_RC=""; fi
else
  log "slurm-wlm and munge already installed: skipping apt-get"
fi
log "$(slurmctld -V), $(munged -V 2>&1 | head -n 1)"

# ---------------------------------------------------------------- 2. borderflow binary
if [ $# -ge 1 ]; then
  BIN=$(realpath "$1")
elif command -v cargo >/dev/null; then
  log "building target/release/borderflow (cargo build --release --locked)"
  (cd "$REPO" && cargo build --release --locked --quiet)
  BIN=$REPO/target/release/borderflow
else
  BIN=$REPO/target/release/borderflow
fi
[ -x "$BIN" ] || die "no borderflow binary at $BIN (pass one as the argument, or install cargo)"
log "borderflow binary: $BIN"

# ---------------------------------------------------------------- 3. munge
KEY=/etc/munge/munge.key
if [ ! -s "$KEY" ]; then
  log "creating munge key $KEY"
  install -d -m 700 /etc/munge
  if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$KEY"
  else
    dd if=/dev/urandom of="$KEY" bs=1024 count=1 status=none
  fi
  if id munge >/dev/null 2>&1; then chown munge:munge /etc/munge "$KEY"; fi
  chmod 400 "$KEY"
fi
# munged insists that the key belongs to the user it runs as: run it as the key's owner (munge
# for Debian's package), with its socket, pid, seed and log in $WORK; Slurm is pointed at this
# socket by AuthInfo in slurm.conf. A munged already running on this machine is left alone.
MUNGE_USER=$(stat -c %U "$KEY")
chown "$MUNGE_USER" "$WORK/munge"
chmod 755 "$WORK/munge"
MUNGE_SOCKET=$WORK/munge/munge.socket
runuser -u "$MUNGE_USER" -- munged --socket="$MUNGE_SOCKET" --key-file="$KEY" \
  --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" \
  --seed-file="$WORK/munge/munged.seed" || die "munged did not start"
munge -S "$MUNGE_SOCKET" -n | unmunge -S "$MUNGE_SOCKET" >/dev/null || die "munge credential round trip failed"
log "munged running as $MUNGE_USER (pid $(cat "$WORK/munge/munged.pid")), credential round trip OK"

# ---------------------------------------------------------------- 4. Slurm
# A minimal single-node cluster that starts in a container without systemd, cgroups or
# accounting: process tracking by /proc (proctrack/linuxproc), no task binding (task/none), no
# job accounting, CPUs as the consumable resource (cons_tres, CR_CPU; memory not tracked, so
# RealMemory only has to be small), and the node's real hardware not checked against the config
# (SlurmdParameters=config_overrides). kill_invalid_depend cancels the merge if a shard fails.
cat >"$CONF" <<EOF
ClusterName=borderflow-ci
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
DependencyParameters=kill_invalid_depend
MailProg=/bin/true
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$NCPU RealMemory=1000 State=UNKNOWN
PartitionName=ci Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$CONF

slurmctld -f "$CONF" || die "slurmctld did not start"
wait_until 30 "slurmctld to answer (scontrol ping)" bash -c 'scontrol ping | grep -q "is UP"'
log "slurmctld up (pid $(cat "$WORK/run/slurmctld.pid"), port $CTLD_PORT)"
slurmd -f "$CONF" -N "$HOST" || die "slurmd did not start"
node_idle() { [ "$(sinfo -h -N -n "$HOST" -o %T 2>/dev/null)" = idle ]; }
wait_until 60 "node $HOST to be idle in sinfo" node_idle
log "slurmd up (pid $(cat "$WORK/run/slurmd.pid")); sinfo: $(sinfo -h -N -o '%N %P %T %c CPUs')"

# ---------------------------------------------------------------- 5. the sweep as a job array
export SWEEP=$REPO/$SWEEP_FILE RESULTS=$WORK/results BORDERFLOW=$BIN REPLICATIONS DAYS
unset THREADS SEED MERGED
cd "$WORK"
# deploy/slurm/submit.sh is what users run: the array (sweep-array.sbatch) and the merge
# (sweep-merge.sbatch) with --dependency=afterok:ARRAY --kill-on-invalid-dep=yes. The extra options
# go to both jobs: one CPU each (so two shards run at once on a 2-CPU machine), logs in $WORK/log.
log "deploy/slurm/submit.sh $SHARDS (sweep --replications $REPLICATIONS --days $DAYS)"
MERGED=$WORK/merged-slurm "$REPO/deploy/slurm/submit.sh" "$SHARDS" --cpus-per-task=1 --time=10 \
  --output="$WORK/log/%x-%j.out" >"$WORK/submit.out"
sed 's/^/    /' "$WORK/submit.out"
ARRAY_JOB=$(awk '/^array job/ {sub(":", "", $3); print $3}' "$WORK/submit.out")
MERGE_JOB=$(awk '/^merge job/ {sub(":", "", $3); print $3}' "$WORK/submit.out")
[[ $ARRAY_JOB =~ ^[0-9]+$ && $MERGE_JOB =~ ^[0-9]+$ ]] || die "could not read the job ids from submit.sh"
# Equivalent of `sbatch --wait` for the pair: wait until neither job is queued or running.
jobs_gone() {
  local q
  q=$(squeue -h -j "$ARRAY_JOB,$MERGE_JOB" -o %i) && [ -z "$q" ]
}
wait_until "$TIMEOUT" "jobs $ARRAY_JOB (array) and $MERGE_JOB (merge) to finish" jobs_gone
log "jobs finished"

# Every array task must have COMPLETED with exit code 0 (scontrol keeps finished jobs MinJobAge s).
ntasks_ok=0
while read -r line; do
  [[ $line =~ ArrayTaskId=([0-9]+) ]] && task=${BASH_REMATCH[1]} || task='?'
  [[ $line =~ JobState=([A-Z_]+) ]] && state=${BASH_REMATCH[1]} || state='?'
  [[ $line =~ ExitCode=([0-9:]+) ]] && code=${BASH_REMATCH[1]} || code='?'
  [[ $line =~ BatchHost=([^ ]+) ]] && node=${BASH_REMATCH[1]} || node='?'
  [[ $line =~ StartTime=([^ ]+) ]] && start=${BASH_REMATCH[1]} || start='?'
  [[ $line =~ EndTime=([^ ]+) ]] && end=${BASH_REMATCH[1]} || end='?'
  [[ $end > ${last_end:-} ]] && last_end=$end
  log "  array task ${ARRAY_JOB}_$task: $state, exit code $code, on $node, $start .. $end"
  [ "$state:$code" = COMPLETED:0:0 ] && ntasks_ok=$((ntasks_ok + 1))
done < <(scontrol -o show job "$ARRAY_JOB")
[ "$ntasks_ok" = "$SHARDS" ] || die "only $ntasks_ok of $SHARDS array tasks completed with exit code 0"
merge_line=$(scontrol -o show job "$MERGE_JOB")
[[ $merge_line =~ JobState=COMPLETED\ .*ExitCode=0:0 ]] ||
  die "the merge job $MERGE_JOB did not complete: $(grep -o 'JobState=[^ ]*\|Reason=[^ ]*\|ExitCode=[^ ]*' <<<"$merge_line" | paste -sd' ' -)"
merge_start=$(grep -o 'StartTime=[^ ]*' <<<"$merge_line" | cut -d= -f2)
# ISO times (1 s resolution) compare as strings: the merge must not have started before the last shard ended.
[[ $merge_start < $last_end ]] && die "merge job $MERGE_JOB started ($merge_start) before the array ended ($last_end)"
log "merge job $MERGE_JOB completed, started $merge_start after the last shard ended ($last_end)"
for ((i = 0; i < SHARDS; i++)); do
  grep -q "shard $i/$SHARDS: [0-9]* jobs recorded" "$WORK"/log/borderflow-sweep-*.out || die "no task output reports shard $i/$SHARDS"
  [ -s "$RESULTS/shard-$i/shard.json" ] || die "$RESULTS/shard-$i/shard.json missing"
  log "  shard-$i: $(tr -d '\n ' <"$RESULTS/shard-$i/shard.json")"
done

# ---------------------------------------------------------------- 6. compare with an unsharded run
dirs=()
for ((i = 0; i < SHARDS; i++)); do dirs+=("$RESULTS/shard-$i"); done
"$BIN" merge "${dirs[@]}" --out "$WORK/merged" >"$WORK/log/merge-local.out" 2>&1 || {
  cat "$WORK/log/merge-local.out"
  die "borderflow merge failed"
}
log "borderflow merge of the $SHARDS shard directories: OK"
"$BIN" sweep "$SWEEP" --replications "$REPLICATIONS" --days "$DAYS" --out "$WORK/unsharded" --quiet \
  >"$WORK/log/unsharded.out" 2>&1 || {
  cat "$WORK/log/unsharded.out"
  die "unsharded borderflow sweep failed"
}
log "unsharded borderflow sweep: OK ($(cd "$WORK/unsharded" && echo *))"
diff -r "$WORK/merged" "$WORK/unsharded" || die "merged shards differ from the unsharded sweep"
diff -r "$WORK/merged-slurm" "$WORK/unsharded" || die "the Slurm merge job's output differs from the unsharded sweep"
log "merged == unsharded, byte for byte (diff -r), for both the local merge and the Slurm merge job"
