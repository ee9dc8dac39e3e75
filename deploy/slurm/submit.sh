#!/usr/bin/env bash
# Submits a borderflow sweep to Slurm as N shards plus the dependent merge, and prints the job ids.
#
#   deploy/slurm/submit.sh N [sbatch options for both jobs, e.g. --partition=long --account=proj]
#
# Environment: SWEEP, RESULTS, BORDERFLOW, REPLICATIONS, DAYS, SEED, THREADS (see
# sweep-array.sbatch) and MERGED (see sweep-merge.sbatch). Example:
#
#   SWEEP=scenarios/sweeps/round-the-clock.toml RESULTS=$PWD/results/rtc \
#     BORDERFLOW=$PWD/target/release/borderflow deploy/slurm/submit.sh 8 --partition=batch
#
# The merge waits (afterok) for every task of the array; if any fails it is cancelled
# (--kill-on-invalid-dep=yes). Rerun the failed shards with
#   SHARDS=N sbatch --array=I,J deploy/slurm/sweep-array.sbatch
# (they resume where they stopped) and submit sweep-merge.sbatch again.
set -euo pipefail
n=${1:?usage: submit.sh N [sbatch options…]}
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
array=$(sbatch --parsable --array="0-$((n - 1))" "$@" "$here/sweep-array.sbatch")
array=${array%%;*} # --parsable prints JOBID or JOBID;CLUSTER
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --export="ALL,SHARDS=$n" "$@" "$here/sweep-merge.sbatch")
merge=${merge%%;*}
echo "array job $array: borderflow sweep, shards 0-$((n - 1)) -> ${RESULTS:-results/sweep}/shard-*"
echo "merge job $merge: borderflow merge after all of $array succeed -> ${MERGED:-${RESULTS:-results/sweep}/merged}"
