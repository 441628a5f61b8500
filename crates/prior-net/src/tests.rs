//! Tests: real loopback captures made with tcpdump, conversions of them to
//! other link types / pcapng, truncated and corrupt files, random bytes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, TcpListener, TcpStream, UdpSocket};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{
    CaptureFormat, ExtractOptions, LinkType, NetError, NetKind, NetRecord, Packet,
    extract_records_with, read_capture,
};

// ---------- traffic built by hand ----------

fn dns_query(id: u16, name: &str) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for l in name.split('.') {
        m.push(l.len() as u8);
        m.extend_from_slice(l.as_bytes());
    }
    m.push(0);
    m.extend_from_slice(&[0, 1, 0, 1]); // A, IN
    m
}

/// Answer to `q`: the question echoed, then an A and an AAAA record whose
/// names are compression pointers to the question name (offset 12).
fn dns_answer(q: &[u8]) -> Vec<u8> {
    let mut m = q.to_vec();
    m[2] = 0x81;
    m[3] = 0x80;
    m[7] = 2; // ANCOUNT
    m.extend_from_slice(&[0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3]);
    m.extend_from_slice(&[0xC0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16]);
    m.extend_from_slice(&Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 7).octets());
    m
}

/// A TLS 1.2-style ClientHello record carrying `sni` (RFC 8446 §4.1.2, RFC 6066 §3).
fn client_hello(sni: &str) -> Vec<u8> {
    let mut ext = Vec::new();
    // An unrelated extension first (supported_groups), then server_name.
    ext.extend_from_slice(&[0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d]);
    let n = sni.as_bytes();
    let list_len = 3 + n.len();
    ext.extend_from_slice(&[0x00, 0x00]);
    ext.extend_from_slice(&((list_len + 2) as u16).to_be_bytes());
    ext.extend_from_slice(&(list_len as u16).to_be_bytes());
    ext.push(0);
    ext.extend_from_slice(&(n.len() as u16).to_be_bytes());
    ext.extend_from_slice(n);
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&[0x42; 32]);
    body.push(32);
    body.extend_from_slice(&[0x17; 32]);
    body.extend_from_slice(&[0x00, 0x04, 0x13, 0x01, 0xc0, 0x2f]);
    body.extend_from_slice(&[0x01, 0x00]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    let mut hs = vec![0x01];
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 0x03, 0x01];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

// ---------- live capture ----------

struct Live {
    ip: IpAddr,
    file: Vec<u8>,
    dns_port: u16,
    tls_port: u16,
    http_port: u16,
    t0: i64,
    t1: i64,
}

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

/// Run tcpdump with `extra` args on 127.0.0.1 traffic to three local servers.
fn capture(extra: &[&str]) -> Live {
    capture_on(IpAddr::V4(Ipv4Addr::LOCALHOST), extra)
}

