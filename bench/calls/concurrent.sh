#!/usr/bin/env bash
# Concurrent calls held with RTP both ways through the B2BUA (issue 6's second benchmark).
#
# sipp as the carrier (127.0.0.2) places N calls at SETUP_RATE/s to a number routed to a
# registered extension (a sipp callee), as in cps.sh, and holds them. Once all N are up, the
# C load generator bench/media/rtpload.c (bridge mode) plays both parties of every call: 20 ms
# PCMU packets at 50/s from each side, sent to the engine port Switchboard gave that side (read
# from the SDP each sipp party received, logged by the scenarios). The SDPs of both parties
# name 127.0.0.1 port 9: the engine latches each endpoint onto the generator socket its first
# packet comes from (symmetric RTP), so what the engine relays comes back to the generator.
# Every packet carries its send time and leg, so loss is exact per direction: packets sent
# inside the window that did not arrive at the other party (after a WARMUP, for DURATION s).
# Then the calls end (the caller's BYE) and sipp's statistics say whether every call went
# through.
#
# Prints: calls up (from /metrics), loss %, latency added by the path (p50/p99/p99.9),
# sequence/timestamp gaps, the server's CPU % over the window (user+system, whole process),
# the media worker's tick lateness (from /metrics), calls completed and failed, and uptime.
#
#   bench/calls/concurrent.sh [N]            default 1000
#   DURATION=60 WARMUP=3 SETUP_RATE=100 bench/calls/concurrent.sh 1000
# Env: NICE=-10, KEEP=1 (keep the work directory), VERBOSE=1 (the generator's JSON).
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=$PWD/bench/calls

N=${1:-1000}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-3}
SETUP_RATE=${SETUP_RATE:-100}
# Calls wait for their first RTP packet until all N are up: keep the engine's no-RTP hang-up
# (30 s by default) out of the way of a slow set-up.
export SWITCHBOARD_MEDIA_TIMEOUT_MS=${SWITCHBOARD_MEDIA_TIMEOUT_MS:-120000}
# shellcheck source=bench/calls/lib.sh
. "$BENCH_DIR/lib.sh"
command -v gcc >/dev/null || { echo "gcc is missing (build-essential)" >&2; exit 1; }
gcc -O2 -Wall -o "$WORK/rtpload" bench/media/rtpload.c

setup_s=$(( (N + SETUP_RATE - 1) / SETUP_RATE ))
# Each call is held until every call is up and the window is over, with a margin.
hold_ms=$(( (setup_s + WARMUP + DURATION + 15) * 1000 ))
media=(-key rtpip 127.0.0.1 -key rtpport 9 -key codec 0 -key codecname PCMU)

start_server
provision
start_uas "${media[@]}"
echo "uptime: $(uptime)$(io_pressure)"
echo "$N calls: carrier (sipp, 127.0.0.2) → number → registered extension (sipp), set up at ${SETUP_RATE}/s, RTP both ways for ${WARMUP}+${DURATION} s (rtpload)"

(cd "$WORK" && exec ${NICE:+nice -n $NICE} taskset -c 1 sipp -sf "$BENCH_DIR/uac.xml" -i "$CARRIER_IP" -p "$UAC_PORT" -t u1 \
  -s "$NUMBER" -r "$SETUP_RATE" -m "$N" -l "$N" -d "$hold_ms" "${media[@]}" -nostdin -buff_size 8388608 \
  -timeout $(( hold_ms / 1000 + setup_s * 2 + 60 ))s -trace_stat -stf uac-stat.csv -fd 1 -trace_logs -log_file uac.log \
  -trace_screen -screen_file uac-screen.log "127.0.0.1:$SIP_PORT" >uac.out 2>&1) &
UAC=$!

