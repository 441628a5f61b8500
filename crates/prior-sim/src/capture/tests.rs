//! Tests of the capture writer: its bytes (header, checksums), and captures of the demo models
//! read back with `prior-net` (an independent reader) and with Debian's `tcpdump`.

use super::*;
use crate::DeviceHandler;
use crate::device::clock::ClockMode;
use crate::device::{SimConfig, SimDevice};
use prior_net::{LinkType, NetKind, Transport};
use std::net::{IpAddr, SocketAddr};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// 2026-11-28 19:30:00 UTC.
const T0: i64 = 1_795_894_200_000_000;
const LEAKY: &str = "com.prior.demo.leakyshop";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn device(clock: ClockMode) -> Arc<SimDevice> {
    SimDevice::new(SimConfig {
        clock,
        model_dirs: vec![repo().join("scenarios/demo/models")],
        ..SimConfig::default()
    })
    .unwrap()
}

fn install(d: &SimDevice, name: &str) {
    let apk = std::fs::read(repo().join(format!("scenarios/demo/apps/{name}.apk"))).unwrap();
    assert_eq!(d.install(&["-r".into()], &apk), "Success");
}

fn rec(host: &str, port: u16, protocol: &str) -> NetRecord {
    NetRecord {
        time_us: T0,
        pid: 4000,
        uid: 10150,
        package: LEAKY.into(),
        host: host.into(),
        port,
        protocol: protocol.into(),
    }
}

/// The one's-complement sum of `parts` folded to 16 bits (0xffff when a checksum verifies).
fn ones_sum(parts: &[&[u8]]) -> u16 {
    !checksum(parts)
}

