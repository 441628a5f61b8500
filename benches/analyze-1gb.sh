#!/usr/bin/env bash
# Analyzer benchmark: generates (once) a session bundle whose raw/logcat.txt is at least 1 GiB
# of real-format lines, runs the release-built analyzer over it, and has ripgrep count the same
# patterns on the same file. Prints wall time, MiB/s and peak RSS (/usr/bin/time -v) for both.
# Targets: analyzer time within 1.5x of rg's, analyzer peak RSS under 64 MiB.
#
#   benches/analyze-1gb.sh              # 1024 MiB in target/bench/
#   SIZE_MB=128 benches/analyze-1gb.sh  # a quicker run
#
# Not run by the tests: it takes minutes on two cores and needs ~1 GiB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MB=${SIZE_MB:-1024}
DIR=${BENCH_DIR:-target/bench}
OUT="$DIR/bundle-${SIZE_MB}mb"
LOG="$OUT/raw/logcat.txt"
PATTERNS="$DIR/patterns-${SIZE_MB}mb.txt"
LITERALS="$DIR/literals-${SIZE_MB}mb.txt"

command -v rg >/dev/null || { echo "needs ripgrep: apt-get install ripgrep" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }

cargo build --release --quiet -p prior-analyze --example gen_bundle --example scan
BIN=target/release/examples

want=$((SIZE_MB * 1024 * 1024))
if [ ! -f "$LOG" ] || [ "$(stat -c %s "$LOG")" -lt "$want" ]; then
  rm -rf "$OUT"
  mkdir -p "$DIR"
  echo "generating $OUT ..."
  "$BIN/gen_bundle" "$OUT" "$SIZE_MB"
fi
bytes=$(stat -c %s "$LOG")
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "logcat: $LOG ($mib MiB, $(rg -c '' "$LOG") lines, rg $(rg --version | sed -n '1s/^ripgrep \([^ ]*\).*/\1/p'))"

# Both tools read from the page cache.
cat "$LOG" >/dev/null

# measure LABEL CMD... -> prints "seconds rss_mib" and keeps the command's stdout in $LAST_OUT.
LAST_OUT=$(mktemp)
measure() {
  local tv
  tv=$(mktemp)
  /usr/bin/time -v -o "$tv" "$@" >"$LAST_OUT"
  awk -F': ' '
    /Elapsed \(wall clock\) time/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "%.3f %.1f\n", s, rss }' "$tv"
  rm -f "$tv"
}

read -r a_s a_rss < <(measure "$BIN/scan" "$OUT" --patterns "$PATTERNS" --literals "$LITERALS")
analyzer_out=$(cat "$LAST_OUT")
read -r r_s r_rss < <(measure rg -c -f "$PATTERNS" "$LOG")
rg_out=$(cat "$LAST_OUT")
read -r f_s f_rss < <(measure rg -c -F -f "$LITERALS" "$LOG")
rgf_out=$(cat "$LAST_OUT")
rm -f "$LAST_OUT"

echo
echo "$analyzer_out" | sed 's/^/  analyzer: /'
echo "  rg -c -f    (the same $(wc -l <"$PATTERNS") regexes):          $rg_out matching lines"
echo "  rg -c -F -f (the analyzer's $(wc -l <"$LITERALS") prefilter literals): $rgf_out matching lines"
echo
row() { # name seconds rss
  printf '%-40s %9.2f %9.0f %15.1f\n' "$1" "$2" "$(awk -v m="$mib" -v s="$2" 'BEGIN { print (s > 0 ? m / s : 0) }')" "$3"
}
printf '%-40s %9s %9s %15s\n' tool seconds MiB/s "peak RSS MiB"
row "prior-analyze (examples/scan, whole run)" "$a_s" "$a_rss"
row "rg -c -f patterns" "$r_s" "$r_rss"
row "rg -c -F -f literals" "$f_s" "$f_rss"
ratio() { awk -v a="$1" -v r="$2" 'BEGIN { printf "%.2f", (r > 0 ? a / r : 0) }'; }
echo
echo "time ratio analyzer/rg(patterns): $(ratio "$a_s" "$r_s"); analyzer/rg(literals): $(ratio "$a_s" "$f_s") (target <= 1.5)"
echo "analyzer peak RSS: $a_rss MiB (target < 64)"
