#!/usr/bin/env bash
# Calls per second through the B2BUA (issue 6's first benchmark).
#
# sipp as the carrier (127.0.0.2, the trunk's origination address) calls a number routed to a
# registered extension, which is a sipp callee: carrier → Switchboard → phone, every call a
# B2BUA call with its record (created, ringing, answered, ended: synchronous=FULL writes) and
# its media anchored in the engine (a session, an endpoint per leg, a room). Short calls: TALK
# ms between the answer and the caller's BYE. Server on CPU 0 (one media worker), both sipp on
# CPU 1 (see lib.sh).
#
# Media: by default no RTP packets flow (the endpoints and the room exist; nothing is sent), so
# the figure is the signalling, records and media set-up cost. MEDIA=rtp makes the caller stream
# a 440 Hz PCMU tone (sipp's rtp_stream, 50 packets/s, from the answer to the BYE) and the callee
# echo it (-rtp_echo): RTP both ways, relayed by the engine. (Not sipp's play_pcap_audio: its
# packets come from source port 0, which the engine latches onto and then fails to send to.)
#
# For each rate: RATE × DURATION calls; prints calls, successful, failed, the server's CPU time
# (user+system of the whole process, media worker included) per call and that of its main
# thread alone (the event loop: SIP, API, B2BUA), the setup time (INVITE
# sent → 200 received at the caller) p50/p99, and the load average. A rate passes with every
# call successful and a setup p99 of at most MAX_SETUP_MS (default 500): a server that does
# not keep up queues the INVITEs, and in a run of a few seconds that shows as setup times
# growing by the second long before calls fail. Stops at the first rate that does not pass and
# prints the best one that did. Under each rate: the CPU per call by thread (main, media worker,
# V8's helper threads, the rest), from /proc/<pid>/task.
#
#   bench/calls/cps.sh [rates...]           default 50 100 200 300 400 500 600 700 800
#   DURATION=10 TALK=1000 bench/calls/cps.sh 300 400 500
#   MEDIA=rtp bench/calls/cps.sh 100 200
# Env: WARMUP_RATE (default 100 calls/s for 3 s before the first rate, not reported; 0: none),
# NICE=-10 (server and sipp at a higher priority), KEEP=1 (keep the work directory),
# VERBOSE=1 (sipp's screen on failure), LOG_LEVEL (the server's, default warn), NODE_FLAGS
# (node options of the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profiles written when
# it stops at the end).
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=$PWD/bench/calls

RATES=("$@")
[ ${#RATES[@]} -eq 0 ] && RATES=(50 100 200 300 400 500 600 700 800)
DURATION=${DURATION:-10}
TALK=${TALK:-1000}
MAX_SETUP_MS=${MAX_SETUP_MS:-500}
MEDIA=${MEDIA:-none}
# shellcheck source=bench/calls/lib.sh
. "$BENCH_DIR/lib.sh"

case "$MEDIA" in
  none)
    uac_media=(-key rtpip 127.0.0.1 -key rtpport 9 -key codec 0 -key codecname PCMU)
    uas_media=(-key rtpip 127.0.0.1 -key rtpport 9 -key codec 0 -key codecname PCMU)
    cp "$BENCH_DIR/uac.xml" "$WORK/uac.xml"
    ;;
  rtp)
    command -v sox >/dev/null || { echo "sox is missing (it makes the tone the caller streams)" >&2; exit 1; }
    sox -n -r 8000 -c 1 -e u-law "$WORK/tone.wav" synth 5 sine 440 vol 0.3
    # rtp_stream sends from its own ports, counting up from -mp (kept clear of the engine's).
    uac_media=(-mi "$CARRIER_IP" -mp 40000 -key rtpip "$CARRIER_IP" -key codec 0 -key codecname PCMU)
    uas_media=(-rtp_echo -mi 127.0.0.1 -mp 45000 -key rtpip 127.0.0.1 -key rtpport 45000 -key codec 0 -key codecname PCMU)
    sed -e "s|<!-- PLAY -->|<nop><action><exec rtp_stream=\"$WORK/tone.wav,-1,0\"/></action></nop>|" \
      -e 's|\[rtpport\]|[rtpstream_audio_port]|g' "$BENCH_DIR/uac.xml" > "$WORK/uac.xml"
    ;;
  *) echo "MEDIA must be none or rtp" >&2; exit 2 ;;
esac

start_server
provision
start_uas "${uas_media[@]}"

# Warm-up, not reported: WARMUP_RATE calls/s for 3 s, so that the first measured rate meets a
# server whose hot paths the JIT has compiled (as on a server that has been running a while).
WARMUP_RATE=${WARMUP_RATE:-100}
if [ "$WARMUP_RATE" -gt 0 ]; then
  mkdir -p "$WORK/warmup"
  (cd "$WORK/warmup" && ${NICE:+nice -n $NICE} taskset -c 1 sipp -sf "$WORK/uac.xml" -i "$CARRIER_IP" -p "$UAC_PORT" -t u1 \
    -s "$NUMBER" -r "$WARMUP_RATE" -m $((WARMUP_RATE * 3)) -l $((WARMUP_RATE * (TALK / 1000 + 10))) -d "$TALK" "${uac_media[@]}" \
    -nostdin -timeout 60s "127.0.0.1:$SIP_PORT" >/dev/null 2>&1) || true
  wait_idle 30 || true
