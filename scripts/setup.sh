#!/usr/bin/env bash
# Installs what Switchboard needs, only when it is missing: the Debian packages (apt-get, as
# root or through sudo) of scripts/debian-packages.txt (run time) and
# scripts/debian-packages-test.txt (tests and benchmarks), the npm
# dependencies pinned by package-lock.json, and the compiled JavaScript in dist/.
# Idempotent and quiet when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# Node 20.19+ (the oldest line our pinned dependencies support).
node -e '
  const [maj, min] = process.versions.node.split(".").map(Number);
  if (maj < 20 || (maj === 20 && min < 19)) {
    console.error("[setup] Node " + process.versions.node + " is too old: Switchboard needs Node 20.19 or later");
    process.exit(1);
  }'

# Debian packages. Set SWITCHBOARD_SKIP_APT=1 to manage them yourself.
if [ "${SWITCHBOARD_SKIP_APT:-0}" != 1 ] && command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  while read -r pkg _; do
    [ -z "$pkg" ] && continue
    case "$pkg" in \#*) continue ;; esac
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done < <(cat scripts/debian-packages.txt scripts/debian-packages-test.txt)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
      log "not root and no sudo: install them yourself: apt-get install ${missing[*]}"; exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq >&2
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi

# npm dependencies, reinstalled when package-lock.json changes.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.switchboard-lock-hash
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_hash" > "$stamp"
fi

# The native UDP I/O addons (docs/media/native-io.md, docs/sip-native-udp.md), rebuilt when a
# source is newer than its build. Optional: without them RTP and SIP go through node:dgram.
stale=0
for addon in media/native/build/Release/switchboard_udp.node sip/transport/native/build/Release/switchboard_sip_udp.node; do
  dir=${addon%%/build/*}
  if [ ! -f "$addon" ] || [ -n "$(find "$dir" -maxdepth 1 -type f -newer "$addon")" ]; then stale=1; fi
done
if [ "$stale" = 1 ]; then
  log "building the native UDP I/O addons"
  if ! out=$(npm run --silent build:native 2>&1); then
    printf '%s\n' "$out" | tail -n 20 >&2
    log "native UDP I/O not built: RTP and SIP go through node:dgram (slower)"
  fi
fi

# Compile TypeScript to dist/ (tsc also type-checks).
log "building"
npx --no-install tsc -p tsconfig.build.json
