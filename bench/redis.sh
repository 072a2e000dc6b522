# shellcheck shell=bash
# The private Redis that the bench scripts measure against (level1_vs_redis.sh, resp_bench.sh,
# level3_vs_redis.sh), in one place. Sourced, not run:
#
#   source bench/redis.sh                 # from the repository's top, where the scripts cd
#   port_free PORT                        # true when nothing listens on PORT (TCP or UDP)
#   redis_require SCRIPT                  # installs Debian's redis-server when it is missing
#   redis_start SCRIPT PORT [OPTION...]   # a throwaway redis-server on 127.0.0.1:PORT; sets REDIS_PID
#   redis_wait_ping SCRIPT PORT           # waits up to 5 s for PORT to answer PING
#   redis_stop                            # stops the server redis_start started
#
# SCRIPT names the caller in error messages. redis_start adds no persistence option: the caller
# passes its own (`--save "" --appendonly no` for none). Two variables shape the start:
# REDIS_PREFIX, an array put before the command (e.g. `taskset -c 0`), and REDIS_LOG, where the
# server's output goes (default /dev/null; shown when the server never answers).

# Installs redis-server and redis-tools (redis-benchmark, redis-cli) when either is missing.
redis_require() {
  command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "$1: need root or sudo to install redis-server" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "$1: installing Debian's redis-server (the server the benchmark compares with)" >&2
  $sudo apt-get install -y redis-server >&2
}

port_free() { [ -z "$(ss -Hltun "sport = :$1" 2>/dev/null)" ]; }

redis_wait_ping() {
  for _ in $(seq 50); do
    redis-cli -p "$2" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$1: nothing answers PING on port $2" >&2
  [ -n "${REDIS_LOG:-}" ] && [ -s "$REDIS_LOG" ] && cat "$REDIS_LOG" >&2
  exit 1
}

redis_start() {
  local script=$1 port=$2
  shift 2
  port_free "$port" || { echo "$script: port $port is taken; set REDIS_PORT" >&2; exit 1; }
  ${REDIS_PREFIX[@]+"${REDIS_PREFIX[@]}"} redis-server --port "$port" --bind 127.0.0.1 \
    --daemonize no --loglevel warning "$@" >"${REDIS_LOG:-/dev/null}" 2>&1 &
  REDIS_PID=$!
  redis_wait_ping "$script" "$port"
}

redis_stop() {
  [ -n "${REDIS_PID:-}" ] || return 0
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=""
}
