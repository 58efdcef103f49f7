#!/usr/bin/env bash
# The run's thread's instructions and cache misses under callgrind's cache model, the last
# level standing for a 1 MB L2 (docs/performance.md, "The short visit's dense copy (stop 29)"):
# the model that predicted this machine's wall-clock changes where instruction counts did not.
#
#   scripts/l2-misses.sh BINARY SCENARIO [UNTIL]     (UNTIL defaults to 2min)
#
# Prints: Ir D1mr D1mw DLmr DLmw of `mesosim::main` (inclusive), the run's thread only (the
# record digest's and the shuffle words' threads are not in it). Needs valgrind.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 BINARY SCENARIO [UNTIL]" >&2
  exit 2
fi
bin=$1 scenario=$2 until=${3:-2min}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
valgrind --tool=callgrind --cache-sim=yes --LL=1048576,16,64 --D1=32768,8,64 \
  --callgrind-out-file="$work/cg" "$bin" run "$scenario" --quiet --force \
  --out "$work/out" --set "until=$until" > /dev/null 2>&1
echo "Ir D1mr D1mw DLmr DLmw"
callgrind_annotate --inclusive=yes --show=Ir,D1mr,D1mw,DLmr,DLmw "$work/cg" 2>/dev/null |
  grep -m1 'mesosim::main' | sed -E 's/\([^)]*\)//g; s/ +/ /g; s/^ //' | cut -d' ' -f1-5