# Every call up: both parties logged Switchboard's RTP port, and /metrics agrees.
lines() { if [ -f "$1" ]; then grep -c "^$2 " "$1" || true; else echo 0; fi; }
deadline=$(( $(date +%s) + setup_s * 3 + 30 ))
while :; do
  up_c=$(lines "$WORK/uac.log" caller)
  up_u=$(lines "$WORK/uas.log" callee)
  [ "$up_c" -ge "$N" ] && [ "$up_u" -ge "$N" ] && break
  if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$UAC" 2>/dev/null; then
    echo "only $up_c callers and $up_u callees were up; sipp said:"
    tail -n 30 "$WORK/uac-screen.log" 2>/dev/null || cat "$WORK/uac.out"
    kill "$UAC" 2>/dev/null || true
    exit 1
  fi
  sleep 0.5
done
active=$(metric switchboard_calls_active)
legs=$(metric switchboard_call_legs_active)

# The generator's ports file: the caller's engine port, then the callee's, per call.
awk 'FNR == NR && $1 == "caller" { c[$2] = $3; next } $1 == "callee" { u[$2] = $3 }
     END { for (k in c) if (k in u) print c[k] "\n" u[k] }' "$WORK/uac.log" "$WORK/uas.log" > "$WORK/ports"
pairs=$(( $(wc -l < "$WORK/ports") / 2 ))

before=$(cpu_ticks)
t0=$(date +%s.%N)
${NICE:+nice -n $NICE} taskset -c 1 "$WORK/rtpload" bridge "$WORK/ports" "$DURATION" "$WARMUP" > "$WORK/load.json"
t1=$(date +%s.%N)
after=$(cpu_ticks)
lateness_p99=$(metric switchboard_media_tick_lateness_ms 'quantile="0.99"')
lateness_max=$(metric switchboard_media_tick_lateness_ms 'quantile="1"')
during=$(metric switchboard_calls_active)
cpu=$(awk -v t=$((after - before)) -v k="$TICK" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", 100 * t / k / (b - a)}')

# The calls end when their hold time runs out.
set +e
wait "$UAC"
set -e
UAC=""
stats="$WORK/uac-stat.csv"
hdr=$(head -n 1 "$stats")
last=$(tail -n 1 "$stats")
col() { echo "$hdr" | tr ';' '\n' | grep -nx "$1" | cut -d: -f1; }
ok=$(echo "$last" | cut -d';' -f"$(col 'SuccessfulCall(C)')")
failed=$(echo "$last" | cut -d';' -f"$(col 'FailedCall(C)')")
wait_idle 30 || true

node -e '
  const l = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const [n, pairs, active, legs, during, cpu, p99, max, ok, failed] = process.argv.slice(2);
  console.log(`calls up: ${active} (/metrics; ${legs} SIP legs), ${pairs} with both ports known; still up at the end of the window: ${during}`);
  console.log(`RTP: ${l.legs} legs × 50 packets/s for ${l.durationS} s: sent ${l.sentMeasured}, received ${l.receivedMeasured}, loss ${l.lossPercent.toFixed(4)}% ${l.lossPercent < 0.1 ? "(< 0.1%: pass)" : "(>= 0.1%: FAIL)"}`);
  console.log(`added latency p50 ${l.latencyMs.p50.toFixed(2)} ms, p99 ${l.latencyMs.p99.toFixed(2)} ms, p99.9 ${l.latencyMs.p999.toFixed(2)} ms; gaps: ${l.seqGaps} seq, ${l.tsGaps} ts; SSRC changes ${l.ssrcChanges}`);
  console.log(`server CPU over the window: ${cpu}%; media tick lateness (last minute) p99 ${p99} ms, max ${max} ms`);
  console.log(`calls: ${ok} successful, ${failed} failed (sipp)`);
  if (process.env.VERBOSE) console.log(JSON.stringify(l));
' "$WORK/load.json" "$N" "$pairs" "$active" "$legs" "$during" "$cpu" "$lateness_p99" "$lateness_max" "$ok" "$failed"
echo "uptime: $(uptime)$(io_pressure)"