/// Run tcpdump with `extra` args on loopback traffic to three local servers on `ip`.
fn capture_on(ip: IpAddr, extra: &[&str]) -> Live {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cap.pcap");
    let udp = UdpSocket::bind((ip, 0)).unwrap();
    let tls = TcpListener::bind((ip, 0)).unwrap();
    let http = TcpListener::bind((ip, 0)).unwrap();
    let (dns_port, tls_port, http_port) = (
        udp.local_addr().unwrap().port(),
        tls.local_addr().unwrap().port(),
        http.local_addr().unwrap().port(),
    );
    let filter = format!("udp port {dns_port} or tcp port {tls_port} or tcp port {http_port}");
    let mut child = Command::new("tcpdump")
        .args(extra)
        // --immediate-mode: deliver packets at once (TPACKET_V3 otherwise holds them
        // until a block fills or times out, and SIGINT can lose them).
        // -Z root: tcpdump otherwise drops to user "tcpdump", which cannot write into the root-owned temp dir.
        .args(["-n", "-U", "--immediate-mode", "-Z", "root", "-w"])
        .arg(&path)
        .arg(&filter)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for "listening on …" so no packet is missed.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "tcpdump exited before listening"
        );
        if line.contains("listening on") {
            break;
        }
    }
    let t0 = now_us();

    // DNS responder + query.
    let responder = std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        let (n, from) = udp.recv_from(&mut buf).unwrap();
        udp.send_to(&dns_answer(&buf[..n]), from).unwrap();
    });
    let client = UdpSocket::bind((ip, 0)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    client
        .send_to(&dns_query(0x1234, "Tracker.Example.COM"), (ip, dns_port))
        .unwrap();
    let mut buf = [0u8; 512];
    client.recv_from(&mut buf).unwrap();
    responder.join().unwrap();

    // TLS ClientHello.
    let tls_srv = std::thread::spawn(move || {
        let (mut s, _) = tls.accept().unwrap();
        let mut b = vec![0u8; 4096];
        let _ = s.read(&mut b).unwrap();
    });
    let mut s = TcpStream::connect((ip, tls_port)).unwrap();
    s.write_all(&client_hello("sni.example.net")).unwrap();
    tls_srv.join().unwrap();
    drop(s);

    // HTTP request.
    let http_srv = std::thread::spawn(move || {
        let (mut s, _) = http.accept().unwrap();
        let mut b = vec![0u8; 4096];
        let _ = s.read(&mut b).unwrap();
        s.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap();
    });
    let mut s = TcpStream::connect((ip, http_port)).unwrap();
    s.write_all(
        b"GET /collect?x=1 HTTP/1.1\r\nUser-Agent: t\r\nHOST: WWW.Example.ORG:8080\r\n\r\n",
    )
    .unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    http_srv.join().unwrap();
    let t1 = now_us();

    // Wait (up to 3 s) until tcpdump has written the last request, then stop it.
    let want = ExtractOptions {
        dns_ports: vec![dns_port],
    };
    for _ in 0..30 {
        std::thread::sleep(Duration::from_millis(100));
        let bytes = std::fs::read(&path).unwrap_or_default();
        if let Ok(c) = read_capture(&bytes[..])
            && extract_records_with(&c.packets, &want)
                .iter()
                .any(|r| r.kind == NetKind::HttpHost)
        {
            break;
        }
    }
    let status = Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let st = child.wait().unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert!(st.success(), "tcpdump failed: {st}: {rest}");
    Live {
        ip,
        file: std::fs::read(&path).unwrap(),
        dns_port,
        tls_port,
        http_port,
        t0,
        t1,
    }
}

fn check_records(live: &Live, recs: &[NetRecord]) {
    let summary: Vec<(NetKind, &str)> = recs.iter().map(|r| (r.kind, r.host.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            (NetKind::DnsQuery, "tracker.example.com"),
            (NetKind::DnsAnswer, "tracker.example.com"),
            (NetKind::TlsSni, "sni.example.net"),
            (NetKind::HttpHost, "www.example.org"),
        ]
    );
    let lo = live.ip;
    for r in recs {
        assert!(
            r.time_us >= live.t0 - 1000 && r.time_us <= live.t1 + 1000,
            "{r:?} outside [{}, {}]",
            live.t0,
            live.t1
        );
        assert_eq!((r.src.ip(), r.dst.ip()), (lo, lo));
    }
    assert_eq!(recs[0].dst.port(), live.dns_port);
    assert_eq!(recs[1].src.port(), live.dns_port);
    assert_eq!(recs[1].dst, recs[0].src);
    assert_eq!(
        recs[1].addrs,
        vec![
            IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3)),
            IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 7))
        ]
    );
    assert!(recs[0].addrs.is_empty());
    assert_eq!(recs[2].dst.port(), live.tls_port);
    assert_eq!(recs[3].dst.port(), live.http_port);
    assert!(
        recs.windows(2)
            .all(|w| w[0].packet_index < w[1].packet_index && w[0].time_us <= w[1].time_us)
    );
}

fn opts(live: &Live) -> ExtractOptions {
    ExtractOptions {
        dns_ports: vec![53, live.dns_port],
    }
}

fn analyze_bytes(live: &Live, bytes: &[u8]) -> (crate::Capture, Vec<NetRecord>) {
    let cap = read_capture(bytes).unwrap();
    let recs = extract_records_with(&cap.packets, &opts(live));
    (cap, recs)
}

#[test]
fn live_ethernet_microseconds() {
    prior_testkit::require_tool!("tcpdump");
    let live = capture(&["-i", "lo"]);
    let (cap, recs) = analyze_bytes(&live, &live.file);
    assert!(cap.error.is_none(), "{:?}", cap.error);
    assert_eq!(
        cap.format,
        CaptureFormat::Pcap {
            nanos: false,
            big_endian: false
        }
    );
    assert!(cap.packets.iter().all(|p| p.link == LinkType::Ethernet));
    check_records(&live, &recs);
    // Without the test port configured as DNS, only TLS and HTTP are seen.
    let plain = crate::extract_records(&cap.packets);
    assert_eq!(
        plain.iter().map(|r| r.kind).collect::<Vec<_>>(),
        vec![NetKind::TlsSni, NetKind::HttpHost]
    );
}