#[test]
fn header_is_classic_pcap_ethernet_microseconds_little_endian() {
    let h = pcap_header();
    assert_eq!(&h[0..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
    assert_eq!(&h[4..8], &[2, 0, 4, 0]);
    assert_eq!(&h[8..16], &[0; 8]);
    assert_eq!(u32::from_le_bytes(h[16..20].try_into().unwrap()), 65_535);
    assert_eq!(u32::from_le_bytes(h[20..24].try_into().unwrap()), 1);
    let mut r = Vec::new();
    push_record(&mut r, 1_795_894_200_123_456, &[0xaa; 3]);
    assert_eq!(
        r,
        [
            &1_795_894_200u32.to_le_bytes()[..],
            &123_456u32.to_le_bytes(),
            &3u32.to_le_bytes(),
            &3u32.to_le_bytes(),
            &[0xaa; 3]
        ]
        .concat()
    );
}

#[test]
fn every_ip_udp_and_tcp_checksum_verifies() {
    let frames = record_frames(&rec("ulogs.umeng.com", 443, "tls"), T0, 3);
    assert_eq!(
        frames.len(),
        6,
        "DNS query + answer, SYN, SYN-ACK, ACK, ClientHello"
    );
    for (_, f) in &frames {
        assert_eq!(&f[12..14], &[0x08, 0x00]);
        let ip = &f[14..34];
        assert_eq!(ones_sum(&[ip]), 0xffff, "IPv4 header checksum");
        let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
        assert_eq!(total, f.len() - 14);
        let l4 = &f[34..];
        let mut pseudo = [0u8; 12];
        pseudo[0..8].copy_from_slice(&ip[12..20]);
        pseudo[9] = ip[9];
        pseudo[10..12].copy_from_slice(&(l4.len() as u16).to_be_bytes());
        assert_eq!(ones_sum(&[&pseudo, l4]), 0xffff, "transport checksum");
    }
    // Worked example of RFC 1071's checksum (the IPv4 header from Wikipedia's article).
    let hdr = [
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00,
        0x01, 0xc0, 0xa8, 0x00, 0xc7,
    ];
    assert_eq!(checksum(&[&hdr]), 0xb861);
}

#[test]
fn host_addresses_are_stable_and_in_the_documentation_range() {
    let a = host_address("ulogs.umeng.com");
    assert_eq!(a, host_address("ULOGS.umeng.com"));
    assert_eq!(&a.octets()[..3], &[203, 0, 113]);
    assert!((1..=254).contains(&a.octets()[3]));
    let distinct: std::collections::BTreeSet<_> = (0..50)
        .map(|i| host_address(&format!("h{i}.example")))
        .collect();
    assert!(distinct.len() > 30, "{}", distinct.len());
}

fn analyze(path: &Path) -> prior_net::Analysis {
    prior_net::analyze_file(path, &prior_net::ExtractOptions::default()).unwrap()
}

/// The simulator's capture of Leaky Shop, read with prior-net: each of its two contacts
/// gives a DNS query, a DNS answer with the host's address and a TLS SNI, on the host clock.
#[test]
fn prior_net_reads_the_hosts_kinds_and_host_times_back() {
    // The device clock runs 90 s ahead of the host: packets must carry host times.
    let d = device(ClockMode::Real { offset_ms: 90_000 });
    assert_eq!(d.clock_offset_us(), 90_000_000);
    install(&d, "leaky-shop");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.pcap");
    d.start_capture(&path).unwrap();
    let host_before = prior_now_us();
    let out = d.run(&format!("am start -W -n {LEAKY}/.ui.SplashActivity"));
    assert_eq!(out.status, 0, "{}", out.text());
    let deadline = Instant::now() + Duration::from_secs(10);
    while d.network_records().len() < 2 {
        assert!(Instant::now() < deadline, "no contacts within 10 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let stats = d.stop_capture().unwrap();
    let host_after = prior_now_us();
    let recs = d.network_records();
    assert_eq!(stats.records, 2);
    assert_eq!(stats.packets, 12);
    assert_eq!(stats.bytes, std::fs::metadata(&path).unwrap().len());

    let cap = prior_net::read_capture_file(&path).unwrap();
    assert!(cap.error.is_none(), "{:?}", cap.error);
    assert_eq!(
        cap.format,
        prior_net::CaptureFormat::Pcap {
            nanos: false,
            big_endian: false
        }
    );
    assert!(cap.packets.iter().all(|p| p.link == LinkType::Ethernet));
    for p in &cap.packets {
        assert!(
            p.time_us >= host_before && p.time_us <= host_after + 30_000,
            "packet {} at {} is not on the host clock [{host_before}, {host_after}]",
            p.index,
            p.time_us
        );
    }

    let a = analyze(&path);
    assert!(a.error.is_none());
    let got: Vec<(NetKind, &str)> = a
        .records
        .iter()
        .map(|r| (r.kind, r.host.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (NetKind::DnsQuery, "ulogs.umeng.com"),
            (NetKind::DnsAnswer, "ulogs.umeng.com"),
            (NetKind::TlsSni, "ulogs.umeng.com"),
            (NetKind::DnsQuery, "alog.umeng.com"),
            (NetKind::DnsAnswer, "alog.umeng.com"),
            (NetKind::TlsSni, "alog.umeng.com"),
        ]
    );
    for (i, r) in recs.iter().enumerate() {
        let [q, ans, sni] = &a.records[i * 3..i * 3 + 3] else {
            unreachable!()
        };
        // device time − 90 s, exactly
        assert_eq!(q.time_us, r.time_us - 90_000_000);
        assert_eq!(ans.time_us, q.time_us + 900);
        assert_eq!(sni.time_us, q.time_us + 21_800);
        let server = IpAddr::V4(host_address(&r.host));
        assert_eq!(ans.addrs, [server]);
        assert_eq!(q.src.ip(), IpAddr::V4(GUEST_IP));
        assert_eq!(q.dst, SocketAddr::new(IpAddr::V4(RESOLVER_IP), 53));
        assert_eq!(ans.dst, q.src);
        assert_eq!(sni.dst, SocketAddr::new(server, 443));
        assert_ne!(sni.src.port(), q.src.port());
    }
}

fn prior_now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

/// A model with every protocol: `http` (Host with the port), `dns` (lookup only), an IPv4
/// literal (no lookup, no SNI) and an IPv6 literal (not written).
#[test]
fn http_dns_and_literal_hosts() {
    let d = device(ClockMode::Manual { start_us: T0 });
    install(&d, "crashy");
    d.add_model_yaml(
        "package: com.prior.demo.crashy\non_start:\n  \
         - contact: { host: Api.Example.org, port: 8080, protocol: http }\n  \
         - at: 10ms\n    contact: { host: only-dns.example, protocol: dns }\n  \
         - at: 20ms\n    contact: { host: 192.0.2.7, port: 443 }\n  \
         - at: 30ms\n    contact: { host: '::1', port: 443 }\n  \
         - at: 40ms\n    contact: { host: plain.example, port: 80, protocol: http }\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.pcap");
    d.start_capture(&path).unwrap();
    d.run("am start -W -n com.prior.demo.crashy/.MainActivity");
    d.clock().advance(Duration::from_secs(1));
    let stats = d.stop_capture().unwrap();
    assert_eq!(d.network_records().len(), 5);
    assert_eq!((stats.records, stats.skipped), (4, 1));

    let a = analyze(&path);
    let got: Vec<(NetKind, &str)> = a
        .records
        .iter()
        .map(|r| (r.kind, r.host.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (NetKind::DnsQuery, "api.example.org"),
            (NetKind::DnsAnswer, "api.example.org"),
            (NetKind::HttpHost, "api.example.org"),
            (NetKind::DnsQuery, "only-dns.example"),
            (NetKind::DnsAnswer, "only-dns.example"),
            (NetKind::DnsQuery, "plain.example"),
            (NetKind::DnsAnswer, "plain.example"),
            (NetKind::HttpHost, "plain.example"),
        ]
    );
    let http = &a.records[2];
    assert_eq!(http.dst.port(), 8080);
    // The literal got a handshake and a ClientHello, straight to its address, without SNI.
    let cap = prior_net::read_capture_file(&path).unwrap();
    let to_literal: Vec<_> = cap
        .packets
        .iter()
        .filter_map(prior_net::decode_packet)
        .filter(|s| s.dst.ip() == IpAddr::from([192, 0, 2, 7]))
        .collect();
    assert_eq!(to_literal.len(), 3, "SYN, ACK, ClientHello");
    assert!(to_literal.iter().all(|s| s.transport == Transport::Tcp));
    assert_eq!(to_literal[0].tcp_flags, 0x02);
    assert_eq!(to_literal[2].payload[0], 22, "a TLS handshake record");
    let text = String::from_utf8_lossy(&cap.packets.last().unwrap().data).into_owned();
    assert!(text.contains("\r\nHost: plain.example\r\n"), "{text}");
}

/// Start and stop at runtime: only records made while the capture runs are in the file, and
/// the file is complete after every record (a crash loses nothing written before it).
#[test]
fn capture_starts_and_stops_at_runtime_and_is_readable_while_running() {
    let d = device(ClockMode::Manual { start_us: T0 });
    install(&d, "leaky-shop");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.pcap");
    let relaunch = || {
        d.run(&format!("am force-stop {LEAKY}"));
        d.run(&format!("am start -W -n {LEAKY}/.ui.SplashActivity"));
        d.clock().advance(Duration::from_millis(500));
    };
    assert!(matches!(d.stop_capture(), Err(CaptureError::NotRunning)));
    // The first launch's two contacts happen before the capture starts.
    relaunch();
    assert_eq!(d.network_records().len(), 2);
    d.start_capture(&path).unwrap();
    assert!(matches!(
        d.start_capture(&dir.path().join("other.pcap")),
        Err(CaptureError::AlreadyRunning(p)) if p == path
    ));
    relaunch();
    let recs = d.network_records();
    assert_eq!(recs.len(), 4);
    // Still running: the file already holds the second launch's packets, whole.
    let running = d.capture_stats().unwrap();
    assert_eq!((running.records, running.packets), (2, 12));
    let a = analyze(&path);
    assert!(a.error.is_none(), "{:?}", a.error);
    assert_eq!(a.packets, 12);
    assert_eq!(
        a.records[0].time_us, recs[2].time_us,
        "the manual clock is the host clock"
    );
    assert_eq!(a.records[3].time_us, recs[3].time_us);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), running.bytes);
    let stats = d.stop_capture().unwrap();
    assert_eq!(stats, running);
    assert!(d.capture_stats().is_none());
    // After the stop nothing is written.
    relaunch();
    assert_eq!(d.network_records().len(), 6);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), stats.bytes);
    // A capture can be started again (it replaces the file).
    d.start_capture(&path).unwrap();
    assert_eq!(d.stop_capture().unwrap().bytes, 24);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 24);
}