fi

echo "uptime: $(uptime)$(io_pressure)"
echo "calls: carrier (sipp, 127.0.0.2) → number → registered extension (sipp); talk ${TALK} ms; media: $MEDIA"
printf '%-6s %-7s %-7s %-7s %-12s %-12s %-10s %-10s %-8s %s\n' rate calls ok failed cpu_ms/call main_ms/call setup_p50 setup_p99 load1 result
best=0
best_line=""
for rate in "${RATES[@]}"; do
  calls=$((rate * DURATION))
  dir="$WORK/rate-$rate"
  mkdir -p "$dir"
  before=$(cpu_ticks)
  before_main=$(cpu_ticks_main)
  before_threads=$(thread_ticks)
  before_drops=$(udp_drops)
  set +e
  (cd "$dir" && ${NICE:+nice -n $NICE} taskset -c 1 sipp -sf "$WORK/uac.xml" -i "$CARRIER_IP" -p "$UAC_PORT" -t u1 \
    -s "$NUMBER" -r "$rate" -m "$calls" -l $((rate * (TALK / 1000 + 10))) -d "$TALK" "${uac_media[@]}" \
    -nostdin -timeout $((DURATION * 3 + TALK / 1000 + 30))s -buff_size 8388608 \
    -trace_stat -stf stat.csv -fd 1 -trace_rtt -rtt_freq 1 -trace_logs -log_file uac.log \
    -trace_screen -screen_file screen.log "127.0.0.1:$SIP_PORT" >sipp.out 2>&1)
  set -e
  # Calls still up (the last ones' BYE in flight) finish before the CPU is read.
  wait_idle 30 || echo "(calls still up 30 s after the run)"
  after=$(cpu_ticks)
  after_main=$(cpu_ticks_main)
  after_threads=$(thread_ticks)
  after_drops=$(udp_drops)
  load=$(cut -d' ' -f1 /proc/loadavg)
  stats="$dir/stat.csv"
  if [ ! -s "$stats" ]; then
    echo "sipp wrote no statistics at rate $rate:"; cat "$dir/sipp.out"; break
  fi
  last=$(tail -n 1 "$stats")
  hdr=$(head -n 1 "$stats")
  col() { echo "$hdr" | tr ';' '\n' | grep -nx "$1" | cut -d: -f1; }
  ok=$(echo "$last" | cut -d';' -f"$(col 'SuccessfulCall(C)')")
  failed=$(echo "$last" | cut -d';' -f"$(col 'FailedCall(C)')")
  cpu_ms=$(awk -v t=$((after - before)) -v k="$TICK" -v n="$ok" 'BEGIN{ if (n>0) printf "%.2f", t*1000/k/n; else print "-" }')
  main_ms=$(awk -v t=$((after_main - before_main)) -v k="$TICK" -v n="$ok" 'BEGIN{ if (n>0) printf "%.2f", t*1000/k/n; else print "-" }')
  # -trace_rtt: "date_ms;response_time_ms;rtd_no", one line per call.
  read -r p50 p99 < <(cat "$dir"/*_rtt.csv 2>/dev/null | awk -F';' '$3 == 1 && $2 ~ /^[0-9.]+$/ {print $2}' | sort -n |
    awk '{v[NR]=$1} END { if (NR==0) print "- -"; else { i50=int(NR*0.5); if(i50<1)i50=1; i99=int(NR*0.99+0.5); if(i99<1)i99=1; if(i99>NR)i99=NR; printf "%.0f %.0f\n", v[i50], v[i99] } }')
  pass=$(awk -v f="$failed" -v o="$ok" -v c="$calls" -v p="$p99" -v m="$MAX_SETUP_MS" \
    'BEGIN{ if (f!=0 || o!=c) print "FAIL"; else if (p=="-" || p+0 > m+0) print "SLOW"; else print "pass" }')
  line=$(printf '%-6s %-7s %-7s %-7s %-12s %-12s %-10s %-10s %-8s %s' "$rate" "$calls" "$ok" "$failed" "$cpu_ms" "$main_ms" "${p50}ms" "${p99}ms" "$load" "$pass")
  echo "$line"
  echo "       threads: $(thread_split "$before_threads" "$after_threads" "$ok"); UDP receive-buffer drops (host): $((after_drops - before_drops))"
  if [ "$pass" = pass ]; then
    best=$rate
    best_line=$line
  else
    [ -n "${VERBOSE:-}" ] && tail -n 40 "$dir/screen.log"
    break
  fi
done
echo
echo "best rate with 0 failed calls and setup p99 <= ${MAX_SETUP_MS} ms: ${best}/s"
[ -n "$best_line" ] && echo "  $best_line"
echo "server: $(metric switchboard_calls_ended_total 'status="completed"') calls completed, $(metric switchboard_calls_ended_total 'status="failed"') failed (/metrics)"
