#!/usr/bin/env bash
# Level 3's RESP front door alone (in-memory counter, no cluster) against Redis, both driven by
# redis-benchmark's INCR with 50 clients and with 1, on loopback.
#
#   bench/resp_bench.sh [BUILD_DIR] [N]      # defaults: build/release, 200000
#
# The door must be well above 0.5x Redis's rate, or a cluster behind it cannot reach issue 6's
# target. After its runs, a GET on the door must equal the INCRs it acknowledged (2 N).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/help.sh
bench_help "bench/$(basename "$0")" "$@"
source bench/redis.sh

BUILD_DIR=${1:-build/release}
N=${2:-200000}
REDIS_PORT=${REDIS_PORT:-16379}
DOOR_PORT=${DOOR_PORT:-16380}
DOOR="$BUILD_DIR/bench/ladder_bench_resp_door"

redis_require resp_bench
if [ ! -x "$DOOR" ]; then
  echo "resp_bench: $DOOR is missing; build it first:" >&2
  echo "  cmake --preset release && cmake --build build/release --target ladder_bench_resp_door" >&2
  exit 1
fi

door_pid=""
trap 'redis_stop; [ -z "$door_pid" ] || { kill "$door_pid" 2>/dev/null; wait "$door_pid" 2>/dev/null; } || true' EXIT

# "rps p50 p99" of one redis-benchmark INCR run (--csv: "INCR","rps","avg","min","p50","p95","p99","max").
measure() {
  redis-benchmark -p "$1" -t incr -c "$2" -n "$N" --csv | grep '^"INCR"' | tr -d '"' |
    awk -F, '{print $2, $5, $7}'
}

# A throwaway Redis: no persistence, loopback only.
redis_start resp_bench "$REDIS_PORT" --save "" --appendonly no
"$DOOR" --port "$DOOR_PORT" >/dev/null &
door_pid=$!
redis_wait_ping resp_bench "$DOOR_PORT"

declare -A result
for clients in 50 1; do
  result[redis,$clients]=$(measure "$REDIS_PORT" "$clients")
  result[door,$clients]=$(measure "$DOOR_PORT" "$clients")
done
value=$(redis-cli -p "$DOOR_PORT" --raw get counter)

echo "N = $N INCRs per run, redis-benchmark -t incr -c C -n $N, loopback, $(nproc) cores"
printf "%-10s %8s %12s %9s %9s %8s\n" server clients "INCR/s" "p50 ms" "p99 ms" "x redis"
for clients in 50 1; do
  read -r rr rp50 rp99 <<<"${result[redis,$clients]}"
  read -r dr dp50 dp99 <<<"${result[door,$clients]}"
  printf "%-10s %8d %12.0f %9.3f %9.3f %8s\n" redis "$clients" "$rr" "$rp50" "$rp99" "1.00"
  printf "%-10s %8d %12.0f %9.3f %9.3f %8.2f\n" door "$clients" "$dr" "$dp50" "$dp99" \
    "$(awk -v a="$dr" -v b="$rr" 'BEGIN {print a / b}')"
done
echo "GET on the door after both runs: $value (expected $((2 * N)))"
[ "$value" = "$((2 * N))" ]
