#!/usr/bin/env bash
# Builds the demo APKs of scenarios/demo/apps/ from their manifests in
# scenarios/demo/apps/src/<name>/AndroidManifest.xml: manifest-only (no code), signed.
#
# Needs Debian's aapt, android-framework-res, apksigner, and keytool from a JDK:
#   apt-get install aapt android-framework-res apksigner default-jdk-headless
#
# Reproducible: aapt writes fixed zip timestamps (1980-01-01) and apksigner's v1/v2/v3
# signatures are deterministic for a given key, so the same manifests and the same key give
# byte-identical APKs. The key is tools/demo-apk-key.p12 (a throwaway demo key, password
# "prior-demo"; it protects nothing). If it is missing the script generates a new one, and
# then every APK changes: commit the key together with the APKs.
#
# Usage: tools/build-demo-apks.sh [--check]
#   --check  rebuild into a temporary directory and fail if any committed APK differs.
set -euo pipefail
cd "$(dirname "$0")/.."

SRC=scenarios/demo/apps/src
OUT=scenarios/demo/apps
KEY=tools/demo-apk-key.p12
PASS=prior-demo
FRAMEWORK=/usr/share/android-framework-res/framework-res.apk

for tool in aapt apksigner keytool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-demo-apks: $tool not found (see the header of $0)" >&2; exit 3; }
done
[ -f "$FRAMEWORK" ] || { echo "build-demo-apks: $FRAMEWORK not found (apt-get install android-framework-res)" >&2; exit 3; }

check=0
[ "${1:-}" = "--check" ] && check=1

if [ ! -f "$KEY" ]; then
  [ "$check" = 1 ] && { echo "build-demo-apks: $KEY missing, cannot check" >&2; exit 1; }
  echo "build-demo-apks: generating a new demo signing key $KEY" >&2
  keytool -genkeypair -keystore "$KEY" -storetype PKCS12 -storepass "$PASS" -keypass "$PASS" \
    -alias demo -keyalg RSA -keysize 2048 -validity 36500 \
    -dname "CN=Prior demo apps (not secret), O=Prior" >/dev/null 2>&1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
for dir in "$SRC"/*/; do
  name=$(basename "$dir")
  manifest="$dir/AndroidManifest.xml"
  [ -f "$manifest" ] || continue
  aapt package -f -M "$manifest" -I "$FRAMEWORK" -F "$work/$name.unsigned.apk"
  apksigner sign --ks "$KEY" --ks-pass "pass:$PASS" --ks-key-alias demo \
    --v4-signing-enabled false --out "$work/$name.apk" "$work/$name.unsigned.apk"
  apksigner verify "$work/$name.apk" >/dev/null
  if [ "$check" = 1 ]; then
    if ! cmp -s "$work/$name.apk" "$OUT/$name.apk"; then
      echo "build-demo-apks: $OUT/$name.apk differs from a fresh build" >&2
      status=1
    fi
  else
    cp "$work/$name.apk" "$OUT/$name.apk"
    echo "built $OUT/$name.apk ($(wc -c <"$OUT/$name.apk") bytes, sha256 $(sha256sum "$OUT/$name.apk" | cut -c1-16)…)"
  fi
done
exit "$status"
