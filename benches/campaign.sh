#!/usr/bin/env bash
# Benchmark (issue 17): the corpus of simulated apps with known truth (tests/corpus/gen.rs,
# docs/testing.md "Corpus") × its 2 scenarios (accept, reject), with 1, 2 and 4 parallel
# simulated handsets. For each it prints the wall time, apps/hour, Prior's own CPU per pair
# (user+sys of the prior processes / pairs, from /usr/bin/time -v) and the peak RSS, then the
# speed-up from 1 to 4 handsets (target ≥ 3×: the scenarios' waits dominate), and scores
# every run against the truth from `prior campaign merge`'s campaign.json, the regulator's table
# (recall / precision, every miss listed; pairs mode: from each pair's JSON report).
#
# Usage: benches/campaign.sh                      (not run by the tests; takes a while)
#   APPS=200      apps in the corpus (fewer for a quick look)
#   SEED=1        the corpus seed
#   PARALLEL="1 2 4"
#   MODE=auto     campaign: `prior campaign run --parallel N` (one process);
#                 pairs: one `prior run` per pair, N at a time (xargs -P), for a binary without
#                 `prior campaign`; auto: campaign when `prior campaign run` exists.
#   PROFILE=debug the cargo profile of the prior binary (release needs a release build: disk)
#   KEEP=1        keep the work directory and its bundles (default: deleted; about 11 MB
#                 per pair, 4.5 GB for 400 pairs)
set -euo pipefail
cd "$(dirname "$0")/.."
APPS=${APPS:-200}
SEED=${SEED:-1}
PARALLEL=${PARALLEL:-"1 2 4"}
MODE=${MODE:-auto}
PROFILE=${PROFILE:-debug}
export CARGO_INCREMENTAL=0

[ -x /usr/bin/time ] || { echo "campaign.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 3; }
if [ "$PROFILE" = release ]; then
  cargo build -q --release --bin prior
else
  cargo build -q --bin prior
fi
cargo build -q --example corpus
PRIOR=$PWD/target/$PROFILE/prior
CORPUS_BIN=$PWD/target/debug/examples/corpus

if [ "$MODE" = auto ]; then
  if "$PRIOR" campaign run --help >/dev/null 2>&1; then MODE=campaign; else MODE=pairs; fi
fi

# The corpus is kept between runs (target/corpus-<apps>-<seed>): APKs are rebuilt only when
# their manifest changes.
corpus=$PWD/target/corpus-$APPS-$SEED
"$CORPUS_BIN" generate "$corpus" --apps "$APPS" --seed "$SEED" >/dev/null
work=$(mktemp -d "$PWD/target/campaign-bench.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
pairs=$((APPS * 2))

# One `prior run` of pair "$slug $stem" into $out (pairs mode); prints nothing.
run_pair() {
  local out=$1 slug=$2 stem=$3
  mkdir -p "$out/pairs/$slug--$stem" "$out/reports"
  "$PRIOR" run "$corpus/$stem.yaml" -e "APK=$corpus/apks/$slug.apk" --format json \
    --out "$out/pairs/$slug--$stem" >"$out/reports/$slug--$stem.json" 2>"$out/pairs/$slug--$stem.log" || true
}
export -f run_pair
export PRIOR corpus

# The regulator's table of a campaign directory: `prior campaign merge` (JSON only), scored
# from its campaign.json (tests/corpus/table.rs). Its time is not counted in the run's.
merge_campaign() {
  local out=$1
  "$PRIOR" campaign merge "$out" --out "$out/reports" --format json >/dev/null 2>&1 || true
}

printf '%s\n' "corpus: $APPS apps × 2 scenarios = $pairs pairs, seed $SEED, mode $MODE, $PROFILE build"
printf '%-9s %10s %10s %16s %12s  %s\n' handsets wall_s apps/hour "prior_cpu/pair_s" peak_rss_MB score
declare -A WALL
for n in $PARALLEL; do
  out=$work/p$n
  mkdir -p "$out"
  start=$(date +%s.%N)
  if [ "$MODE" = campaign ]; then
    /usr/bin/time -v -o "$out/time.txt" "$PRIOR" campaign run "$corpus/campaign.yaml" \
      --parallel "$n" --out "$out" >"$out/run.log" 2>&1 || true
  else
    for a in $(seq 0 $((APPS - 1))); do
      printf 'app-%03d accept\napp-%03d reject\n' "$a" "$a"
    done | /usr/bin/time -v -o "$out/time.txt" \
      xargs -P "$n" -L 1 bash -c 'run_pair "$0" "$1" "$2"' "$out"
  fi
  end=$(date +%s.%N)
  [ "$MODE" = campaign ] && merge_campaign "$out"
  wall=$(echo "$end - $start" | bc -l)
  WALL[$n]=$wall
  # /usr/bin/time -v counts the children it waited for: every prior process.
  user=$(awk -F': ' '/User time/{print $2}' "$out/time.txt")
  sys=$(awk -F': ' '/System time/{print $2}' "$out/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$out/time.txt")
  score=$({ "$CORPUS_BIN" score "$corpus" "$out/reports" || true; } | tail -n 1)
  "$CORPUS_BIN" score "$corpus" "$out/reports" | grep '^miss:' >"$out/misses.txt" || true
  printf '%-9s %10.1f %10.1f %16.3f %12.1f  %s\n' "$n" "$wall" \
    "$(echo "$APPS * 3600 / $wall" | bc -l)" "$(echo "($user + $sys) / $pairs" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)" "$score"
  # Bundles take about 11 MB per pair: keep only the reports and the misses.
  [ "${KEEP:-0}" = 1 ] || rm -rf "$out/pairs"
  if [ -s "$out/misses.txt" ]; then
    echo "  misses ($(wc -l <"$out/misses.txt")), first 20:"
    head -n 20 "$out/misses.txt" | sed -e 's/ (incomplete:.*//' -e 's/^/    /'
  fi
done
if [ -n "${WALL[1]:-}" ] && [ -n "${WALL[4]:-}" ]; then
  printf 'speed-up 1 → 4 handsets: %.2f× (target ≥ 3×)\n' "$(echo "${WALL[1]} / ${WALL[4]}" | bc -l)"
fi
echo "peak RSS is the largest single process (/usr/bin/time -v); in pairs mode that is one prior run."