#[test]
fn the_file_size_is_capped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.pcap");
    let mut c = Capture::create(&path, 0).unwrap();
    c.limit = 1000;
    for i in 0..5 {
        let mut r = rec("a.example", 443, "tls");
        r.time_us += i * 1000;
        c.record(&r);
    }
    let s = c.finish().unwrap();
    assert!(s.records >= 1 && s.dropped >= 1, "{s:?}");
    assert_eq!(s.records + s.dropped, 5);
    assert!(s.bytes <= 1000);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), s.bytes);
    assert!(matches!(
        Capture::create(&dir.path().join("no/such/dir.pcap"), 0),
        Err(CaptureError::Create { .. })
    ));
}

/// A third, independent reader: Debian's tcpdump decodes every packet, finds every checksum
/// correct and shows the DNS question, the answer and the TCP handshake.
#[test]
fn tcpdump_decodes_the_capture_with_correct_checksums() {
    prior_testkit::require_tool!("tcpdump");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.pcap");
    let mut c = Capture::create(&path, 0).unwrap();
    c.record(&rec("ulogs.umeng.com", 443, "tls"));
    let mut http = rec("plain.example", 80, "http");
    http.time_us += 1_000_000;
    c.record(&http);
    c.finish().unwrap();
    let out = Command::new("tcpdump")
        .args(["-r"])
        .arg(&path)
        .args(["-nn", "-vv", "-tt"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("link-type EN10MB (Ethernet)"), "{err}");
    assert!(
        !text.contains("bad cksum") && !text.contains("incorrect"),
        "{text}"
    );
    let addr = host_address("ulogs.umeng.com");
    for want in [
        "A? ulogs.umeng.com.".to_string(),
        format!("A {addr}"),
        "10.0.2.15.".to_string(),
        format!("> {addr}.443: Flags [S]"),
        format!("{addr}.443 > 10.0.2.15."),
        "Flags [S.]".to_string(),
        "Flags [P.]".to_string(),
        "1795894200.000000".to_string(),
        "1795894200.000900".to_string(),
        "(correct)".to_string(),
    ] {
        assert!(text.contains(&want), "{want:?} missing from:\n{text}");
    }
    assert_eq!(text.matches("[udp sum ok]").count(), 4, "{text}");
    assert_eq!(text.matches("(correct)").count(), 8, "{text}");
    // 12 packets, one per line group that starts with a timestamp.
    let packets = text.lines().filter(|l| l.starts_with("17958942")).count();
    assert_eq!(packets, 12, "{text}");
}
