# shellcheck shell=bash
# --help for the bench scripts: each one's header comment is its manual. Sourced from the
# repository's top, after the script's cd there:
#
#   source bench/help.sh
#   bench_help "bench/$(basename "$0")" "$@"   # prints the header and exits 0 on -h or --help
#   bench_header SCRIPT                         # prints SCRIPT's header (for a usage error)

bench_header() {
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$1"
}

bench_help() {
  local script=$1
  shift
  if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
    bench_header "$script"
    exit 0
  fi
}
