#!/bin/sh
# Regenerates one committed reproduction in results/ (see results/README.md):
#   scripts/reproduce.sh NAME      NAME: drf-paper, drf-figure4, mesos-fig3,
#                                  offer-starvation, mesos-table2, or all
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
    *)
        echo "unknown reproduction: $1" >&2; exit 2 ;;
    esac
}

if [ "${1:-}" = all ]; then
    for n in drf-paper drf-figure4 mesos-fig3 offer-starvation mesos-table2; do one "$n"; done
elif [ $# -eq 1 ]; then
    one "$1"
else
    echo "usage: scripts/reproduce.sh NAME|all" >&2; exit 2
fi
