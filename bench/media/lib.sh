# Shared by bridge.sh and conference.sh (sourced; WORK, WARMUP, DURATION and NICE are theirs).
#
# run_round LOAD_MODE SERVER_ARGS...: starts the engine side (node SERVER_ARGS, pinned to CPU 0),
# waits for the ports file it writes, drives it from CPU 1 with `rtpload LOAD_MODE`, and waits for
# both. Leaves $WORK/server.json and $WORK/load.json for the caller's report.

# NICE: see bench/priority.sh.
. "$(dirname "${BASH_SOURCE[0]}")/../priority.sh"

run_round() {
  local mode=$1
  shift
  rm -f "$WORK/ports"
  ${NICE:+nice -n $NICE} taskset -c 0 setsid node ${NODE_FLAGS:-} "$@" "$WORK/ports" "$WARMUP" "$DURATION" > "$WORK/server.json" 2> "$WORK/server.err" &
  local server=$!
  boost $server
  for _ in $(seq 1 900); do [ -s "$WORK/ports" ] && break; sleep 0.1; done
  [ -s "$WORK/ports" ] || { echo "the bench server did not start:"; cat "$WORK/server.err"; kill $server; exit 1; }
  ${NICE:+nice -n $NICE} taskset -c 1 setsid "$WORK/rtpload" "$mode" "$WORK/ports" "$DURATION" "$WARMUP" > "$WORK/load.json" &
  local load=$!
  boost $load
  wait $load
  wait $server
}
