#!/usr/bin/env bash
# A/B of `ladder node` settings on a 3-node level 3 cluster: interleaved, so that the machine's
# drift (10% and more from minute to minute on a shared virtual machine) falls on every setting
# alike. Each round starts a fresh cluster per setting, runs `redis-benchmark -t incr -c 50`
# against its primary, and stops it; at the end, each setting's runs and mean.
#
#   bench/level3_ab.sh BUILD_DIR N ROUNDS "FLAGS A" "FLAGS B" ...
#   bench/level3_ab.sh /tmp/rel 100000 5 "" "--append-disk"
#   bench/level3_ab.sh /tmp/rel 100000 6 "--door-linger-us 200" "--door-linger-us 1000"
#
# A setting is a list of `ladder node` flags ("" for the defaults). Each run prints the setting,
# INCR/s, p50 and p99 ms, and the primary's door requests, lingers and lingers that ran out; then
# where its rounds went, per request (in the cluster, answering, lingering: INFO's door_*_us).
# Environment: LADDER_BASE_PORT (default 17500: UDP ports BASE..BASE+2, RESP BASE+10..+12).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/help.sh
bench_help "bench/$(basename "$0")" "$@"
source bench/redis.sh
source bench/ladder_cluster.sh
if [ $# -lt 4 ]; then
  bench_header bench/level3_ab.sh >&2
  exit 2
fi
BUILD_DIR=$1
N=$2
ROUNDS=$3
shift 3
[[ "$N" =~ ^[0-9]+$ && "$ROUNDS" =~ ^[0-9]+$ ]] || { echo "level3_ab: N and ROUNDS are counts" >&2; exit 2; }
LADDER="$BUILD_DIR/tools/ladder/ladder"
[ -x "$LADDER" ] || { echo "level3_ab: $LADDER is missing; build it first" >&2; exit 1; }
redis_require level3_ab
BASE=${LADDER_BASE_PORT:-17500}
WORK=$(mktemp -d /tmp/ladder-level3-ab.XXXXXX)
PIDS=()

cleanup() {
  ladder_cluster_stop
  rm -rf "$WORK"
}
trap cleanup EXIT

ladder_cluster_file level3_ab "$WORK" "$BASE"

results="$WORK/results"
for r in $(seq "$ROUNDS"); do
  for flags in "$@"; do
    ladder_cluster_start level3_ab "$LADDER" "$WORK" "$flags"
    port=$(ladder_cluster_primary "$BASE")
    [ -n "$port" ] || { echo "level3_ab: no node says role:primary in its INFO" >&2; exit 1; }
    before=$(ladder_door_snapshot "$port")
    line=$(redis-benchmark -p "$port" -t incr -n "$N" -c 50 --csv | grep '^"INCR"' | tr -d '"') ||
      { echo "level3_ab: redis-benchmark printed no INCR line" >&2; exit 1; }
    rps=$(echo "$line" | cut -d, -f2)
    read -r requests lingers ran_out < <(ladder_info "$port" door_requests door_lingers door_linger_timeouts)
    printf '%-40s round %d: %9.0f INCR/s, p50 %s p99 %s ms; %s requests, %s lingers, %s ran out\n' \
      "\"$flags\"" "$r" "$rps" "$(echo "$line" | cut -d, -f5)" "$(echo "$line" | cut -d, -f7)" \
      "$requests" "$lingers" "$ran_out"
    echo "  $(ladder_door_round "$before" "$(ladder_door_snapshot "$port")")"
    printf '%s\t%s\n' "$flags" "$rps" >>"$results"
    ladder_cluster_stop
  done
done
echo
awk -F'\t' '{ sum[$1] += $2; n[$1]++; if (!($1 in order)) { order[$1] = ++k; name[k] = $1 } }
  END { for (i = 1; i <= k; i++)
          printf "%-40s mean of %d: %9.0f INCR/s\n", "\"" name[i] "\"", n[name[i]], sum[name[i]] / n[name[i]] }' "$results"
