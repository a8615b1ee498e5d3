#!/usr/bin/env bash
# REGISTER throughput with digest authentication (issue 4's benchmark).
#
# The server runs pinned to CPU 0, sipp to CPU 1. For each rate, sipp sends
# DURATION seconds of registrations (each: REGISTER, 401, REGISTER with credentials,
# 200) from USERS distinct accounts. A rate passes with 0 failed registrations and at
# most 1% retransmitted messages. Prints one line per rate and the best passing rate,
# with the server's CPU time per registration (user+system, from /proc).
#
#   bench/register/run.sh [rates...]      default rates: 2000 4000 6000 8000 10000 12000 14000 16000
#   USERS=1000 DURATION=10 bench/register/run.sh 12000
#   NICE=-10 ...   the server and sipp at a higher priority, for a machine busy with other work:
#                  the script re-runs itself in a session of its own and gives that session's
#                  scheduling group the value (see bench/priority.sh on autogroups)
set -euo pipefail
if [ -n "${NICE:-}" ] && [ "$(awk '{print $6}' /proc/$$/stat)" != "$$" ]; then exec setsid -w "$0" "$@"; fi
[ -n "${NICE:-}" ] && { echo "$NICE" > /proc/$$/autogroup 2>/dev/null || true; }
cd "$(dirname "$0")/../.."

RATES=("$@")
[ ${#RATES[@]} -eq 0 ] && RATES=(2000 4000 6000 8000 10000 12000 14000 16000)
USERS=${USERS:-1000}
DURATION=${DURATION:-10}
SIP_PORT=${SIP_PORT:-25060}
HTTP_PORT=${HTTP_PORT:-28080}
WORK=$(mktemp -d /tmp/switchboard-bench-XXXXXX)
command -v sipp >/dev/null || { echo "sipp is missing: apt-get install sip-tester" >&2; exit 1; }
[ -f dist/app/main.js ] || npx --no-install tsc -p tsconfig.build.json

KEY="bench-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SWITCHBOARD_DATA_DIR="$WORK/data" SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=$HTTP_PORT \
SWITCHBOARD_SIP_HOST=127.0.0.1 SWITCHBOARD_SIP_PORT=$SIP_PORT SWITCHBOARD_SIP_TLS_PORT=0 \
SWITCHBOARD_SIP_WS_PORT=0 SWITCHBOARD_SIP_WSS_PORT=0 SWITCHBOARD_API_KEY=$KEY \
SWITCHBOARD_LOG_LEVEL=warn SWITCHBOARD_RATE_LIMIT_PER_MINUTE=1000000 SWITCHBOARD_MEDIA_WORKERS=1 \
  ${NICE:+nice -n $NICE} taskset -c 0 node ${NODE_FLAGS:-} dist/app/main.js > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null && break; sleep 0.1; done

# Accounts: USERS credentials through the API, and sipp's injection file.
echo "SEQUENTIAL" > "$WORK/users.csv"
for i in $(seq -w 0 $((USERS - 1))); do
  curl -sf -o /dev/null -X POST "http://127.0.0.1:$HTTP_PORT/api/v1/voice/sip-credentials" \
    -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench$i\",\"password\":\"secret-$i-pw\"}"
  echo "bench$i;[authentication username=bench$i password=secret-$i-pw]" >> "$WORK/users.csv"
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
TICK=$(getconf CLK_TCK)

# Warm-up, not reported: a server that has run a while has its hot paths compiled by the JIT;
# a cold one spends the first seconds of its first rate in the interpreter and falls behind.
WARMUP_RATE=${WARMUP_RATE:-2000}
(cd "$WORK" && ${NICE:+nice -n $NICE} taskset -c 1 sipp -sf "$OLDPWD/bench/register/register.xml" -inf users.csv \
  "127.0.0.1:$SIP_PORT" -t u1 -r "$WARMUP_RATE" -m $((WARMUP_RATE * 3)) -l $((WARMUP_RATE * 2)) -nostdin -timeout 30s >/dev/null 2>&1) || true

best=0
best_line=""
printf '%-8s %-9s %-8s %-8s %-8s %-14s %s\n' rate calls ok failed retrans% cpu_us/reg result
for rate in "${RATES[@]}"; do
  calls=$((rate * DURATION))
  before=$(cpu_ticks)
  set +e
  (cd "$WORK" && ${NICE:+nice -n $NICE} taskset -c 1 sipp -sf "$OLDPWD/bench/register/register.xml" -inf users.csv \
    "127.0.0.1:$SIP_PORT" -t u1 -r "$rate" -m "$calls" -l $((rate * 2)) -nostdin -timeout $((DURATION * 3 + 20))s \
    -trace_stat -stf "stat-$rate.csv" -fd 1 -trace_screen -screen_file "screen-$rate.log" >/dev/null 2>&1)
  set -e
  after=$(cpu_ticks)
  stats="$WORK/stat-$rate.csv"
  last=$(tail -n 1 "$stats")
  hdr=$(head -n 1 "$stats")
  col() { echo "$hdr" | tr ';' '\n' | grep -nx "$1" | cut -d: -f1; }
  ok=$(echo "$last" | cut -d';' -f"$(col 'SuccessfulCall(C)')")
  failed=$(echo "$last" | cut -d';' -f"$(col 'FailedCall(C)')")
  retrans=$(echo "$last" | cut -d';' -f"$(col 'Retransmissions(C)')")
  msgs=$((calls * 2))
  rpct=$(awk -v r="$retrans" -v m="$msgs" 'BEGIN{printf "%.2f", 100*r/m}')
  cpu_us=$(awk -v t=$((after - before)) -v k="$TICK" -v n="$ok" 'BEGIN{ if (n>0) printf "%.1f", t*1e6/k/n; else print "-" }')
  pass=$(awk -v f="$failed" -v p="$rpct" -v o="$ok" -v c="$calls" 'BEGIN{print (f==0 && o==c && p<=1.0) ? "pass" : "FAIL"}')
  line=$(printf '%-8s %-9s %-8s %-8s %-8s %-14s %s' "$rate" "$calls" "$ok" "$failed" "$rpct" "$cpu_us" "$pass")
  echo "$line"
  if [ "$pass" = pass ]; then best=$rate; best_line=$line; else break; fi
done
echo
echo "best rate with 0 failures and <=1% retransmissions: ${best}/s"
[ -n "$best_line" ] && echo "  $best_line"
