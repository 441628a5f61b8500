#!/usr/bin/env bash
# `prior inspect` benchmark on a ~100 MB APK. Builds the APK once (python3 zipfile): every
# entry of the real test APK tests/data/apks/app-uiautomator.apk (manifest, resources, its
# classes.dex), plus DEX_FILES synthetic multidex files (classes2.dex …, stored uncompressed as
# modern build tools do, each with 60 000 class definitions, some under catalogued SDK packages,
# padded to DEX_MB MiB) and ASSET_MB MiB of incompressible assets. Then runs the release-built
# `prior inspect --format json` on it under /usr/bin/time -v and prints wall time and peak RSS.
# Targets: under 2 s and under 200 MB peak RSS.
#
#   benches/inspect-100mb.sh
#   DEX_FILES=3 DEX_MB=8 ASSET_MB=20 benches/inspect-100mb.sh   # a smaller APK
#   DEX_DEFLATE=1 benches/inspect-100mb.sh   # dex entries deflated (older build tools)
#   ADVERSARIAL=1 benches/inspect-100mb.sh   # hostile input instead (issue 16, item 7):
#     classes2.dex: 65 536 type_ids naming one 4 000-byte descriptor (would decode 256 MiB;
#       the reader refuses it past 32 MiB of descriptors, reported as unreadable);
#     classes3.dex: 8 000 defined classes with 4 000-byte names of one-letter packages under a
#       catalogued prefix (every one looked up in the SDK catalogue);
#     ENTRIES (default 200 000) empty zip entries: a huge central directory;
#     the real classes.dex a second time, deflated, as classes4.dex.
#   Targets: the same (< 2 s, < 200 MB). 2026-12-03, shared 2-core machine: 0.34 s, 175 MiB
#   (without the two bounds of docs/sdks.md, "DEX reader": 62 s, 307 MiB).
#
# Not run by the tests (it builds the release binary and writes ~100 MB).
set -euo pipefail
cd "$(dirname "$0")/.."

DEX_FILES=${DEX_FILES:-6}
DEX_MB=${DEX_MB:-10}
ASSET_MB=${ASSET_MB:-40}
DEX_DEFLATE=${DEX_DEFLATE:-0}
ADVERSARIAL=${ADVERSARIAL:-0}
ENTRIES=${ENTRIES:-200000}
DIR=${BENCH_DIR:-target/bench}
APK="$DIR/inspect-${DEX_FILES}x${DEX_MB}-${ASSET_MB}-z${DEX_DEFLATE}.apk"
[ "$ADVERSARIAL" = 1 ] && APK="$DIR/inspect-adversarial-${ENTRIES}.apk"

[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }

cargo build --release --quiet -p prior
mkdir -p "$DIR"

if [ "$ADVERSARIAL" = 1 ] && [ ! -f "$APK" ]; then
  python3 - "$APK" "$ENTRIES" <<'PY'
import os, struct, sys, zipfile, zlib

out, entries = sys.argv[1], int(sys.argv[2])
src = "tests/data/apks/app-uiautomator.apk"

def dex(strings, types, classes):
    # Dalvik Executable format: header, string_ids, type_ids, class_defs, string data.
    n = len(strings)
    sid = 0x70
    tid = sid + 4 * n
    cdef = tid + 4 * len(types)
    data_off = cdef + 32 * len(classes)
    data, offs = bytearray(), []
    for s in strings:
        offs.append(data_off + len(data))
        b = s.encode()
        ln, u = len(b), bytearray()
        while True:
            x, ln = ln & 0x7f, ln >> 7
            u.append(x | (0x80 if ln else 0))
            if not ln:
                break
        data += u + b + b"\0"
    body = b"".join(struct.pack("<I", o) for o in offs)
    body += b"".join(struct.pack("<I", t) for t in types)
    body += b"".join(struct.pack("<IIIIIIII", c, 1, 0xFFFFFFFF, 0, 0xFFFFFFFF, 0, 0, 0) for c in classes)
    body += data
    size = 0x70 + len(body)
    h = bytearray(0x70)
    h[0:8] = b"dex\n035\0"
    struct.pack_into("<I", h, 0x20, size)
    struct.pack_into("<I", h, 0x24, 0x70)
    struct.pack_into("<I", h, 0x28, 0x12345678)
    struct.pack_into("<II", h, 0x38, n, sid)
    struct.pack_into("<II", h, 0x40, len(types), tid)
    struct.pack_into("<II", h, 0x60, len(classes), cdef)
    whole = h + body
    struct.pack_into("<I", whole, 8, zlib.adler32(bytes(whole[12:])) & 0xffffffff)
    return bytes(whole)

one = "L" + "a/" * 1999 + "A;"
amplify = dex([one], [0] * 65536, [])
deep = ["Lcom/umeng/%s%05d;" % ("a/" * 1990, i) for i in range(8000)]
deep.sort()
long_names = dex(deep, list(range(len(deep))), list(range(len(deep))))
tmp = out + ".tmp"
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w") as zout:
    real_dex = None
    for info in zin.infolist():
        body = zin.read(info.filename)
        if info.filename == "classes.dex":
            real_dex = body
        zout.writestr(info, body, compress_type=info.compress_type)
    zout.writestr("classes2.dex", amplify, compress_type=zipfile.ZIP_DEFLATED)
    zout.writestr("classes3.dex", long_names, compress_type=zipfile.ZIP_DEFLATED)
    zout.writestr("classes4.dex", real_dex, compress_type=zipfile.ZIP_DEFLATED)
    for i in range(entries):
        zout.writestr("res/x/%07d" % i, b"", compress_type=zipfile.ZIP_STORED)
