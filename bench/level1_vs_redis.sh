#!/usr/bin/env bash
# Level 1's blocking add against Redis's INCR, one client, one request at a time, on loopback.
#
#   bench/level1_vs_redis.sh [BUILD_DIR] [N] [ROUNDS]   # defaults: build/release, 100000, 3
#
# Starts a private redis-server on a free loopback port (installing Debian's redis-server if it
# is missing). Each round runs `redis-benchmark -t incr -c 1 -P 1 -n N` against it, then
# ladder_bench_level1_rpc with the same N, once without backups and once with two, one right after
# the other, so that the three figures of a round meet the same load on a shared machine. Prints
# every round with its ratios and the load average, then the median ratios. The targets (issue 3):
# level 1 without backups >= 0.8x Redis, with two backups in parallel >= 0.4x.
#
#   PIN_CPU=0 bench/level1_vs_redis.sh ...   # every process of both sides on CPU 0 (taskset)
#
# Unset (the default), the kernel places the threads. On a small VM where a wake-up across vCPUs
# costs more than a whole round trip on one, where it puts level 1's four threads (client, primary,
# two backups) decides the two-backup figure more than the code does; PIN_CPU measures both sides
# on one CPU, the same for both (bench/RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/help.sh
bench_help "bench/$(basename "$0")" "$@"
source bench/redis.sh

BUILD_DIR=${1:-build/release}
N=${2:-100000}
ROUNDS=${3:-3}
PORT=${REDIS_PORT:-16379}
BENCH="$BUILD_DIR/bench/ladder_bench_level1_rpc"
PIN=()
[ -n "${PIN_CPU:-}" ] && PIN=(taskset -c "$PIN_CPU")

redis_require level1_vs_redis
if [ ! -x "$BENCH" ]; then
  echo "level1_vs_redis: $BENCH is missing; build it first:" >&2
  echo "  cmake --preset release && cmake --build build/release --target ladder_bench_level1_rpc" >&2
  exit 1
fi

# A throwaway server: no persistence, loopback only, stopped however this script ends.
trap redis_stop EXIT
REDIS_PREFIX=("${PIN[@]}")
redis_start level1_vs_redis "$PORT" --save "" --appendonly no

redis_rate() {
  # `-q` prints "INCR: 41841.00 requests per second, p50=0.023 msec"; keep the number.
  "${PIN[@]}" redis-benchmark -p "$PORT" -t incr -c 1 -P 1 -n "$N" -q | tr '\r' '\n' | grep '^INCR:' |
    tail -1 | sed -E 's/^INCR: ([0-9.]+) requests per second.*/\1/'
}

ours_rate() {  # $1: no-backups or two-backups
  "${PIN[@]}" "$BENCH" --calls "$N" --only "$1" | awk '{print $2}'
}

placement="threads placed by the kernel"
[ -n "${PIN_CPU:-}" ] && placement="every process on CPU $PIN_CPU"
echo "N = $N calls per figure, one client, one request at a time; $(nproc) cores; $placement"
printf "%-6s %12s %14s %7s %15s %7s %6s\n" round "redis INCR/s" "L1 no backups" ratio \
  "L1 two backups" ratio load
rows=""
for round in $(seq "$ROUNDS"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  redis=$(redis_rate)
  none=$(ours_rate no-backups)
  two=$(ours_rate two-backups)
  row=$(awk -v k="$round" -v r="$redis" -v a="$none" -v b="$two" -v l="$load" 'BEGIN {
    printf "%-6s %12.0f %14.0f %6.2fx %15.0f %6.2fx %6s", k, r, a, a / r, b, b / r, l }')
  echo "$row"
  rows+="$row"$'\n'
done

# The median of each ratio column (columns 4 and 6, "0.83x").
median() {
  printf "%s" "$rows" | awk -v c="$1" '{ sub("x", "", $c); print $c }' | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "median ratio, no backups:  $(median 4)x redis (target >= 0.8x)"
echo "median ratio, two backups: $(median 6)x redis (target >= 0.4x)"
