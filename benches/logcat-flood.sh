#!/usr/bin/env bash
# Benchmark: does Prior lose logcat lines when an app logs 50 000 lines per second for 10 s?
#
# Runs `prior run` (release build) on the simulated handset with a model whose app writes
# numbered lines at RATE/s for SECONDS s, then checks that every number 1..RATE*SECONDS is in the
# bundle's raw/logcat.txt exactly once, and prints the throughput and Prior's own time.
# Usage: benches/logcat-flood.sh [RATE] [SECONDS]      (not run by the tests: 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-50000}
SECONDS_=${2:-10}
EXPECT=$((RATE * SECONDS_))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/models" "$work/apps"
cp scenarios/demo/apps/no-consent-game.apk "$work/apps/flood.apk"
cat > "$work/models/flood.model" <<MODEL
package: com.prior.demo.noconsentgame
label: Flood
log_tag: Flood
launch: 300ms
on_start:
  - at: 400ms
    show: home
  - at: 500ms
    log_burst: { tag: Flood, text: "flood line {n}", rate: $RATE, for: ${SECONDS_}s }
screens:
  home:
    kind: page
    title: Flood
    body: "Flooding logcat"

MODEL
cat > "$work/flood.yaml" <<SCEN
name: logcat flood ($RATE lines/s for $SECONDS_ s)
app: { apk: apps/flood.apk }
device: { simulated: { models: models } }
consent: { timeout: 1s }
steps:
  - launch
  - wait: $((SECONDS_ + 2))s
SCEN
cargo build -q --release
/usr/bin/time -v ./target/release/prior run "$work/flood.yaml" --out "$work/out" --format json \
  >"$work/report.json" 2>"$work/stderr" || true
bundle=$(ls -d "$work"/out/*)
log="$bundle/raw/logcat.txt"
got=$(grep -c 'flood line ' "$log" || true)
distinct=$(grep -o 'flood line [0-9]*' "$log" | sort -u | wc -l)
max=$(grep -o 'flood line [0-9]*' "$log" | awk '{print $3}' | sort -n | tail -1)
bytes=$(stat -c %s "$log")
echo "expected lines:        $EXPECT"
echo "flood lines recorded:  $got (distinct $distinct, highest $max)"
echo "raw/logcat.txt:        $((bytes / 1024 / 1024)) MiB"
grep -E "own time|Maximum resident|Elapsed" "$work/stderr" | sed 's/^\s*/  /'
if [ "$distinct" -eq "$EXPECT" ] && [ "$got" -eq "$EXPECT" ]; then
  echo "RESULT: no line lost"
else
  echo "RESULT: LOST $((EXPECT - distinct)) lines"; exit 1
fi
