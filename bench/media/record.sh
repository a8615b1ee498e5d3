#!/usr/bin/env bash
# Recording to disk through the media engine (issue 5's third benchmark).
#
# The engine (one worker thread, pinned with its process to CPU 0) runs N rooms, each with a
# looping tone and a mono 8 kHz WAV recording of the room: N recording streams written as they go
# (16 KiB batches, header refresh and fdatasync about once a second per file). After WARMUP + DURATION
# seconds every recording is stopped (finalized). Prints the frames written, frames dropped (the
# recorder drops whole frames when the disk falls behind: zero loss means 0), back-pressure events,
# bytes on disk, CPU % and tick lateness. Files go to a temporary directory on the /tmp disk.
#
#   bench/media/record.sh [N...]      default 2000
#   DURATION=10 WARMUP=2 bench/media/record.sh 2000 3000
# NICE=-10 runs the media process and the generator at a higher priority (a machine busy with
# other work: the figures are then about our code, not about who else had the CPU).
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNTS=("$@")
[ ${#COUNTS[@]} -eq 0 ] && COUNTS=(2000)
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
WORK=$(mktemp -d /tmp/switchboard-media-rec-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
[ -f dist/bench/media/bench-server.js ] || npx --no-install tsc -p tsconfig.build.json || true
. bench/media/lib.sh # boost (NICE with autogroup scheduling)

echo "uptime: $(uptime)   disk: $(df -h --output=source,fstype,avail "$WORK" | tail -1)"
printf '%-7s %-7s %-9s %-8s %-9s %-9s %-7s %-9s %-9s\n' streams files frames dropped backpr. MB cpu% tick_p99 tick_max
for n in "${COUNTS[@]}"; do
  mkdir -p "$WORK/$n"
  ${NICE:+nice -n $NICE} taskset -c 0 setsid node ${NODE_FLAGS:-} dist/bench/media/bench-server.js record "$n" "$WORK/$n" "$WARMUP" "$DURATION" > "$WORK/server.json" &
  server=$!
  boost $server
  wait $server
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const t = s.tick[0];
    const row = [s.recordings, s.files, s.framesWritten, s.droppedFrames, s.backpressureEvents, (s.bytes / 1e6).toFixed(1), s.cpuPercent.toFixed(1),
      t.p99Ms.toFixed(2), t.maxMs.toFixed(2)];
    console.log(row.map((v, i) => String(v).padEnd([7, 7, 9, 8, 9, 9, 7, 9, 9][i])).join(" "));
    if (process.env.VERBOSE) console.log(JSON.stringify(s));
  ' "$WORK/server.json"
  rm -rf "$WORK/$n"
done
