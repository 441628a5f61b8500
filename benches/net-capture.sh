#!/usr/bin/env bash
# Network-capture benchmark: the analyzer on a large emulator-style capture.
#
# Builds once (python3, stdlib) a classic pcap (Ethernet, µs) of PACKETS packets: DNS queries
# over UDP from 10.0.2.15 to 10.0.2.3 and TLS ClientHellos with SNI, over HOSTS host names of
# which every tenth is a catalogued tracker host (umeng.com, bugly.qq.com …), padded with
# PAD_BYTES of opaque TCP payload per packet to look like real traffic. Then:
#   1. `prior parse net FILE > /dev/null` (prior-net: read + extract every record);
#   2. `prior analyze --allow-modified` on a copy of tests/data/bundles/leaky with the capture
#      as raw/net.pcap (the analyzer's streaming net source, event caps, rules).
# Both run release builds under /usr/bin/time -v; wall time, throughput and peak RSS are printed.
# Targets: the analyzer reads a capture at ≥ 100 MB/s with peak RSS under 100 MB whatever its size
# (it streams packets and caps events); `prior parse net` streams too (one packet at a time).
# Measured 2026-11-28 (2 cores, defaults: 2 000 000 packets, 568 MiB): parse net 3.45 s,
# 165 MB/s, 5.7 MiB RSS (printing ~1 000 000 JSON lines); analyze 1.28 s, 466 MB/s, 19.9 MiB
# RSS, 5 tracker findings.
#
#   benches/net-capture.sh
#   PACKETS=200000 benches/net-capture.sh
#
# Not run by the tests (it builds the release binary and writes ~PACKETS × (PAD_BYTES+120) bytes).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKETS=${PACKETS:-2000000}
HOSTS=${HOSTS:-50000}
PAD_BYTES=${PAD_BYTES:-400}
# Packets are SPACING_US apart from 0.5 s after the launch in tests/data/bundles/leaky (whose
# consent tap is ~13 s after the launch): with the defaults every packet is before consent.
SPACING_US=${SPACING_US:-5}
DIR=${BENCH_DIR:-target/bench}
PCAP="$DIR/net-${PACKETS}-${HOSTS}-${PAD_BYTES}-${SPACING_US}.pcap"

[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }

cargo build --release --quiet -p prior
mkdir -p "$DIR"

if [ ! -f "$PCAP" ]; then
  python3 - "$PCAP" "$PACKETS" "$HOSTS" "$PAD_BYTES" "$SPACING_US" <<'PY'
import struct, sys
path, n, hosts, pad, spacing = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
trackers = ["ulogs.umeng.com", "alog.umeng.com", "bugly.qq.com", "api.jpush.cn", "sdk.getui.com"]
names = [trackers[i // 10 % len(trackers)] if i % 10 == 0 else "h%d.cdn%d.example.com" % (i, i % 97)
         for i in range(hosts)]
guest, dns, server = bytes([10, 0, 2, 15]), bytes([10, 0, 2, 3]), bytes([203, 0, 113, 7])
eth = b"\x52\x55\x0a\x00\x02\x02" + b"\x52\x54\x00\x12\x34\x56" + b"\x08\x00"

def ip(src, dst, proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0, 64, proto, 0, src, dst)
    return h + l4

def qname(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"

def dns_query(name, i):
    msg = struct.pack("!HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0) + qname(name) + b"\0\x01\0\x01"
    udp = struct.pack("!HHHH", 40000 + i % 20000, 53, 8 + len(msg), 0) + msg
    return ip(guest, dns, 17, udp)

def hello(name, i):
    sni = name.encode()
    ext = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    body = b"\x03\x03" + bytes(32) + b"\0" + b"\0\x02\x13\x01" + b"\x01\0" + struct.pack("!H", len(ext)) + ext
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    rec = b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs
    tcp = struct.pack("!HHIIBBHHH", 40000 + i % 20000, 443, i, 0, 0x50, 0x18, 65535, 0, 0) + rec
    return ip(guest, server, 6, tcp)

def opaque(i):
    tcp = struct.pack("!HHIIBBHHH", 443, 40000 + i % 20000, i, 0, 0x50, 0x18, 65535, 0, 0) + bytes(pad)
    return ip(server, guest, 6, tcp)

t0 = 1795894199500000  # host clock; the leaky bundle's launch marker is at ~1795894199.0 s
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        name = names[i % hosts]
        kind = i % 4
        frame = eth + (dns_query(name, i) if kind == 0 else hello(name, i) if kind == 1 else opaque(i))
        t = t0 + i * spacing
        f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)))
        f.write(frame)
PY
fi
BYTES=$(stat -c %s "$PCAP")
echo "capture: $PCAP ($PACKETS packets, $((BYTES / 1048576)) MiB)"

measure() { # label, command…
  local label=$1; shift
  local log="$DIR/net-time.txt"
  /usr/bin/time -v "$@" > /dev/null 2> "$log" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  python3 - "$label" "$wall" "$rss" "$BYTES" <<'PY'
import sys
label, wall, rss, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
parts = [float(p) for p in wall.split(":")]
secs = parts[-1] + (parts[-2] * 60 if len(parts) > 1 else 0) + (parts[-3] * 3600 if len(parts) > 2 else 0)
print("%-22s %7.2f s  %7.1f MB/s  peak RSS %6.1f MiB" % (label, secs, size / 1e6 / max(secs, 1e-9), rss / 1024))
PY
}

measure "prior parse net" target/release/prior parse net "$PCAP"

BUNDLE="$DIR/net-bundle"
rm -rf "$BUNDLE"
cp -r tests/data/bundles/leaky "$BUNDLE"
mkdir -p "$BUNDLE/raw"
ln -f "$PCAP" "$BUNDLE/raw/net.pcap" 2>/dev/null || cp "$PCAP" "$BUNDLE/raw/net.pcap"
measure "prior analyze" target/release/prior analyze --allow-modified --format json "$BUNDLE"
target/release/prior analyze --allow-modified --format json "$BUNDLE" 2>/dev/null \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("tracker findings:", sum(1 for f in r["findings"] if f["rule"]=="tracker-contact-before-consent"))'
