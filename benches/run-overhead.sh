#!/usr/bin/env bash
# Benchmark: Prior's own time per scenario — everything `prior run` does except the scenario's
# explicit `wait` steps (device facts, install, arming collectors, UI polling until the consent
# screen appears, snapshots, the tap, sealing the bundle). Runs each demo scenario on the
# simulated handset RUNS times (release build) and prints what `prior run` reports.
# Usage: benches/run-overhead.sh [RUNS]      (not run by the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
cargo build -q --release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for s in scenarios/demo/*.yaml; do
  for i in $(seq "$RUNS"); do
    t=$(./target/release/prior run "$s" --out "$out" 2>&1 >/dev/null | grep -o "own time [0-9.]* s" || echo "own time ? s")
    printf '%-32s run %d: %s\n' "$(basename "$s")" "$i" "$t"
  done
done
