#!/usr/bin/env bash
# Conference mixing through the media engine (issue 5's second benchmark).
#
# The engine (one worker thread, pinned with its process to CPU 0) hosts ROOMS rooms of PER_ROOM
# G.711 participants (default 100 × 10 = 1,000), every participant answered from a load-generator
# offer; rtpload (C, pinned to CPU 1) sends 20 ms PCMU packets on every leg at 50/s and checks the
# mixed stream each leg gets back: packets received against 50/s, sequence or timestamp gaps (a
# gap is any step other than seq +1 / ts +160). Prints those, the media process's CPU % and the
# worker's tick lateness p50/p99/max over the window.
#
#   bench/media/conference.sh [ROOMSxPER_ROOM...]     default 100x10
#   DURATION=10 WARMUP=3 bench/media/conference.sh 100x10 50x20
# NICE=-10 runs the media process and the generator at a higher priority (a machine busy with
# other work: the figures are then about our code, not about who else had the CPU).
set -euo pipefail
cd "$(dirname "$0")/../.."
SHAPES=("$@")
[ ${#SHAPES[@]} -eq 0 ] && SHAPES=(100x10)
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
WORK=$(mktemp -d /tmp/switchboard-media-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
. bench/media/lib.sh
[ -f dist/bench/media/bench-server.js ] || npx --no-install tsc -p tsconfig.build.json || true
gcc -O2 -Wall -o "$WORK/rtpload" bench/media/rtpload.c

echo "uptime: $(uptime)"
printf '%-8s %-6s %-9s %-9s %-9s %-7s %-9s %-9s %-9s %-9s\n' rooms legs recv% seq_gaps ts_gaps cpu% tick_p50 tick_p99 tick_max busy_p99
for shape in "${SHAPES[@]}"; do
  run_round conference dist/bench/media/bench-server.js conference "$shape"
  node -e '
    const l = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const s = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
    const t = s.tick[0];
    const row = [process.argv[3], l.legs, (100 * l.receivedMeasured / l.expected).toFixed(2), l.seqGaps, l.tsGaps, s.cpuPercent.toFixed(1),
      t.p50Ms.toFixed(2), t.p99Ms.toFixed(2), t.maxMs.toFixed(2), t.busyP99Ms.toFixed(2)];
    console.log(row.map((v, i) => String(v).padEnd([8, 6, 9, 9, 9, 7, 9, 9, 9, 9][i])).join(" "));
    if (process.env.VERBOSE) console.log(JSON.stringify({ load: l, server: s }));
  ' "$WORK/load.json" "$WORK/server.json" "$shape"
done