#[test]
fn live_ipv6_loopback() {
    prior_testkit::require_tool!("tcpdump");
    let live = capture_on(IpAddr::V6(Ipv6Addr::LOCALHOST), &["-i", "lo"]);
    let (cap, recs) = analyze_bytes(&live, &live.file);
    assert!(cap.error.is_none(), "{:?}", cap.error);
    check_records(&live, &recs);
}

#[test]
fn live_nanosecond() {
    prior_testkit::require_tool!("tcpdump");
    let live = capture(&["-i", "lo", "--time-stamp-precision=nano"]);
    let (cap, recs) = analyze_bytes(&live, &live.file);
    assert!(cap.error.is_none(), "{:?}", cap.error);
    assert_eq!(
        cap.format,
        CaptureFormat::Pcap {
            nanos: true,
            big_endian: false
        }
    );
    check_records(&live, &recs);
}

/// `-i any` captures in Linux cooked format. In this sandbox the `any` device
/// often loses a loopback packet (tcpdump itself does not show it either), so
/// a live cooked capture is checked for link type and for records that are an
/// in-order subset of the expected ones with the right ports; full content
/// checks of SLL/SLL2 decoding are in `converted_variants_of_a_real_capture`.
#[test]
fn live_cooked_link_types() {
    prior_testkit::require_tool!("tcpdump");
    for (name, link) in [
        ("LINUX_SLL", LinkType::LinuxSll),
        ("LINUX_SLL2", LinkType::LinuxSll2),
    ] {
        let live = capture(&["-i", "any", "-y", name]);
        let (cap, recs) = analyze_bytes(&live, &live.file);
        assert!(cap.error.is_none(), "{name}: {:?}", cap.error);
        assert!(
            !cap.packets.is_empty() && cap.packets.iter().all(|p| p.link == link),
            "{name}"
        );
        let expected = [
            (NetKind::DnsQuery, "tracker.example.com", live.dns_port),
            (NetKind::DnsAnswer, "tracker.example.com", live.dns_port),
            (NetKind::TlsSni, "sni.example.net", live.tls_port),
            (NetKind::HttpHost, "www.example.org", live.http_port),
        ];
        let mut next = 0;
        for r in &recs {
            let pos = expected[next..]
                .iter()
                .position(|(k, h, port)| {
                    r.kind == *k && r.host == *h && (r.src.port() == *port || r.dst.port() == *port)
                })
                .unwrap_or_else(|| panic!("{name}: unexpected or out-of-order {r:?}"));
            next += pos + 1;
            assert!(r.time_us >= live.t0 - 1000 && r.time_us <= live.t1 + 1000);
        }
        assert!(
            recs.len() >= 2,
            "{name}: only {} records: {recs:?}",
            recs.len()
        );
    }
}

// ---------- conversions of a real capture ----------

/// Packets of a classic little-endian pcap: (sec, frac, data).
fn pcap_records(file: &[u8]) -> Vec<(u32, u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= file.len() {
        let f = |i: usize| u32::from_le_bytes(file[at + i..at + i + 4].try_into().unwrap());
        let (sec, frac, len) = (f(0), f(4), f(8) as usize);
        out.push((sec, frac, file[at + 16..at + 16 + len].to_vec()));
        at += 16 + len;
    }
    out
}

fn write_pcap(big: bool, nanos: bool, link: u32, recs: &[(u32, u32, Vec<u8>)]) -> Vec<u8> {
    let w32 = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w16 = |v: u16| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut f = Vec::new();
    f.extend_from_slice(&w32(if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }));
    f.extend_from_slice(&w16(2));
    f.extend_from_slice(&w16(4));
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&w32(262_144));
    f.extend_from_slice(&w32(link));
    for (s, frac, d) in recs {
        f.extend_from_slice(&w32(*s));
        f.extend_from_slice(&w32(if nanos { frac * 1000 + 999 } else { *frac }));
        f.extend_from_slice(&w32(d.len() as u32));
        f.extend_from_slice(&w32(d.len() as u32));
        f.extend_from_slice(d);
    }
    f
}

