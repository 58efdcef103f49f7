#!/bin/sh
# Regenerates one committed reproduction in results/ (see results/README.md):
#   scripts/reproduce.sh NAME      NAME: drf-paper, drf-figure4, mesos-fig3,
#                                  offer-starvation, mesos-table2, policies,
#                                  architectures, or all
# Every output is deterministic: run again, it rewrites the same bytes.
# tests/reproductions.rs checks the committed folders against these commands.
set -eu
cd "$(dirname "$0")/.."
cargo build --release --quiet
M=target/release/mesosim

one() {
    case "$1" in
    drf-paper)
        $M run scenarios/drf-paper.yaml --quiet --force --out results/drf-paper ;;
    drf-figure4)
        $M run results/drf-figure4/scenario.yaml --png --quiet --force --out results/drf-figure4/run ;;
    mesos-fig3)
        $M run results/mesos-fig3/scenario.yaml --events --png --quiet --force --out results/mesos-fig3/run ;;
    offer-starvation)
        # The baseline against each cure, 20 seeds each (common random numbers).
        S=results/offer-starvation/scenario.yaml
        O="--seeds 1..20 --png --quiet --force"
        $M compare $S --set master.refuse_seconds=5s,120s $O --out results/offer-starvation/refuse-seconds
        $M compare $S --policies drf,random $O --out results/offer-starvation/random-sorter
        $M compare $S --set 'roles.analytics.quota=null,{guarantee: {cpus: 60}}' $O \
            --out results/offer-starvation/quota
        $M compare $S --set workload.0.framework_defaults.suppress_when_idle=false,true $O \
            --out results/offer-starvation/suppress ;;
    mesos-table2)
        for c in elastic-constant elastic-exponential rigid-constant rigid-exponential; do
            $M run "results/mesos-table2/scenarios/$c.yaml" --png --quiet --force \
                --out "results/mesos-table2/seed1/$c"
        done
        MESOSIM_BLESS=1 cargo test --release --quiet --test reproductions mesos_paper_table_2 ;;
    policies)
        # Every policy on one workload, 10 seeds; then, per policy, the
        # strategy-proofness probe: framework `cpu` asks for 8 GB a task
        # instead of the 2 GB it needs.
        S=results/policies/scenario.yaml
        P=drf,random,asset-fair,single-resource,slots,fifo,priority,lottery,auction
        O="--seeds 1..10 --png --quiet --force"
        $M compare $S --policies $P $O --set 'output.compare_frameworks=[cpu,mem,gpu,mixed]' \
            --out results/policies/all
        for p in $(echo $P | tr , ' '); do
            $M compare $S --policies $p --set workload.0.generate.classes.0.resources.mem=2048,8192 \
                $O --no-charts --out "results/policies/probe/$p"
        done ;;
    architectures)
        # Two-level, monolithic and shared-state against the service
        # scheduler's decision time; then two-level over 2, 4, 8
        # partitions, static and rebalanced (sweep files in the folder);
        # then the Omega simulator's exp workload with C = 0.1 s and
        # L = 5 ms under each architecture; then the per-framework table
        # (table.py: jobs.csv's waits).
        for f in decision-time partitions omega-exp; do
            $M sweep "results/architectures/$f.sweep.yaml" --png --quiet --force \
                --out "results/architectures/$f"
        done
        python3 results/architectures/table.py "$M" ;;
    *)
        echo "unknown reproduction: $1" >&2; exit 2 ;;
    esac
}

if [ "${1:-}" = all ]; then
    for n in drf-paper drf-figure4 mesos-fig3 offer-starvation mesos-table2 policies architectures; do one "$n"; done
elif [ $# -eq 1 ]; then
    one "$1"
else
    echo "usage: scripts/reproduce.sh NAME|all" >&2; exit 2
fi
