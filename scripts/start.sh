#!/usr/bin/env bash
# The README's start command (npm start): set up what is missing, then run the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/app/main.js "$@"