fn ng_block(big: bool, ty: u32, body: &[u8]) -> Vec<u8> {
    let w32 = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut b = body.to_vec();
    while !b.len().is_multiple_of(4) {
        b.push(0);
    }
    let total = (b.len() + 12) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(&w32(ty));
    out.extend_from_slice(&w32(total));
    out.extend_from_slice(&b);
    out.extend_from_slice(&w32(total));
    out
}

/// pcapng with one Ethernet interface; `tsresol` option byte; EPBs, except
/// the first packet which is an SPB when `spb_first`.
fn write_pcapng(big: bool, tsresol: u8, recs: &[(u32, u32, Vec<u8>)], spb_first: bool) -> Vec<u8> {
    let w32 = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w16 = |v: u16| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut shb = Vec::new();
    shb.extend_from_slice(&w32(0x1A2B_3C4D));
    shb.extend_from_slice(&w16(1));
    shb.extend_from_slice(&w16(0));
    shb.extend_from_slice(&[0xff; 8]);
    let mut f = ng_block(big, 0x0A0D_0D0A, &shb);
    let mut idb = Vec::new();
    idb.extend_from_slice(&w16(1));
    idb.extend_from_slice(&w16(0));
    idb.extend_from_slice(&w32(0));
    idb.extend_from_slice(&w16(2)); // if_name, to check options are skipped
    idb.extend_from_slice(&w16(2));
    idb.extend_from_slice(b"lo\0\0");
    idb.extend_from_slice(&w16(9));
    idb.extend_from_slice(&w16(1));
    idb.extend_from_slice(&[tsresol, 0, 0, 0]);
    idb.extend_from_slice(&[0, 0, 0, 0]);
    f.extend(ng_block(big, 1, &idb));
    f.extend(ng_block(big, 5, &[0; 8])); // an ISB-like block to skip
    for (i, (s, us, d)) in recs.iter().enumerate() {
        if i == 0 && spb_first {
            let mut b = w32(d.len() as u32).to_vec();
            b.extend_from_slice(d);
            f.extend(ng_block(big, 3, &b));
            continue;
        }
        let ticks: u64 =
            match tsresol {
                9 => u64::from(*s) * 1_000_000_000 + u64::from(*us) * 1000 + 999,
                0x94 => ((u128::from(*s) * 1_000_000 + u128::from(*us)) * 1_048_576)
                    .div_ceil(1_000_000) as u64,
                _ => u64::from(*s) * 1_000_000 + u64::from(*us),
            };
        let mut b = Vec::new();
        b.extend_from_slice(&w32(0));
        b.extend_from_slice(&w32((ticks >> 32) as u32));
        b.extend_from_slice(&w32(ticks as u32));
        b.extend_from_slice(&w32(d.len() as u32));
        b.extend_from_slice(&w32(d.len() as u32));
        b.extend_from_slice(d);
        f.extend(ng_block(big, 6, &b));
    }
    f
}

