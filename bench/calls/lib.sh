# Shared by the call benchmarks (cps.sh, concurrent.sh); sourced, not run.
#
# A fresh server from dist/ pinned to CPU 0 with one media worker, a tenant whose call limits
# are raised through PATCH /tenant, a trunk whose carrier is sipp at 127.0.0.2 (calls from there
# are the trunk's: no digest), and an extension "bench" that a sipp callee registers (digest)
# from 127.0.0.1:$UAS_PORT. A number routed to that extension is what the carrier dials, so every
# call goes carrier → Switchboard (B2BUA, media anchored in the engine) → registered phone.

SIP_PORT=${SIP_PORT:-25070}
HTTP_PORT=${HTTP_PORT:-28090}
UAS_PORT=${UAS_PORT:-25072}
UAC_PORT=${UAC_PORT:-25074}
# Engine ports below the kernel's ephemeral range (32768+), where sipp's and rtpload's
# sockets land.
RTP_MIN=${RTP_MIN:-10000}
RTP_MAX=${RTP_MAX:-29999}
CARRIER_IP=127.0.0.2
NUMBER='+14155550199'
BENCH_USER=bench
BENCH_PASSWORD=bench-secret-pw-1

command -v sipp >/dev/null || { echo "sipp is missing: apt-get install sip-tester" >&2; exit 1; }
command -v taskset >/dev/null || { echo "taskset is missing (util-linux)" >&2; exit 1; }
[ -f dist/app/main.js ] || npx --no-install tsc -p tsconfig.build.json

# WORK_BASE: where the work directory (and the server's data, fsynced per commit) goes; /dev/shm takes the
# disk out of the figures (a diagnostic: no fsync then costs anything).
WORK=$(mktemp -d "${WORK_BASE:-/tmp}/switchboard-calls-bench-XXXXXX")
KEY="bench-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SERVER=""
UAS=""
UAC=""

