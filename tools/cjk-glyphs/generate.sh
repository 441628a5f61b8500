#!/usr/bin/env bash
# Regenerates crates/prior-sim/fonts/cjk-glyphs.bin, the simulated handset's CJK glyphs
# (crates/prior-sim/fonts/PROVENANCE.md). Run it after adding CJK text to a behaviour model;
# the test `cjk_table_covers_every_model` (crates/prior-sim) fails until you do.
#
# Needs Debian's fonts-droid-fallback, libfreetype-dev, gcc and python3 (a developer's tools;
# the build and the tests only read the committed table).
#
# Characters: every character at or above U+2E80 (CJK radicals, punctuation, kana, ideographs,
# full-width forms) in the behaviour models (scenarios/**/*.model, tests/data/**/*.model), plus
# the common CJK punctuation below, so that a model can use them without regenerating.
set -euo pipefail
cd "$(dirname "$0")/../.."
font=/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
[ -e "$font" ] || { echo "generate.sh: needs $font (apt-get install fonts-droid-fallback)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gcc -O1 -I/usr/include/freetype2 -o "$tmp/rasterize" tools/cjk-glyphs/rasterize.c -lfreetype
python3 - "$tmp/codepoints" <<'PY'
import glob, sys
extra = "，。、；：？！（）《》「」『』【】～・"
chars = set(c for c in extra if ord(c) >= 0x2E80)
for f in sorted(glob.glob("scenarios/**/*.model", recursive=True) + glob.glob("tests/data/**/*.model", recursive=True)):
    with open(f, encoding="utf-8") as fh:
        chars |= {c for c in fh.read() if ord(c) >= 0x2E80}
with open(sys.argv[1], "w") as out:
    out.write("".join(f"{ord(c)}\n" for c in sorted(chars)))
print(f"generate.sh: {len(chars)} characters", file=sys.stderr)
PY
"$tmp/rasterize" "$font" < "$tmp/codepoints" > crates/prior-sim/fonts/cjk-glyphs.bin
echo "generate.sh: wrote crates/prior-sim/fonts/cjk-glyphs.bin ($(wc -c < crates/prior-sim/fonts/cjk-glyphs.bin) bytes) from $font (sha256 $(sha256sum "$font" | cut -c1-64))" >&2
