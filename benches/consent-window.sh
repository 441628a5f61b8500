#!/usr/bin/env bash
# Benchmark: the width of the consent window on the REAL clock. The recorder brackets its
# consent tap with two logcat markers in one shell call; the report's `consent.answered`
# (from_us..to_us, device clock) is the time between them. The tests assert this width
# exactly on the simulator's manual clock (crates/prior-record/tests/consent_window.rs); on
# the real clock it depends on the host's load, so it is measured here instead: Leaky Shop on
# the simulated handset RUNS times (release build), one line per run, then min/median/max.
# Usage: benches/consent-window.sh [RUNS]      (not run by the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }
cargo build -q --release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
widths=()
for i in $(seq "$RUNS"); do
  rm -rf "${out:?}"/*
  # Exit 1 is the expected verdict (violations found); anything else is a failed run.
  code=0
  ./target/release/prior run scenarios/demo/leaky-shop.yaml --format json --out "$out" >"$out.json" 2>/dev/null || code=$?
  [ "$code" -le 1 ] || { echo "run $i: prior run exited $code" >&2; exit 1; }
  w=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["consent"]["answered"]; print(a["to_us"]-a["from_us"])' "$out.json")
  printf 'run %d: consent window %d µs\n' "$i" "$w"
  widths+=("$w")
done
rm -f "$out.json"
printf '%s\n' "${widths[@]}" | sort -n | awk '{v[NR]=$1} END {printf "consent window over %d runs: min %d µs, median %d µs, max %d µs (host load: %s)\n", NR, v[1], v[int((NR+1)/2)], v[NR], "'"$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"'"}'