cleanup() {
  set +e
  for pid in $UAC $UAS $SERVER; do kill "$pid" 2>/dev/null; done
  for pid in $UAC $UAS $SERVER; do wait "$pid" 2>/dev/null; done
  if [ -n "${KEEP:-}" ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap "exit 143" INT TERM

start_server() {
  SWITCHBOARD_DATA_DIR="$WORK/data" SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=$HTTP_PORT \
  SWITCHBOARD_SIP_HOST=127.0.0.1 SWITCHBOARD_SIP_PORT=$SIP_PORT SWITCHBOARD_SIP_TLS_PORT=0 \
  SWITCHBOARD_SIP_WS_PORT=0 SWITCHBOARD_SIP_WSS_PORT=0 SWITCHBOARD_API_KEY=$KEY \
  SWITCHBOARD_MEDIA_WORKERS=${MEDIA_WORKERS:-1} SWITCHBOARD_MEDIA_ADDRESS=127.0.0.1 \
  SWITCHBOARD_RTP_PORT_MIN=$RTP_MIN SWITCHBOARD_RTP_PORT_MAX=$RTP_MAX \
  SWITCHBOARD_LOG_LEVEL=${LOG_LEVEL:-warn} SWITCHBOARD_RATE_LIMIT_PER_MINUTE=1000000 \
    ${NICE:+nice -n $NICE} taskset -c "${SERVER_CPUS:-0}" node ${NODE_FLAGS:-} dist/app/main.js > "$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "the server did not start:" >&2
  cat "$WORK/server.log" >&2
  exit 1
}

# api METHOD PATH [JSON]: the response body; exits on an HTTP error.
api() {
  local out
  if ! out=$(curl -sS --fail-with-body -X "$1" "http://127.0.0.1:$HTTP_PORT/api/v1$2" \
    -H "X-API-Key: $KEY" -H 'Content-Type: application/json' ${3:+-d "$3"}); then
    echo "API $1 $2 failed: $out" >&2
    exit 1
  fi
  printf '%s' "$out"
}

provision() {
  api PATCH /tenant '{"max_calls_per_second":10000,"max_concurrent_calls":100000}' >/dev/null
  api POST /voice/sip-trunks "{\"name\":\"bench carrier\",\"termination_uri\":\"sip:127.0.0.1:9\",\"origination_uris\":[\"sip:$CARRIER_IP\"],\"codecs\":[\"PCMU\",\"PCMA\"],\"encryption\":\"none\"}" >/dev/null
  local ext
  ext=$(api POST /voice/sip-credentials "{\"username\":\"$BENCH_USER\",\"password\":\"$BENCH_PASSWORD\",\"extension\":\"200\"}")
  local ext_id
  ext_id=$(printf '%s' "$ext" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data.id))')
  api PUT "/numbers/%2B${NUMBER#+}" >/dev/null
  api PUT "/numbers/%2B${NUMBER#+}/routing" "{\"type\":\"extension\",\"extension_id\":\"$ext_id\"}" >/dev/null
  # The callee registers from the port it answers on.
  if ! (cd "$WORK" && sipp -sf "$BENCH_DIR/register.xml" -i 127.0.0.1 -p "$UAS_PORT" -t u1 -m 1 -s "$BENCH_USER" \
    -au "$BENCH_USER" -ap "$BENCH_PASSWORD" -nostdin -timeout 10s "127.0.0.1:$SIP_PORT" >"$WORK/register.out" 2>&1); then
    echo "the callee could not register:" >&2
    cat "$WORK/register.out" >&2
    exit 1
  fi
}

# start_uas [sipp options...]: the callee, on CPU 1, until the script ends.
start_uas() {
  (cd "$WORK" && exec ${NICE:+nice -n $NICE} taskset -c 1 sipp -sf "$BENCH_DIR/uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -t u1 \
    -nostdin -trace_logs -log_file "$WORK/uas.log" -buff_size 8388608 "$@" >"$WORK/uas.out" 2>&1) &
  UAS=$!
  sleep 0.5
}

# metric NAME [LABELS]: the sum of a metric's samples on /metrics (labels: a substring such as 'direction="inbound"').
metric() {
  curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v n="$1" -v l="${2:-}" '
    $1 ~ "^" n "({|$)" && index($1, l) { s += $2; found = 1 } END { if (found) print s; else print "-" }'
}

# Waits (at most $1 s) until no call is up.
wait_idle() {
  for _ in $(seq 1 $(($1 * 10))); do
    [ "$(metric switchboard_calls_active)" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

# The disk's pressure (PSI): every call commits its record with an fsync, so a busy disk shows.
io_pressure() { [ -r /proc/pressure/io ] && awk '$1 == "some" { printf "; io pressure %s", $2 }' /proc/pressure/io; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
# The main thread alone (the event loop: SIP, the API, the B2BUA), without the media worker,
# the store's writer thread and V8's helper threads.
cpu_ticks_main() { awk '{print $14 + $15}' "/proc/$SERVER/task/$SERVER/stat"; }
TICK=$(getconf CLK_TCK)

# UDP datagrams the kernel dropped for a full receive buffer (the whole host, /proc/net/snmp):
# a server that stalls for a moment loses INVITEs there, and sipp resends them 500 ms later (T1),
# which shows as a second of set-ups taking ~500 ms.
udp_drops() { awk '$1 == "Udp:" { if (!c) { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") c = i; next } print $c }' /proc/net/snmp; }

# One line per thread of the server: "tid name ticks" (user+system; the name with spaces as _).
thread_ticks() {
  local t
  for t in /proc/"$SERVER"/task/*; do
    [ -r "$t/stat" ] || continue
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' < "$t/comm" 2>/dev/null)" "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')"
  done
}

# thread_split BEFORE AFTER CALLS: the CPU per call, in ms, of the main thread, of the media
# worker (the busiest other thread), and of all the others together: V8's platform threads
# (concurrent GC and JIT for both isolates; most of this share), the store's writer thread,
# libuv's pool. Every thread is named "node", so only the main thread (tid = pid) and the busiest
# one can be told apart. From two thread_ticks snapshots.
thread_split() {
  awk -v main="$SERVER" -v k="$TICK" -v n="$3" '
    FNR == NR { before[$1] = $3; next }
    { delta[$1] = $3 - before[$1] }
    END {
      if (n <= 0) { print "-"; exit }
      for (t in delta) {
        d = delta[t]
        if (t + 0 == main + 0) m += d
        else if (d > wd) { other += wd; wd = d } else other += d
      }
      f = 1000 / k / n
      printf "main %.2f, media worker %.2f, other threads (V8 GC/JIT, writer) %.2f ms/call", m * f, wd * f, other * f
    }' <(printf '%s\n' "$1") <(printf '%s\n' "$2")
}


