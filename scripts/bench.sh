#!/bin/sh
# Whole-scenario benchmarks (issue 14, docs/performance.md): builds the
# release binary, runs each benchmark scenario under /usr/bin/time -v and
# prints a table of wall time, peak memory (max RSS), events per second,
# offers per second and simulated seconds per wall second.
#
#   scripts/bench.sh            # quickstart, 10 simulated minutes of scale-2k and omega-exp
#   scripts/bench.sh --full     # the whole scale-2k (2 h) and omega-exp (1 day): long today
#   scripts/bench.sh FILE.yaml [--set K=V ...]   # one scenario of your own
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

if [ $# -gt 0 ] && [ "$1" != "--full" ]; then
  one "$(basename "$1" .yaml)" "$@"
  exit 0
fi
one quickstart scenarios/quickstart.yaml
if [ "${1:-}" = "--full" ]; then
  one scale-2k scenarios/bench/scale-2k.yaml
  one omega-exp-day scenarios/bench/omega-exp.yaml
else
  one scale-2k-10m scenarios/bench/scale-2k.yaml --set until=10m
  one omega-exp-10m scenarios/bench/omega-exp.yaml --set until=10m
fi
