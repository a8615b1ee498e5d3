#!/usr/bin/env bash
# Bridged G.711 calls through the media engine (issue 5's first benchmark).
#
# For each N: the engine (one worker thread, pinned with its process to CPU 0) answers 2N legs
# from a load generator's offers and bridges them in pairs (same codec: the relay fast path);
# rtpload (C, pinned to CPU 1) sends 20 ms PCMU packets on every leg at 50/s and receives what is
# relayed. Prints, per N: loss %, added latency p50/p99 (generator send → generator receive, kernel
# timestamps), sequence/timestamp gaps, the media process's CPU % (user+system over the window)
# and its tick lateness.
#
#   bench/media/bridge.sh [N...]            default 250 500 750 1000
#   DURATION=10 WARMUP=3 bench/media/bridge.sh 1000
#   MEDIA_IN_PROCESS=1 bench/media/bridge.sh 1000      the engine on the main thread instead
#   BASELINE=1 bench/media/bridge.sh 500 1000          a bare Node relay (bare-relay.ts) instead of the engine
# NICE=-10 runs the media process and the generator at a higher priority (a machine busy with
# other work: the figures are then about our code, not about who else had the CPU).
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNTS=("$@")
[ ${#COUNTS[@]} -eq 0 ] && COUNTS=(250 500 750 1000)
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
WORK=$(mktemp -d /tmp/switchboard-media-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
. bench/media/lib.sh
[ -f dist/bench/media/bare-relay.js ] || npx --no-install tsc -p tsconfig.build.json || true
gcc -O2 -Wall -o "$WORK/rtpload" bench/media/rtpload.c

echo "uptime: $(uptime)"
printf '%-6s %-8s %-9s %-9s %-9s %-8s %-7s %-9s %-9s\n' calls loss% p50_ms p99_ms p99.9_ms gaps cpu% tick_p99 tick_max
for n in "${COUNTS[@]}"; do
  if [ -n "${BASELINE:-}" ]; then server_cmd=(dist/bench/media/bare-relay.js "$n"); else server_cmd=(dist/bench/media/bench-server.js bridge "$n"); fi
  run_round bridge "${server_cmd[@]}"
  node -e '
    const l = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const s = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
    const t = s.tick[0];
    const row = [process.argv[3], l.lossPercent.toFixed(3), l.latencyMs.p50.toFixed(2), l.latencyMs.p99.toFixed(2), l.latencyMs.p999.toFixed(2),
      l.seqGaps + l.tsGaps, s.cpuPercent.toFixed(1), t.p99Ms.toFixed(2), t.maxMs.toFixed(2)];
    console.log(row.map((v, i) => String(v).padEnd([6, 8, 9, 9, 9, 8, 7, 9, 9][i])).join(" "));
    if (process.env.VERBOSE) console.log(JSON.stringify({ load: l, server: s }));
  ' "$WORK/load.json" "$WORK/server.json" "$n"
done