#[test]
fn converted_variants_of_a_real_capture() {
    prior_testkit::require_tool!("tcpdump");
    let live = capture(&["-i", "lo"]);
    let recs = pcap_records(&live.file);
    let (orig, expected) = analyze_bytes(&live, &live.file);
    assert_eq!(recs.len(), orig.packets.len());
    check_records(&live, &expected);

    // Same packets, other byte order / precision / link types (IP part of the Ethernet frames).
    let ip_only: Vec<_> = recs
        .iter()
        .map(|(s, u, d)| (*s, *u, d[14..].to_vec()))
        .collect();
    let null_le: Vec<_> = ip_only
        .iter()
        .map(|(s, u, d)| (*s, *u, [&2u32.to_le_bytes()[..], d].concat()))
        .collect();
    let loop_be: Vec<_> = ip_only
        .iter()
        .map(|(s, u, d)| (*s, *u, [&2u32.to_be_bytes()[..], d].concat()))
        .collect();
    let sll: Vec<_> = ip_only
        .iter()
        .map(|(s, u, d)| {
            // packet type 0, ARPHRD_LOOPBACK (772), address length 6, address, protocol IPv4.
            let h = [0, 0, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00];
            (*s, *u, [&h[..], d].concat())
        })
        .collect();
    let sll2: Vec<_> = ip_only
        .iter()
        .map(|(s, u, d)| {
            let h = [
                0x08, 0x00, 0, 0, 0, 0, 0, 1, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0,
            ];
            (*s, *u, [&h[..], d].concat())
        })
        .collect();
    let variants = [
        ("pcap sll 113", write_pcap(false, false, 113, &sll)),
        ("pcap sll2 276", write_pcap(false, false, 276, &sll2)),
        ("pcap BE us ethernet", write_pcap(true, false, 1, &recs)),
        ("pcap BE ns ethernet", write_pcap(true, true, 1, &recs)),
        ("pcap raw 101", write_pcap(false, false, 101, &ip_only)),
        ("pcap raw ipv4 228", write_pcap(false, false, 228, &ip_only)),
        ("pcap null LE 0", write_pcap(false, false, 0, &null_le)),
        ("pcap null BE 0", write_pcap(true, false, 0, &loop_be)),
        ("pcap loop 108", write_pcap(false, false, 108, &loop_be)),
        ("pcapng LE ns", write_pcapng(false, 9, &recs, false)),
        ("pcapng BE us default", write_pcapng(true, 6, &recs, false)),
        (
            "pcapng LE 2^-20",
            write_pcapng(false, 0x80 | 20, &recs, false),
        ),
    ];
    for (name, bytes) in &variants {
        let (cap, got) = analyze_bytes(&live, bytes);
        assert!(cap.error.is_none(), "{name}: {:?}", cap.error);
        assert_eq!(cap.packets.len(), recs.len(), "{name}");
        assert_eq!(got, expected, "{name}");
    }
    // SPB first packet: no timestamp (0), data kept.
    let spb = write_pcapng(false, 6, &recs, true);
    let cap = read_capture(&spb[..]).unwrap();
    assert!(cap.error.is_none());
    assert_eq!(cap.packets[0].time_us, 0);
    assert_eq!(cap.packets[0].data, recs[0].2);
    assert_eq!(cap.packets[1..], orig.packets[1..]);
}

// ---------- truncated and corrupt ----------

