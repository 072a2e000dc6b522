# shellcheck shell=bash
# A local 3-node level 3 cluster of `ladder node` processes, for the bench scripts that measure
# one (level3_vs_redis.sh, level3_ab.sh). Sourced after bench/redis.sh (for port_free), from the
# repository's top:
#
#   ladder_cluster_file SCRIPT WORK BASE     # checks the ports, writes WORK/cluster.json
#   ladder_cluster_start SCRIPT LADDER WORK FLAGS
#                                            # r0..r2 with fresh data dirs WORK/data-rN and FLAGS
#                                            # (a list of `ladder node` flags); their pids go to
#                                            # the array PIDS; waits for each one's ready line
#   ladder_cluster_stop                      # kills the nodes in PIDS, waits for them, empties it
#   ladder_cluster_primary BASE              # prints the RESP port of the node that says
#                                            # role:primary, waiting up to 5 s ("" if none)
#   ladder_info PORT FIELD...                # the fields of one INFO of a node, in order, one
#                                            # line; "-" for a field it lacks (every one, when
#                                            # the node does not answer)
#   ladder_door_snapshot PORT                # a node's door counters (INFO's door_*), one line
#   ladder_door_round BEFORE AFTER           # where the requests between two snapshots spent
#                                            # their time, per request (runtime_door.hpp)
#
# Ports: UDP BASE..BASE+2, RESP BASE+10..BASE+12. SCRIPT names the caller in error messages.

ladder_cluster_file() {
  local i
  for i in 0 1 2; do
    if ! { port_free $(($3 + i)) && port_free $(($3 + 10 + i)); }; then
      echo "$1: port $(($3 + i)) or $(($3 + 10 + i)) is taken; set LADDER_BASE_PORT" >&2
      exit 1
    fi
  done
  cat >"$2/cluster.json" <<JSON
{"format": "ladder-cluster", "version": 1, "host": "127.0.0.1",
 "replicas": [{"id": 0, "udp": $3, "resp": $(($3 + 10))},
              {"id": 1, "udp": $(($3 + 1)), "resp": $(($3 + 11))},
              {"id": 2, "udp": $(($3 + 2)), "resp": $(($3 + 12))}]}
JSON
}

ladder_cluster_start() {
  local i
  for i in 0 1 2; do
    rm -rf "$3/data-r$i"
    mkdir -p "$3/data-r$i"
    # shellcheck disable=SC2086 # FLAGS is a list of flags
    "$2" node --id "$i" --cluster "$3/cluster.json" --data-dir "$3/data-r$i" $4 >"$3/r$i.out" 2>&1 &
    PIDS+=($!)
  done
  for i in 0 1 2; do
    for _ in $(seq 100); do
      grep -q '^ready' "$3/r$i.out" && break
      sleep 0.1
    done
    grep -q '^ready' "$3/r$i.out" || { echo "$1: r$i printed no ready line: $(cat "$3/r$i.out")" >&2; exit 1; }
  done
}

ladder_cluster_stop() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

ladder_cluster_primary() {
  local i
  for _ in $(seq 50); do
    for i in 0 1 2; do
      [ "$(ladder_info $(($1 + 10 + i)) role)" = primary ] && { echo $(($1 + 10 + i)); return 0; }
    done
    sleep 0.1
  done
}

# One INFO for all the fields, so that they are of one moment.
ladder_info() {
  local port=$1
  shift
  redis-cli -p "$port" info 2>/dev/null | tr -d '\r' | awk -v fields="$*" '
    { colon = index($0, ":"); if (colon > 1) value[substr($0, 1, colon - 1)] = substr($0, colon + 1) }
    END {
      n = split(fields, field, " ")
      for (i = 1; i <= n; i++) printf "%s%s", (field[i] in value) ? value[field[i]] : "-", (i < n) ? " " : "\n"
    }'
}

ladder_door_snapshot() {
  ladder_info "$1" door_commands door_requests door_request_us door_answer_us door_linger_us
}

# With one request in flight the three parts add up to a round: its rate is the group size over
# their sum.
ladder_door_round() {
  echo "$1 $2" | awk '{
    requests = $7 - $2
    if (requests <= 0) { print "no requests"; exit }
    cluster = ($8 - $3) / requests; answering = ($9 - $4) / requests; linger = ($10 - $5) / requests
    printf "%.1f INCRs per request; per request %.0f us in the cluster + %.0f us answering + " \
           "%.0f us lingering = %.0f us\n", ($6 - $1) / requests, cluster, answering, linger,
           cluster + answering + linger }'
}
