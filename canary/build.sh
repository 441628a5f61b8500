#!/usr/bin/env bash
# Builds Prior's canary APK, canary/prior-canary.apk, from source with Debian's tools:
#   canary/src/smali/**.smali  --smali-->  classes.dex
#   canary/src/AndroidManifest.xml --aapt--> manifest-only APK, then `aapt add classes.dex`
#   zipalign -p 4, apksigner (v1+v2+v3, the throwaway demo key tools/demo-apk-key.p12).
#
# Needs (Debian 12): apt-get install libsmali-java aapt zipalign apksigner android-framework-res default-jdk-headless
# (and dexdump to inspect the result: apt-get install dexdump).
#
# Reproducible: smali writes the same dex for the same sources, aapt writes fixed zip timestamps
# (1980-01-01) for the files it packs and adds, and apksigner's signatures are deterministic
# for a given key, so the same sources and key give a byte-identical APK (PROVENANCE.md).
#
# Usage: canary/build.sh [--check]
#   --check  rebuild into a temporary directory and fail if canary/prior-canary.apk differs.
# Exit status: 0 built (or identical), 1 differs, 3 a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SRC=canary/src
OUT=canary/prior-canary.apk
KEY=tools/demo-apk-key.p12
PASS=prior-demo
FRAMEWORK=/usr/share/android-framework-res/framework-res.apk

for tool in smali aapt zipalign apksigner; do
  command -v "$tool" >/dev/null 2>&1 || { echo "canary/build.sh: $tool not found (see the header of $0)" >&2; exit 3; }
done
[ -f "$FRAMEWORK" ] || { echo "canary/build.sh: $FRAMEWORK not found (apt-get install android-framework-res)" >&2; exit 3; }
[ -f "$KEY" ] || { echo "canary/build.sh: $KEY missing (tools/build-demo-apks.sh creates it)" >&2; exit 3; }

check=0
[ "${1:-}" = "--check" ] && check=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# API level 24 = the manifest's minSdkVersion (dex format 037); one job for a stable order.
smali assemble --api 24 --jobs 1 --output "$work/classes.dex" "$SRC/smali"
aapt package -f -M "$SRC/AndroidManifest.xml" -I "$FRAMEWORK" -F "$work/unsigned.apk" >/dev/null
(cd "$work" && aapt add unsigned.apk classes.dex >/dev/null)
zipalign -f -p 4 "$work/unsigned.apk" "$work/aligned.apk"
apksigner sign --ks "$KEY" --ks-pass "pass:$PASS" --ks-key-alias demo \
  --v4-signing-enabled false --out "$work/prior-canary.apk" "$work/aligned.apk"
apksigner verify "$work/prior-canary.apk" >/dev/null

if [ "$check" = 1 ]; then
  if ! cmp -s "$work/prior-canary.apk" "$OUT"; then
    echo "canary/build.sh: $OUT differs from a fresh build of canary/src (run canary/build.sh)" >&2
    exit 1
  fi
  echo "canary/build.sh: $OUT is what canary/src builds"
else
  cp "$work/prior-canary.apk" "$OUT"
  echo "built $OUT ($(wc -c <"$OUT") bytes, sha256 $(sha256sum "$OUT" | cut -c1-16)…)"
fi
