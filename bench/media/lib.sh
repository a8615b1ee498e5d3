# Shared by bridge.sh and conference.sh (sourced; WORK, WARMUP, DURATION and NICE are theirs).
#
# run_round LOAD_MODE SERVER_ARGS...: starts the engine side (node SERVER_ARGS, pinned to CPU 0),
# waits for the ports file it writes, drives it from CPU 1 with `rtpload LOAD_MODE`, and waits for
# both. Leaves $WORK/server.json and $WORK/load.json for the caller's report.
#
# NICE: with autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled, the default on most
# distributions) a nice value ranks a process only within its session's group, and every other
# session on the machine gets its group's share whatever our nice says. So each process also
# starts in a session of its own (setsid) whose group gets the NICE value.
boost() {
  [ -n "${NICE:-}" ] && [ -w "/proc/$1/autogroup" ] || return 0
  # Only once setsid has run (the process leads its session), or this would renice the caller's group.
  for _ in $(seq 1 100); do
    [ "$(awk '{print $6}' "/proc/$1/stat" 2>/dev/null)" = "$1" ] && { echo "$NICE" > "/proc/$1/autogroup" 2>/dev/null; return 0; }
    sleep 0.01
  done
  return 0
}

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
