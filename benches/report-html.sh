#!/usr/bin/env bash
# The HTML report of a 30-minute session with 100 000 events: its size and how long headless
# Chromium takes to load and lay it out (and to screenshot it). Needs Debian's `chromium`.
#   benches/report-html.sh [EVENTS] [MINUTES]
# Prints the file size, Prior's render time, and Chromium wall times for the page and for an
# empty page (Chromium's own start-up, to subtract).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-100000}
minutes=${2:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build -q --bin prior -p prior
cargo build -q --release -p prior-report --example big_html
target/debug/prior report tests/data/bundles/leaky --format json -o "$work/leaky.json" || true
target/release/examples/big_html "$work/leaky.json" "$events" "$minutes" "$work/big.html"
printf '<!DOCTYPE html><title>empty</title>' > "$work/empty.html"
chrome() {
  local page=$1; shift
  local start end
  start=$(date +%s.%N)
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --no-first-run --user-data-dir="$work/profile" "$@" "file://$page" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
chrome "$work/empty.html" --dump-dom >/dev/null # warm the disk cache
echo "size_bytes=$(stat -c %s "$work/big.html")"
echo "chromium_empty_dump_dom_s=$(chrome "$work/empty.html" --dump-dom)"
echo "chromium_report_dump_dom_s=$(chrome "$work/big.html" --dump-dom)"
echo "chromium_report_screenshot_s=$(chrome "$work/big.html" --screenshot="$work/big.png" --window-size=1280,1600)"