#[test]
fn truncated_and_corrupt_real_capture() {
    prior_testkit::require_tool!("tcpdump");
    let live = capture(&["-i", "lo"]);
    let recs = pcap_records(&live.file);
    let n = recs.len();
    let last_start = live.file.len() - 16 - recs[n - 1].2.len();

    // Cut inside the last packet's data: earlier packets kept, error names the record.
    let cut = &live.file[..live.file.len() - 3];
    let cap = read_capture(cut).unwrap();
    assert_eq!(cap.packets.len(), n - 1);
    match &cap.error {
        Some(e @ NetError::Truncated { offset, .. }) => {
            assert_eq!(*offset, last_start as u64);
            assert!(
                e.to_string().contains(&format!("byte offset {last_start}")),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Cut inside the last record header.
    let cap = read_capture(&live.file[..last_start + 7]).unwrap();
    assert_eq!(cap.packets.len(), n - 1);
    assert!(
        matches!(cap.error, Some(NetError::Truncated { offset, needed: 16, found: 7, .. }) if offset == last_start as u64)
    );

    // Corrupt length of the second record.
    let second = 24 + 16 + recs[0].2.len();
    let mut bad = live.file.clone();
    bad[second + 8..second + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let cap = read_capture(&bad[..]).unwrap();
    assert_eq!(cap.packets.len(), 1);
    assert!(matches!(cap.error, Some(NetError::Corrupt { offset, .. }) if offset == second as u64));

    // Truncated pcapng: last block cut.
    let ng = write_pcapng(false, 9, &recs, false);
    let cap = read_capture(&ng[..ng.len() - 5]).unwrap();
    assert_eq!(cap.packets.len(), n - 1);
    let last_block = ng.len() - (32 + recs[n - 1].2.len().div_ceil(4) * 4);
    assert!(
        matches!(cap.error, Some(NetError::Truncated { offset, .. }) if offset == last_block as u64),
        "{:?}",
        cap.error
    );
    // pcapng block with mismatched trailing length.
    let mut bad = ng.clone();
    let l = bad.len();
    bad[l - 1] ^= 0x40;
    let cap = read_capture(&bad[..]).unwrap();
    assert_eq!(cap.packets.len(), n - 1);
    assert!(matches!(cap.error, Some(NetError::Corrupt { .. })));
}

#[test]
fn header_errors() {
    assert!(matches!(
        read_capture(&b""[..]),
        Err(NetError::Truncated { offset: 0, .. })
    ));
    assert!(matches!(
        read_capture(&b"\xd4\xc3\xb2\xa1\x02\x00"[..]),
        Err(NetError::Truncated {
            offset: 0,
            needed: 24,
            ..
        })
    ));
    let e = read_capture(&b"GIF89a-not-a-capture"[..]).unwrap_err();
    assert!(matches!(e, NetError::UnknownFormat { .. }));
    assert!(e.to_string().contains("not a pcap or pcapng file"), "{e}");
    // pcapng SHB with a bad byte-order magic.
    let mut shb = ng_block(false, 0x0A0D_0D0A, &[0u8; 16]);
    shb[8..12].copy_from_slice(&[1, 2, 3, 4]);
    assert!(matches!(
        read_capture(&shb[..]),
        Err(NetError::Corrupt { offset: 8, .. })
    ));
    // EPB for an undeclared interface.
    let mut f = write_pcapng(false, 6, &[], false);
    let mut epb = vec![0u8; 20];
    epb[0] = 3;
    f.extend(ng_block(false, 6, &epb));
    let cap = read_capture(&f[..]).unwrap();
    assert!(cap.packets.is_empty());
    assert!(
        cap.error
            .unwrap()
            .to_string()
            .contains("undeclared interface 3")
    );
}

// ---------- parser edge cases ----------

fn udp_packet(payload: &[u8], sport: u16, dport: u16) -> Packet {
    let mut ip = vec![
        0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
    ];
    let total = (20 + 8 + payload.len()) as u16;
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&sport.to_be_bytes());
    ip.extend_from_slice(&dport.to_be_bytes());
    ip.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    ip.extend_from_slice(&[0, 0]);
    ip.extend_from_slice(payload);
    Packet {
        index: 0,
        time_us: 1,
        link: LinkType::Ipv4,
        data: ip,
        orig_len: 0,
    }
}

#[test]
fn dns_compression_loops_and_forward_pointers_are_rejected() {
    let mut q = dns_query(1, "a.b");
    // Make the question name a pointer to itself (offset 12).
    q.truncate(12);
    q.extend_from_slice(&[0xC0, 12, 0, 1, 0, 1]);
    assert!(crate::extract_records(&[udp_packet(&q, 4000, 53)]).is_empty());
    // Forward pointer.
    let mut q2 = dns_query(1, "a.b");
    q2.truncate(12);
    q2.extend_from_slice(&[0xC0, 20, 0, 1, 0, 1, 1, b'x', 0]);
    assert!(crate::extract_records(&[udp_packet(&q2, 4000, 53)]).is_empty());
    // A valid query on port 53 with an odd byte in a label is escaped.
    let mut q3 = dns_query(1, "ab.c");
    q3[14] = 0x07;
    let r = crate::extract_records(&[udp_packet(&q3, 4000, 53)]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].host, "a\\007.c");
}

proptest::proptest! {
    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
        for prefix in [&[][..], &[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0][..], &[0x0a, 0x0d, 0x0d, 0x0a][..]] {
            let bytes = [prefix, &data].concat();
            if let Ok(cap) = read_capture(&bytes[..]) {
                let _ = crate::extract_records(&cap.packets);
            }
        }
    }

    #[test]
    fn random_payloads_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600), link in 0u32..300) {
        let p = Packet { index: 0, time_us: 0, link: LinkType::from_code(link), data: data.clone(), orig_len: 0 };
        let _ = crate::extract_records(&[p, udp_packet(&data, 53, 53)]);
        let _ = crate::extract::tls_sni_for_test(&data);
        let _ = crate::extract::http_host_for_test(&data);
    }
}

// ---------- committed fixtures (made by `regenerate_fixtures`) ----------

fn fixture_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/net")
}

/// Writes tests/data/net/loopback.pcap (tcpdump), loopback.pcapng (converted
/// from it by `write_pcapng`) and loopback.meta. Run with
/// `cargo test -p prior-net -- --ignored regenerate_fixtures`.
#[test]
#[ignore]
fn regenerate_fixtures() {
    assert!(
        prior_testkit::find_on_path("tcpdump").is_some(),
        "needs tcpdump"
    );
    let live = capture(&["-i", "lo"]);
    let (_, recs) = analyze_bytes(&live, &live.file);
    check_records(&live, &recs);
    let dir = fixture_dir();
    std::fs::write(dir.join("loopback.pcap"), &live.file).unwrap();
    std::fs::write(
        dir.join("loopback.pcapng"),
        write_pcapng(false, 9, &pcap_records(&live.file), false),
    )
    .unwrap();
    std::fs::write(
        dir.join("loopback.meta"),
        format!(
            "{} {} {} {} {}\n",
            live.dns_port, live.tls_port, live.http_port, live.t0, live.t1
        ),
    )
    .unwrap();
}

