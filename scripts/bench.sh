#!/bin/sh
# Whole-scenario benchmarks (issue 14, docs/performance.md): builds the
# release binary, runs each benchmark scenario under /usr/bin/time -v and
# prints a table of wall time, peak memory (max RSS), events per second,
# offers per second and simulated seconds per wall second.
#
#   scripts/bench.sh            # quickstart, 10 simulated minutes of scale-2k and omega-exp,
#                               # 5 of google-day, and omega-exp's whole day under
#                               # shared-state (item 3 (ii): cheap, so always the day)
#   scripts/bench.sh --full     # the whole scale-2k (2 h), omega-exp and google-day (1 day each): long today
#   scripts/bench.sh FILE.yaml [--set K=V ...]   # one scenario of your own
#   scripts/bench.sh --sweep    # a 32-run compare on 1 thread and on 2: the ratio (item 4)
#
# Timings are wall clock: on a shared or loaded machine they are noisy, so
# say so next to any number you quote (docs/performance.md does).
set -eu
cd "$(dirname "$0")/.."

cargo build --release --quiet
bin=target/release/mesosim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-28s %9s %9s %11s %10s %11s %9s\n' \
  scenario wall_s rss_MB events events/s offers/s sim_s/s
one() {
  label=$1
  shift
  out="$tmp/out"
  rm -rf "$out"
  /usr/bin/time -v "$bin" run "$@" --quiet --out "$out" 2>"$tmp/time" >/dev/null || {
    echo "$label: run failed" >&2
    cat "$tmp/time" >&2
    return 1
  }
  python3 - "$label" "$tmp/time" "$out/summary.json" <<'PY'
import json, sys
label, timef, summaryf = sys.argv[1:4]
wall = rss = None
for line in open(timef):
    line = line.strip()
    if line.startswith("Elapsed (wall clock) time"):
        t = line.rsplit(" ", 1)[1].split(":")
        wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(t)))
    elif line.startswith("Maximum resident set size"):
        rss = int(line.rsplit(" ", 1)[1]) / 1024
s = json.load(open(summaryf))
ev, offers, sim = s["events"], s["offers"]["made"], s["end_time_s"]
w = max(wall, 1e-3)
print(f"{label:<28} {wall:9.2f} {rss:9.0f} {ev:11d} {ev / w:10.0f} {offers / w:11.0f} {sim / w:9.0f}")
PY
}

# Issue 14 item 4: a 32-run `compare` (quickstart's first 30 minutes,
# seeds 1..32) with `--jobs 1` and `--jobs 2` (compare builds its own
# thread pool of --jobs threads, so RAYON_NUM_THREADS has no effect);
# the target is a ratio of at most 0.6. Needs two idle cores to mean much.
sweep() {
  for j in 1 2; do
    rm -rf "$tmp/sweep"
    /usr/bin/time -f "%e %U %S" -o "$tmp/sweep-time-$j" "$bin" compare scenarios/quickstart.yaml \
      --seeds 1..32 --set until=30m --jobs "$j" --no-charts --quiet --out "$tmp/sweep" >/dev/null
  done
  python3 - "$tmp/sweep-time-1" "$tmp/sweep-time-2" <<'PY'
import sys
(w1, u1, s1), (w2, u2, s2) = ([float(x) for x in open(f).read().split()[-3:]] for f in sys.argv[1:3])
print(f"32-run compare: --jobs 1 {w1:.2f} s wall ({u1 + s1:.2f} s cpu), --jobs 2 {w2:.2f} s wall ({u2 + s2:.2f} s cpu), ratio {w2 / w1:.2f} (target <= 0.6)")
PY
}

if [ "${1:-}" = "--sweep" ]; then
  sweep
  exit 0
fi
if [ $# -gt 0 ] && [ "$1" != "--full" ]; then
  one "$(basename "$1" .yaml)" "$@"
  exit 0
fi
# google-day is generated (scripts/gen-google-day.py), not committed.
python3 scripts/gen-google-day.py -o "$tmp/google-day.yaml"
one quickstart scenarios/quickstart.yaml
if [ "${1:-}" = "--full" ]; then
  one scale-2k scenarios/bench/scale-2k.yaml
  one omega-exp-day scenarios/bench/omega-exp.yaml
  one google-day "$tmp/google-day.yaml"
else
  one scale-2k-10m scenarios/bench/scale-2k.yaml --set until=10m
  one omega-exp-10m scenarios/bench/omega-exp.yaml --set until=10m
  one google-day-5m "$tmp/google-day.yaml" --set until=5m
fi
# Item 3 (ii): the same day under the shared-state architecture (Omega).
one omega-exp-day-shared-state scenarios/bench/omega-exp.yaml --set architecture=shared-state
