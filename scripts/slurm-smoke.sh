#!/usr/bin/env bash
# Proves the Slurm recipe of docs/scale-out.md for real on this machine:
# installs Slurm and MUNGE from Debian's packages if needed, starts a
# one-node slurmctld + slurmd listening on localhost only, submits the
# documented job array (examples/slurm/shard.sbatch) and the dependent merge
# job (examples/slurm/merge.sbatch), waits for them, and checks that the
# merged folder is byte for byte the unsharded run. Stops the daemons it
# started. Needs root (it installs packages and runs slurmd).
#
#   scripts/slurm-smoke.sh              # N=4 shards of tests/sweeps/small-grid.yaml
#   SHARDS=3 SWEEP=my.yaml scripts/slurm-smoke.sh
#
# In CI it runs only when MESOSIM_SLURM_TESTS=1 (tests/slurm.rs).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARDS=${SHARDS:-4}
SWEEP=${SWEEP:-$ROOT/tests/sweeps/small-grid.yaml}
say() { echo "slurm-smoke: $*"; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

MESOSIM=${MESOSIM:-}
if [ -z "$MESOSIM" ]; then
    say "building mesosim (release)"
    (cd "$ROOT" && cargo build --release --quiet)
    MESOSIM=$ROOT/target/release/mesosim
fi

WORK=$(mktemp -d /tmp/mesosim-slurm.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/munge" "$WORK/out"
NODE=$(hostname -s)
CPUS=$(nproc)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for f in "$WORK/slurmctld.pid" "$WORK/slurmd.pid" "$WORK/munge/munged.pid"; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    done
}
trap cleanup EXIT

# MUNGE with its own key, socket and state, so that nothing of the machine's
# own MUNGE (if any) is touched.
if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$WORK/munge/munge.key" --force >/dev/null
else
    dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 700 "$WORK/munge"
chmod 400 "$WORK/munge/munge.key"
SOCKET=$WORK/munge/munge.socket
munged --force --key-file="$WORK/munge/munge.key" --socket="$SOCKET" \
    --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" \
    --seed-file="$WORK/munge/munged.seed"

cat >"$WORK/slurm.conf" <<CONF
ClusterName=mesosim-smoke
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=smoke Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$WORK/slurm.conf

say "starting slurmctld and slurmd (localhost, ports 16817/16818) in $WORK"
slurmctld -c -i
slurmd -N "$NODE"
for _ in $(seq 1 60); do
    if sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then break; fi
    sleep 1
done
sinfo

# The recipe of docs/scale-out.md, verbatim but for the paths.
cd "$WORK/out"
export SWEEP OUT=$WORK/out MESOSIM
ARRAY=$(sbatch --parsable --array=0-$((SHARDS - 1)) "$ROOT/examples/slurm/shard.sbatch")
MERGE=$(sbatch --parsable --dependency=afterok:"$ARRAY" "$ROOT/examples/slurm/merge.sbatch")
say "submitted array job $ARRAY ($SHARDS shards) and merge job $MERGE"
for _ in $(seq 1 600); do
    if [ -z "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ]; then break; fi
    sleep 1
done
if [ -n "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ]; then
    squeue
    say "FAIL: the jobs did not finish within 10 minutes"
    exit 1
fi
cat "$WORK/out"/mesosim-merge-*.out
if [ ! -f "$WORK/out/merged/manifest.json" ]; then
    tail -n 20 "$WORK/out"/*.out "$WORK/slurmctld.log" "$WORK/slurmd.log" || true
    say "FAIL: no merged comparison"
    exit 1
fi

say "running the same sweep unsharded for comparison"
"$MESOSIM" sweep "$SWEEP" --quiet --out "$WORK/whole"
if diff -r "$WORK/whole" "$WORK/out/merged" >/dev/null; then
    FILES=$(find "$WORK/whole" -type f | wc -l)
    say "OK: $SHARDS Slurm array tasks + merge = the unsharded run, byte for byte ($FILES files)"
else
    diff -r "$WORK/whole" "$WORK/out/merged" | head -20
    say "FAIL: the merged folder differs from the unsharded run"
    exit 1
fi