fn fixture_live(file: &str) -> Live {
    let dir = fixture_dir();
    let meta = std::fs::read_to_string(dir.join("loopback.meta")).unwrap();
    let n: Vec<i64> = meta
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    Live {
        ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        file: std::fs::read(dir.join(file)).unwrap(),
        dns_port: n[0] as u16,
        tls_port: n[1] as u16,
        http_port: n[2] as u16,
        t0: n[3],
        t1: n[4],
    }
}

#[test]
fn committed_fixtures() {
    let pcap = fixture_live("loopback.pcap");
    let (cap, recs) = analyze_bytes(&pcap, &pcap.file);
    assert!(cap.error.is_none());
    check_records(&pcap, &recs);
    let ng = fixture_live("loopback.pcapng");
    let (cap_ng, recs_ng) = analyze_bytes(&ng, &ng.file);
    assert_eq!(cap_ng.format, CaptureFormat::PcapNg);
    assert!(cap_ng.error.is_none());
    assert_eq!(recs_ng, recs);
    // The streaming file API gives the same records.
    let opts = opts(&pcap);
    for f in ["loopback.pcap", "loopback.pcapng"] {
        let a = crate::analyze_file(&fixture_dir().join(f), &opts).unwrap();
        assert_eq!(a.records, recs, "{f}");
        assert_eq!(a.packets, cap.packets.len());
        assert!(a.error.is_none());
    }
    // Truncating the file anywhere never panics and never invents records.
    for cut in 0..pcap.file.len() {
        match read_capture(&pcap.file[..cut]) {
            Ok(c) => {
                let got = extract_records_with(&c.packets, &opts);
                assert!(got.len() <= recs.len());
                assert_eq!(got[..], recs[..got.len()]);
                // Without an error, the cut fell exactly on a record boundary;
                // with one, the error names the first byte not read as a packet.
                let used: usize = 24 + c.packets.iter().map(|p| 16 + p.data.len()).sum::<usize>();
                match &c.error {
                    None => assert_eq!(used, cut, "cut {cut}"),
                    Some(e) => assert_eq!(e.offset(), Some(used as u64), "cut {cut}: {e}"),
                }
            }
            Err(e) => assert!(cut < 24, "cut {cut}: {e}"),
        }
    }
    // pcapng truncated anywhere: no panic, records are a prefix.
    for cut in 0..ng.file.len() {
        if let Ok(c) = read_capture(&ng.file[..cut]) {
            let got = extract_records_with(&c.packets, &opts);
            assert_eq!(got[..], recs[..got.len()], "pcapng cut {cut}");
        }
    }
    // Two sections of different byte order in one file: both read.
    let be = write_pcapng(true, 6, &pcap_records(&pcap.file), false);
    let two = [&ng.file[..], &be[..]].concat();
    let c = read_capture(&two[..]).unwrap();
    assert!(c.error.is_none(), "{:?}", c.error);
    assert_eq!(c.packets.len(), 2 * cap.packets.len());
    let got = extract_records_with(&c.packets, &opts);
    assert_eq!(got.len(), 2 * recs.len());
    assert_eq!(
        got[recs.len()].packet_index,
        recs[0].packet_index + cap.packets.len()
    );
    assert_eq!(got[recs.len()].host, recs[0].host);
    let missing = crate::analyze_file(&fixture_dir().join("no-such.pcap"), &opts).unwrap_err();
    assert!(missing.to_string().contains("no-such.pcap"), "{missing}");
}

proptest::proptest! {
    #[test]
    fn mutated_fixtures_never_panic(
        flips in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 1..8),
        ng in proptest::prelude::any::<bool>(),
    ) {
        let live = fixture_live(if ng { "loopback.pcapng" } else { "loopback.pcap" });
        let mut bytes = live.file.clone();
        for (at, v) in flips {
            let i = at % bytes.len();
            bytes[i] = v;
        }
        if let Ok(c) = read_capture(&bytes[..]) {
            let _ = extract_records_with(&c.packets, &opts(&live));
            if let Some(off) = c.error.as_ref().and_then(NetError::offset) {
                proptest::prop_assert!(off <= bytes.len() as u64);
            }
        }
    }
}

