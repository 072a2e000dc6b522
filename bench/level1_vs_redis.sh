#!/usr/bin/env bash
# Level 1's blocking add against Redis's INCR, one client, one request at a time, on loopback.
#
#   bench/level1_vs_redis.sh [BUILD_DIR] [N]      # defaults: build/release, 100000
#
# Starts a private redis-server on a free loopback port (installing Debian's redis-server if it
# is missing), runs `redis-benchmark -t incr -c 1 -P 1 -n N` against it, stops it, runs
# ladder_bench_level1_rpc with the same N, and prints both rates and the ratios. The targets
# (issue 3): level 1 without backups >= 0.8x Redis, with two backups in parallel >= 0.4x.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${1:-build/release}
N=${2:-100000}
PORT=${REDIS_PORT:-16379}
BENCH="$BUILD_DIR/bench/ladder_bench_level1_rpc"

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y redis-server >&2
fi
if [ ! -x "$BENCH" ]; then
  echo "level1_vs_redis: $BENCH is missing; build it first:" >&2
  echo "  cmake --preset release && cmake --build build/release --target ladder_bench_level1_rpc" >&2
  exit 1
fi

# A throwaway server: no persistence, loopback only, stopped however this script ends.
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  --loglevel warning >/dev/null &
REDIS_PID=$!
trap 'kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$PORT" ping >/dev/null

# `-q` prints "INCR: 41841.00 requests per second, p50=0.023 msec"; keep the number.
redis_line=$(redis-benchmark -p "$PORT" -t incr -c 1 -P 1 -n "$N" -q | tr '\r' '\n' | grep '^INCR:' | tail -1)
redis_rate=$(echo "$redis_line" | sed -E 's/^INCR: ([0-9.]+) requests per second.*/\1/')
kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true
trap - EXIT

ours=$("$BENCH" --calls "$N")
none=$(echo "$ours" | awk '$1 == "level1_add_no_backups" {print $2}')
two=$(echo "$ours" | awk '$1 == "level1_add_two_backups" {print $2}')

awk -v r="$redis_rate" -v a="$none" -v b="$two" -v n="$N" 'BEGIN {
  printf "N = %d calls, one client, one request at a time\n", n
  printf "%-36s %10.0f calls/s\n", "redis INCR", r
  printf "%-36s %10.0f calls/s  %.2fx redis (target >= 0.8x)\n", "level 1 add, no backups", a, a / r
  printf "%-36s %10.0f calls/s  %.2fx redis (target >= 0.4x)\n", "level 1 add, two backups in parallel", b, b / r
}'
