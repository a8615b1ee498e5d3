# Sourced by the benchmark scripts: boost PID gives a process started with setsid the NICE
# value for its whole session.
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

