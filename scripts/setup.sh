#!/usr/bin/env bash
# Installs what Switchboard needs, only when it is missing: the Debian packages in
# scripts/debian-packages.txt (apt-get, as root or through sudo), the npm
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
  done < scripts/debian-packages.txt
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

# Compile TypeScript to dist/ (tsc also type-checks).
log "building"
npx --no-install tsc -p tsconfig.build.json
