#!/usr/bin/env bash
# Regenerates the G.722 reference vectors in test/fixtures/media/g722/ with Debian's ffmpeg,
# an implementation independent of ours. Run by hand (apt-get install -y sox ffmpeg); the tests
# only read the committed files and never need ffmpeg.
#
# For each input NAME:
#   NAME.s16       the input: 16 kHz mono signed 16-bit little-endian PCM, 1 s
#   NAME.g722      ffmpeg's G.722 (64 kbit/s) encoding of it: one octet per two samples
#   NAME.dec.s16   ffmpeg's decoding of NAME.g722, same format as the input
set -euo pipefail

out="$(cd "$(dirname "$0")/../.." && pwd)/test/fixtures/media/g722"
mkdir -p "$out"
raw=(-t raw -r 16000 -e signed-integer -b 16 -c 1 -L)

# -R: repeatable pseudo-random numbers; -D: no dither, so the input is exactly what sox computed.
sx() { sox -R -D "$@"; }

# A logarithmic sweep across the whole 50 Hz – 7.9 kHz band, crossing the QMF split at 4 kHz.
sx -n "${raw[@]}" "$out/sweep.s16" synth 1 sine 50:7900 gain -6

# Speech-like: a 140 Hz buzz with formant-ish partials, syllable-rate amplitude modulation and
# breath noise, with gaps of silence the adaptive quantizers must recover from.
sx -n "${raw[@]}" "$out/speechlike.s16" \
  synth 1 sawtooth 140 sine 700 sine 1200 sine 2600 pinknoise \
  remix - \
  tremolo 4 90 \
  lowpass 3800 \
  gain -n -3 \
  trim 0 0.35 pad 0 0.15 repeat 1

# Hard cases: a near full-scale square wave at 1 kHz, then a 6 kHz tone (all higher band),
# then loud white noise — the saturating adders and limiters get exercised.
sx -n "${raw[@]}" "$out/square.tmp" synth 0.34 square 1000 gain -0.1
sx -n "${raw[@]}" "$out/high.tmp" synth 0.33 sine 6000 gain -1
sx -n "${raw[@]}" "$out/noise.tmp" synth 0.33 whitenoise gain -1
sox "${raw[@]}" "$out/square.tmp" "${raw[@]}" "$out/high.tmp" "${raw[@]}" "$out/noise.tmp" "${raw[@]}" "$out/loud.s16"
rm -f "$out"/*.tmp

for name in sweep speechlike loud; do
  ffmpeg -loglevel error -y -f s16le -ar 16000 -ac 1 -i "$out/$name.s16" -c:a g722 -f g722 "$out/$name.g722"
  ffmpeg -loglevel error -y -f g722 -i "$out/$name.g722" -f s16le -ar 16000 -ac 1 "$out/$name.dec.s16"
done
ls -l "$out"
