#!/usr/bin/env bash
# Level 4's explorer side by side with Spin on the same model: the PN-counter of
# level4_explore/pn_model.hpp, and bench/spin/pn_counter.pml, its Promela twin.
#
#   bench/spin_vs_explorer.sh [BUILD_DIR] [REPLICAS ADDS DROPS DUPLICATES IN_FLIGHT]
#       defaults: build/release, 3 2 1 1 4 (1,103,208 states)
#   bench/spin_vs_explorer.sh --check BENCH_BINARY [REPLICAS ADDS DROPS DUPLICATES IN_FLIGHT]
#       only the state counts: exit 0 when equal, 1 when not, 77 when spin or gcc is missing
#       (the ctest level4_spin_state_count runs this)
#
# Installs nothing (./run installs spin). Runs `spin -a` on the model with the bounds as -D
# macros, compiles pan with partial-order reduction off (-DNOREDUCE) and -O2, runs it, runs
# ladder_bench_level4_spin on the same bounds, and prints states, states/s and the ratio. Both
# search exhaustively with full states stored (Spin: depth first; the explorer: breadth first);
# both check the same invariants in every state. Issue 7's target: the same state count, and at
# least Spin's states per second.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/help.sh
bench_help "bench/$(basename "$0")" "$@"

check=false
if [ "${1:-}" = "--check" ]; then
  check=true
  BENCH=${2:?"--check needs the ladder_bench_level4_spin binary"}
  shift 2
else
  BUILD_DIR=${1:-build/release}
  [ $# -gt 0 ] && shift
  BENCH="$BUILD_DIR/bench/ladder_bench_level4_spin"
fi
REPLICAS=${1:-3}
ADDS=${2:-2}
DROPS=${3:-1}
DUPLICATES=${4:-1}
IN_FLIGHT=${5:-4}

for tool in spin gcc; do
  if ! command -v "$tool" >/dev/null; then
    echo "spin_vs_explorer: SKIP: '$tool' is not installed (./run installs it: apt-get install $tool)"
    exit 77
  fi
done
if [ ! -x "$BENCH" ]; then
  echo "spin_vs_explorer: $BENCH is missing; build it first:" >&2
  echo "  cmake --preset release && cmake --build build/release --target ladder_bench_level4_spin" >&2
  exit 1
fi

MODEL="$PWD/bench/spin/pn_counter.pml"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Spin: generate the verifier, compile it, run it. -m: the DFS stack's depth bound, far above the
# deepest path (124 events at the default bounds); the search must never be cut by it. The hash
# table is pan's default (-w24: 2^24 slots), ample for these counts.
compile_start=$(date +%s.%N)
(cd "$WORK" && spin -DR="$REPLICAS" -DADDS="$ADDS" -DDROPS="$DROPS" -DDUPS="$DUPLICATES" \
  -DCAP="$IN_FLIGHT" -a "$MODEL" >spin.log 2>&1) || { cat "$WORK/spin.log" >&2; exit 1; }
(cd "$WORK" && gcc -O2 -DNOREDUCE -DSAFETY -w -o pan pan.c) || exit 1
compile_end=$(date +%s.%N)
# Each side runs 3 times (once for --check) and keeps its fastest: the machine is shared.
runs=$($check && echo 1 || echo 3)
spin_seconds=""
for _ in $(seq "$runs"); do
  (cd "$WORK" && ./pan -m1000000 >pan.log 2>&1) || true
  seconds=$(sed -nE 's/^pan: elapsed time ([0-9.e+-]+) seconds.*/\1/p' "$WORK/pan.log" | head -1)
  spin_seconds=$(awk -v a="$spin_seconds" -v b="$seconds" 'BEGIN {print (a == "" || b + 0 < a + 0) ? b : a}')
done
spin_states=$(awk '/states, stored/ {print $1; exit}' "$WORK/pan.log")
spin_bytes=$(sed -nE 's/.*state-vector as stored = ([0-9]+) byte \+ ([0-9]+) byte overhead.*/\1 \2/p' "$WORK/pan.log" | awk '{print $1 + $2}')
spin_errors=$(sed -nE 's/.*errors: ([0-9]+).*/\1/p' "$WORK/pan.log" | head -1)
if [ -z "$spin_states" ] || [ "$spin_errors" != "0" ] || grep -q "max search depth too small" "$WORK/pan.log"; then
  echo "spin_vs_explorer: Spin's run failed or was cut:" >&2
  cat "$WORK/pan.log" >&2
  exit 1
fi

ours=$("$BENCH" --replicas "$REPLICAS" --adds "$ADDS" --drops "$DROPS" --duplicates "$DUPLICATES" \
  --in-flight "$IN_FLIGHT" --repeat "$runs")
our_states=$(echo "$ours" | awk '{for (i = 1; i < NF; i++) if ($i == "states") print $(i + 1)}')
our_seconds=$(echo "$ours" | awk '{for (i = 1; i < NF; i++) if ($i == "seconds") print $(i + 1)}')
our_bytes=$(echo "$ours" | awk '{for (i = 1; i < NF; i++) if ($i == "bytes_per_state") print $(i + 1)}')

echo "PN-counter: replicas $REPLICAS, adds $ADDS, drops $DROPS, duplicates $DUPLICATES, in flight $IN_FLIGHT"
if $check; then
  echo "spin states $spin_states, explorer states $our_states"
  [ "$spin_states" = "$our_states" ] && exit 0
  echo "spin_vs_explorer: the state counts differ: the models are no longer equivalent" >&2
  exit 1
fi

awk -v ss="$spin_states" -v st="$spin_seconds" -v os="$our_states" -v ot="$our_seconds" \
    -v ob="$our_bytes" -v sb="$spin_bytes" -v c0="$compile_start" -v c1="$compile_end" 'BEGIN {
  ct = c1 - c0
  sr = st > 0 ? ss / st : 0
  orate = ot > 0 ? os / ot : 0
  printf "%-34s %10s %8s %12s\n", "", "states", "seconds", "states/s"
  printf "%-34s %10d %8.2f %12.0f   (%s bytes per stored state; spin -a + gcc: %.1f s more)\n", "Spin 6.5 (pan -DNOREDUCE -O2)", ss, st, sr, sb, ct
  printf "%-34s %10d %8.2f %12.0f   (%s bytes per stored state)\n", "ladder explorer (bfs, exact)", os, ot, orate, ob
  printf "same state count: %s; explorer / Spin states per second: %.2fx (target >= 1x)\n", \
    (ss == os ? "yes" : "NO"), (sr > 0 ? orate / sr : 0)
  exit (ss == os ? 0 : 1)
}'