os.replace(tmp, out)
PY
fi

if [ ! -f "$APK" ]; then
  python3 - "$APK" "$DEX_FILES" "$DEX_MB" "$ASSET_MB" "$DEX_DEFLATE" <<'PY'
import os, struct, sys, zipfile, zlib

out, dex_files, dex_mb, asset_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
dex_method = zipfile.ZIP_DEFLATED if sys.argv[5] == "1" else zipfile.ZIP_STORED
src = "tests/data/apks/app-uiautomator.apk"
CLASSES = 60000
# Some classes under catalogued SDK packages, so the SDK matcher has work and hits.
SDK_PACKAGES = ["com/umeng/commonsdk", "com/tencent/bugly/crashreport", "cn/jpush/android",
                "com/google/firebase/analytics", "com/appsflyer/internal", "io/sentry/android"]

def uleb(n):
    b = bytearray()
    while True:
        x = n & 0x7f
        n >>= 7
        if n:
            b.append(x | 0x80)
        else:
            b.append(x)
            return bytes(b)

def dex(k):
    # Layout (Dalvik Executable format): 0x70-byte header, string_ids, type_ids, class_defs,
    # string data; padded. Descriptors sorted, as the format requires for string_ids.
    names = []
    for i in range(CLASSES):
        if i % 50 == 0:
            pkg = SDK_PACKAGES[(i // 50) % len(SDK_PACKAGES)]
        else:
            pkg = "com/bench/d%d/p%03d" % (k, i % 997)
        names.append("L%s/C%05d;" % (pkg, i))
    names.sort()
    n = len(names)
    string_ids_off = 0x70
    type_ids_off = string_ids_off + 4 * n
    class_defs_off = type_ids_off + 4 * n
    data_off = class_defs_off + 32 * n
    data = bytearray()
    string_offs = []
    for s in names:
        string_offs.append(data_off + len(data))
        data += uleb(len(s)) + s.encode() + b"\0"
    body = bytearray()
    body += b"".join(struct.pack("<I", o) for o in string_offs)
    body += b"".join(struct.pack("<I", i) for i in range(n))
    for i in range(n):
        body += struct.pack("<IIIIIIII", i, 1, 0xFFFFFFFF, 0, 0xFFFFFFFF, 0, 0, 0)
    body += data
    size = max(dex_mb * 1024 * 1024, 0x70 + len(body))
    body += bytes(size - 0x70 - len(body))
    h = bytearray(0x70)
    h[0:8] = b"dex\n035\0"
    struct.pack_into("<I", h, 0x20, size)
    struct.pack_into("<I", h, 0x24, 0x70)
    struct.pack_into("<I", h, 0x28, 0x12345678)
    struct.pack_into("<II", h, 0x38, n, string_ids_off)
    struct.pack_into("<II", h, 0x40, n, type_ids_off)
    struct.pack_into("<II", h, 0x60, n, class_defs_off)
    struct.pack_into("<II", h, 0x68, size - data_off, data_off)
    whole = h + body
    struct.pack_into("<I", whole, 8, zlib.adler32(bytes(whole[12:])) & 0xffffffff)
    return bytes(whole)

tmp = out + ".tmp"
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w") as zout:
    for info in zin.infolist():
        zout.writestr(info, zin.read(info.filename), compress_type=info.compress_type)
    for k in range(2, dex_files + 2):
        zout.writestr("classes%d.dex" % k, dex(k), compress_type=dex_method)
    for i in range(asset_mb):
        # Incompressible: a fresh random MiB per asset.
        zout.writestr("assets/blob%03d.bin" % i, os.urandom(1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)
os.replace(tmp, out)
PY
fi

size=$(stat -c %s "$APK")
echo "APK: $APK ($((size / 1024 / 1024)) MiB)"
tlog=$(mktemp)
trap 'rm -f "$tlog"' EXIT
/usr/bin/time -v target/release/prior inspect "$APK" --format json > "$DIR/inspect.json" 2> "$tlog" || {
  cat "$tlog" >&2
  exit 1
}
wall=$(grep 'Elapsed (wall clock)' "$tlog" | awk '{print $NF}')
rss=$(grep 'Maximum resident set size' "$tlog" | awk '{print $NF}')
python3 - "$DIR/inspect.json" "$DEX_FILES" "$ADVERSARIAL" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
dex = v["dex"]
if sys.argv[3] == "1":
    errors = {d["entry"]: d["error"] for d in dex}
    assert len(dex) == 4, dex
    assert "descriptors exceed" in (errors["classes2.dex"] or ""), errors
    assert errors["classes3.dex"] is None and errors["classes4.dex"] is None, errors
    print("adversarial: %s" % "; ".join("%s %s" % (d["entry"], d["error"] or "%d classes" % d["classes"]) for d in dex))
    print("SDKs: %s" % ", ".join("%s (%s)" % (s["name"], s["confidence"]) for s in v["sdks"]))
    sys.exit(0)
assert len(dex) == int(sys.argv[2]) + 1, dex
assert all(d["error"] is None for d in dex), dex
classes = sum(d["classes"] for d in dex)
print("dex files: %d, classes: %d, SDKs: %s" % (len(dex), classes, ", ".join(s["name"] for s in v["sdks"])))
PY
echo "wall: ${wall} (m:ss), peak RSS: $((rss / 1024)) MiB   (targets: < 2 s, < 200 MB)"