// ---------- hand-built segments (not captures) ----------

fn tcp_packet(payload: &[u8], sport: u16, dport: u16) -> Packet {
    let mut ip = vec![
        0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 2, 15, 93, 184, 216, 34,
    ];
    let total = (20 + 20 + payload.len()) as u16;
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&sport.to_be_bytes());
    ip.extend_from_slice(&dport.to_be_bytes());
    ip.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    ip.extend_from_slice(payload);
    // Ethernet frame with an 802.1Q tag and trailing padding.
    let mut eth = vec![0u8; 12];
    eth.extend_from_slice(&[0x81, 0x00, 0x00, 0x05, 0x08, 0x00]);
    eth.extend_from_slice(&ip);
    eth.extend_from_slice(&[0xEE; 6]);
    Packet {
        index: 9,
        time_us: 42,
        link: LinkType::Ethernet,
        data: eth,
        orig_len: 0,
    }
}

#[test]
fn dns_over_tcp_vlan_and_padding() {
    let q = dns_query(7, "cdn.example.com");
    let mut framed = (q.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&q);
    let r = crate::extract_records(&[tcp_packet(&framed, 40000, 53)]);
    assert_eq!(r.len(), 1);
    assert_eq!(
        (
            r[0].kind,
            r[0].host.as_str(),
            r[0].packet_index,
            r[0].time_us
        ),
        (NetKind::DnsQuery, "cdn.example.com", 9, 42)
    );
    assert_eq!(r[0].dst.to_string(), "93.184.216.34:53");
    let a = dns_answer(&q);
    let mut framed = (a.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&a);
    let r = crate::extract_records(&[tcp_packet(&framed, 53, 40000)]);
    assert_eq!(r[0].kind, NetKind::DnsAnswer);
    assert_eq!(r[0].addrs.len(), 2);
    // Only half of the message in this segment: nothing (no reassembly).
    let r = crate::extract_records(&[tcp_packet(&framed[..framed.len() / 2], 53, 40000)]);
    assert!(r.is_empty());
}

#[test]
fn tls_and_http_edge_cases() {
    let hello = client_hello("ads.example.io");
    // SNI on a non-443 port, and in a ClientHello cut after the SNI extension.
    let r = crate::extract_records(&[tcp_packet(&hello, 50000, 8443)]);
    assert_eq!(r[0].host, "ads.example.io");
    assert_eq!(r[0].kind, NetKind::TlsSni);
    let cut = hello.len() - 2;
    assert!(crate::extract_records(&[tcp_packet(&hello[..cut], 50000, 443)]).is_empty());
    // Not a ClientHello (ServerHello type 2).
    let mut sh = hello.clone();
    sh[5] = 2;
    assert!(crate::extract_records(&[tcp_packet(&sh, 443, 50000)]).is_empty());
    // HTTP: IPv6 literal host, no Host header, HTTP/2 preface, header after body ignored.
    let get = |req: &[u8]| crate::extract_records(&[tcp_packet(req, 50000, 80)]);
    assert_eq!(
        get(b"POST /a HTTP/1.1\r\nhost: [2001:DB8::1]:8080\r\n\r\n")[0].host,
        "2001:db8::1"
    );
    assert!(get(b"GET / HTTP/1.1\r\nAccept: */*\r\n\r\nHost: x\r\n").is_empty());
    assert!(get(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").is_empty());
    assert!(get(b"GET / HTTP/1.1\r\nHost: \x01bad\r\n\r\n").is_empty());
    assert_eq!(
        get(b"GET / HTTP/1.0\nHost:plain.example\n\n")[0].host,
        "plain.example"
    );
}

#[test]
fn link_type_codes_round_trip_and_only_decoded_types_are_supported() {
    use crate::LinkType;
    for code in [0u32, 1, 101, 108, 113, 228, 229, 276] {
        let l = LinkType::from_code(code);
        assert_eq!(l.code(), code);
        assert!(l.is_supported(), "{code}");
    }
    for code in [12u32, 14, 65535] {
        let l = LinkType::from_code(code);
        assert_eq!(l, LinkType::Other(code));
        assert_eq!(l.code(), code);
        assert!(!l.is_supported(), "{code}");
    }
}
