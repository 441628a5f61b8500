//! Tests of the capture pass on captures built byte by byte here (classic pcap and pcapng,
//! Ethernet/IPv4, DNS, TLS ClientHello, HTTP) inside small sealed bundles.

use super::*;
use crate::report::SourceStatus;
use crate::tests::{analyze3 as analyze, sdks};
use crate::{Catalog, Profile, Report, Verdict};
use prior_model::bundle::{AppInfo, BundleWriter, DeviceInfo, HarnessRecord, Meta, RecordingState};
use prior_model::{ConsentOutcome, Phase};
use std::io::Write;
use std::path::PathBuf;

/// 2026-11-28 19:30:00 UTC on the device clock.
const T0: i64 = 1_795_894_200_000_000;
/// Device clock minus host clock in these bundles: the device runs 5 s ahead.
const OFFSET: i64 = 5_000_000;
const GUEST: [u8; 4] = [10, 0, 2, 15];
const RESOLVER: [u8; 4] = [10, 0, 2, 3];

// ---- a tiny capture builder ---------------------------------------------------------------

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, l4: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00];
    let total = (20 + l4.len()) as u16;
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&total.to_be_bytes());
    f.extend_from_slice(&[0, 1, 0x40, 0, 64, proto, 0, 0]);
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    f.extend_from_slice(l4);
    f
}

fn udp(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = Vec::new();
    u.extend_from_slice(&sport.to_be_bytes());
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    ipv4(src, dst, 17, &u)
}

fn tcp(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(&sport.to_be_bytes());
    t.extend_from_slice(&dport.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    t.extend_from_slice(payload);
    ipv4(src, dst, 6, &t)
}

fn qname(name: &str) -> Vec<u8> {
    let mut q = Vec::new();
    for l in name.split('.') {
        q.push(l.len() as u8);
        q.extend_from_slice(l.as_bytes());
    }
    q.push(0);
    q
}

fn dns_query(name: &str) -> Vec<u8> {
    udp(
        GUEST,
        40000,
        RESOLVER,
        53,
        &[
            &[0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0][..],
            &qname(name),
            &[0, 1, 0, 1],
        ]
        .concat(),
    )
}

fn dns_answer(name: &str, addr: [u8; 4]) -> Vec<u8> {
    let msg = [
        &[0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0][..],
        &qname(name),
        &[0, 1, 0, 1, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4],
        &addr,
    ]
    .concat();
    udp(RESOLVER, 53, GUEST, 40000, &msg)
}

fn client_hello(sni: &str, server: [u8; 4]) -> Vec<u8> {
    let n = sni.as_bytes();
    let mut ext = vec![0, 0];
    ext.extend_from_slice(&((n.len() + 5) as u16).to_be_bytes());
    ext.extend_from_slice(&((n.len() + 3) as u16).to_be_bytes());
    ext.push(0);
    ext.extend_from_slice(&(n.len() as u16).to_be_bytes());
    ext.extend_from_slice(n);
    let mut body = vec![3, 3];
    body.extend_from_slice(&[7; 32]);
    body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    let mut hs = vec![1, 0];
    hs.extend_from_slice(&(body.len() as u16).to_be_bytes());
    hs.extend_from_slice(&body);
    let mut rec = vec![22, 3, 1];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    tcp(GUEST, 40001, server, 443, &rec)
}

fn http_get(host: &str, server: [u8; 4]) -> Vec<u8> {
    let req = format!("GET /report HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n");
    tcp(GUEST, 40002, server, 80, req.as_bytes())
}

/// A classic pcap (µs, little-endian, Ethernet) of `(capture time, frame)`.
fn pcap(packets: &[(i64, Vec<u8>)]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
    b.extend_from_slice(&[2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    b.extend_from_slice(&65_535u32.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    for (t, f) in packets {
        b.extend_from_slice(&((t / 1_000_000) as u32).to_le_bytes());
        b.extend_from_slice(&((t % 1_000_000) as u32).to_le_bytes());
        b.extend_from_slice(&(f.len() as u32).to_le_bytes());
        b.extend_from_slice(&(f.len() as u32).to_le_bytes());
        b.extend_from_slice(f);
    }
    b
}

/// The same packets as little-endian pcapng: SHB, IDB (Ethernet, µs), one EPB each.
fn pcapng(packets: &[(i64, Vec<u8>)]) -> Vec<u8> {
    let block = |ty: u32, body: &[u8]| {
        let total = (12 + body.len()) as u32;
        [
            &ty.to_le_bytes()[..],
            &total.to_le_bytes(),
            body,
            &total.to_le_bytes(),
        ]
        .concat()
    };
    let mut b = block(
        0x0A0D_0D0A,
        &[
            &0x1A2B_3C4D_u32.to_le_bytes()[..],
            &[1, 0, 0, 0],
            &[0xff; 8],
        ]
        .concat(),
    );
    b.extend(block(1, &[1, 0, 0, 0, 0, 0, 0, 0]));
    for (t, f) in packets {
        let mut body = Vec::new();
        body.extend_from_slice(&0u32.to_le_bytes());
        body.extend_from_slice(&((*t as u64 >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(*t as u64 as u32).to_le_bytes());
        body.extend_from_slice(&(f.len() as u32).to_le_bytes());
        body.extend_from_slice(&(f.len() as u32).to_le_bytes());
        body.extend_from_slice(f);
        while body.len() % 4 != 0 {
            body.push(0);
        }
        b.extend(block(6, &body));
    }
    b
}

// ---- bundles ------------------------------------------------------------------------------

struct Mini {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

fn logline(off_ms: i64, uid: &str, pid: u32, tag: &str, msg: &str) -> String {
    let t = T0 + off_ms * 1000;
    format!(
        "{:>19}.{:06} {uid:>5} {pid:>5} {pid:>5} I {tag:<8}: {msg}\n",
        t / 1_000_000,
        t % 1_000_000
    )
}

/// A sealed bundle for `com.example.mini` (uid 10050, started at +0 ms) with `capture` as
/// `raw/net.pcap`; `consent` adds a tap whose markers bracket +400..+410 ms.
fn bundle(capture: Option<&[u8]>, consent: bool, clock_offset_us: Option<i64>) -> Mini {
    bundle_launched(capture, consent, clock_offset_us, None, false)
}

/// [`bundle`] with a harness `launch` record at `launch_ms` after T0.
fn bundle_launched(
    capture: Option<&[u8]>,
    consent: bool,
    clock_offset_us: Option<i64>,
    launch_ms: Option<i64>,
    reject: bool,
) -> Mini {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let meta = Meta::new(
        "0.1.0",
        T0 - OFFSET,
        AppInfo {
            package: "com.example.mini".into(),
            uid: Some(10050),
            ..AppInfo::default()
        },
        DeviceInfo {
            serial: "emulator-5554".into(),
            clock_offset_us,
            emulator: true,
            ..DeviceInfo::default()
        },
    );
    let mut w = BundleWriter::create(&dir, meta).unwrap();
    if let Some(ms) = launch_ms {
        w.record(
            T0,
            HarnessRecord::Launch {
                device_us: Some(T0 + ms * 1000),
                component: "com.example.mini/.Main".into(),
            },
        )
        .unwrap();
    }
    let mut logcat = logline(
        0,
        "1000",
        1234,
        "am_proc_start",
        "[0,4242,10050,com.example.mini,activity,{com.example.mini/.Main}]",
    );
    if consent {
        w.record(
            T0,
            HarnessRecord::ConsentTap {
                action: if reject {
                    prior_model::bundle::ConsentAction::Reject
                } else {
                    prior_model::bundle::ConsentAction::Accept
                },
                begin_marker: "prior:consent:begin".into(),
                end_marker: "prior:consent:end".into(),
                x: 1,
                y: 2,
            },
        )
        .unwrap();
        logcat.push_str(&logline(400, "shell", 7000, "prior", "prior:consent:begin"));
        logcat.push_str(&logline(410, "shell", 7000, "prior", "prior:consent:end"));
    }
    logcat.push_str(&logline(2000, "1000", 1234, "ActivityManager", "idle"));
    w.append_raw("raw/logcat.txt")
        .unwrap()
        .write_all(logcat.as_bytes())
        .unwrap();
    if let Some(c) = capture {
        w.write_raw(NET_FILE, c).unwrap();
    }
    w.finish(T0, RecordingState::Complete, None).unwrap();
    Mini { _tmp: tmp, dir }
}

fn analyse(m: &Mini, profile: &str) -> Report {
    let b = Bundle::open(&m.dir).unwrap();
    assert!(b.integrity.is_intact(), "{:?}", b.integrity);
    // These bundles hold only logcat and the capture: the other collectors' absence is not
    // what these tests are about (crate::tests covers it).
    let mut profile = Profile::builtin(profile).unwrap();
    profile.required_sources = vec![Source::Logcat];
    analyze(&b, &Catalog::builtin().unwrap(), &profile).unwrap()
}

/// Capture time of a packet meant to be at `ms` after T0 on the device clock.
fn at(ms: i64) -> i64 {
    T0 - OFFSET + ms * 1000
}

const UMENG: [u8; 4] = [203, 0, 113, 9];

/// Umeng's host before consent (query, answer, SNI), a non-tracker host before consent, a
/// Bugly host over plain HTTP before consent, and Umeng's other host after consent.
fn session() -> Vec<(i64, Vec<u8>)> {
    vec![
        (at(100), dns_query("ulogs.umeng.com")),
        (at(101), dns_answer("ulogs.umeng.com", UMENG)),
        (at(120), client_hello("ulogs.umeng.com", UMENG)),
        (at(130), dns_query("cdn.example.org")),
        (
            at(300),
            http_get("CrashReport.Bugly.QQ.com:8080", [203, 0, 113, 10]),
        ),
        (at(500), client_hello("alog.umeng.com", UMENG)),
    ]
}

fn net_source(r: &Report) -> &crate::report::SourceCheck {
    r.checked
        .sources
        .iter()
        .find(|s| s.source == Source::Net)
        .unwrap()
}

#[test]
fn tracker_hosts_before_consent_give_one_finding_each_on_the_device_clock() {
    let m = bundle(Some(&pcap(&session())), true, Some(OFFSET));
    let r = analyse(&m, "cn-miit");
    assert_eq!(r.consent.outcome, ConsentOutcome::Accepted);
    let net: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "tracker-contact-before-consent")
        .collect();
    let hosts: Vec<_> = net
        .iter()
        .map(|f| f.api.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(
        hosts,
        ["host:ulogs.umeng.com", "host:crashreport.bugly.qq.com"],
        "alog (after consent) and cdn.example.org (no tracker) give none"
    );
    let umeng = net[0];
    assert_eq!(umeng.source, Source::Net);
    assert_eq!(umeng.phase, Phase::BeforeConsent);
    assert_eq!(umeng.severity.as_str(), "high");
    // capture time + clock offset = the device time the packet was meant for
    assert_eq!(umeng.timing, Timing::instant(T0 + 100_000));
    assert_eq!(umeng.events, 3);
    let actor = umeng.actor.as_ref().unwrap();
    assert_eq!((actor.kind, actor.name.as_str()), (ActorKind::Sdk, "Umeng"));
    assert!(
        actor
            .reason
            .as_deref()
            .unwrap()
            .starts_with("host ulogs.umeng.com")
    );
    assert!(actor.reason.as_deref().unwrap().contains("device-wide"));
    assert!(umeng.message.contains("device-wide"), "{}", umeng.message);
    assert!(
        umeng.message.contains("ulogs.umeng.com, a host of Umeng"),
        "{}",
        umeng.message
    );
    let lines: Vec<u64> = umeng.evidence.iter().map(|e| e.line).collect();
    assert_eq!(lines, [1, 2, 3]);
    assert!(umeng.evidence.iter().all(|e| e.file == "raw/net.pcap"));
    let q = 24 + 16 + dns_query("ulogs.umeng.com").len() as u64;
    assert_eq!(
        umeng.evidence[0].text,
        "byte offset 24: dns-query ulogs.umeng.com 10.0.2.15:40000 → 10.0.2.3:53"
    );
    assert_eq!(
        umeng.evidence[1].text,
        format!(
            "byte offset {q}: dns-answer ulogs.umeng.com = 203.0.113.9 10.0.2.3:53 → 10.0.2.15:40000"
        )
    );
    assert!(umeng.evidence[2].text.starts_with("byte offset "));
    assert!(
        umeng.evidence[2]
            .text
            .contains(": tls-sni ulogs.umeng.com 10.0.2.15:40001 → 203.0.113.9:443")
    );

    let bugly = net[1];
    assert_eq!(bugly.actor.as_ref().unwrap().name, "Tencent Bugly");
    assert_eq!(bugly.timing, Timing::instant(T0 + 300_000));
    assert!(
        bugly.evidence[0]
            .text
            .contains("http-host crashreport.bugly.qq.com")
    );

    // Every host is a timeline event, trackers or not, after consent too.
    let net_events: Vec<_> = r
        .timeline
        .iter()
        .filter(|t| t.event.source == Source::Net)
        .map(|t| (t.event.api.clone().unwrap(), t.phase))
        .collect();
    assert_eq!(net_events.len(), 6);
    assert!(net_events.contains(&("host:cdn.example.org".into(), Phase::BeforeConsent)));
    assert!(net_events.contains(&("host:alog.umeng.com".into(), Phase::AfterConsent)));

    let src = net_source(&r);
    assert_eq!(src.status, SourceStatus::Analysed);
    assert_eq!(src.files, ["raw/net.pcap"]);
    assert_eq!((src.items, src.events), (6, 5));
    let note = src.note.as_deref().unwrap();
    assert!(note.contains("+5000000 µs"), "{note}");
    assert!(note.contains("device-wide"), "{note}");
    assert!(r.incomplete.is_empty(), "{:?}", r.incomplete);
    assert_eq!(r.verdict, Verdict::Fail);
}

#[test]
fn without_an_answer_every_tracker_contact_counts_and_gdpr_rates_it() {
    let m = bundle(Some(&pcap(&session())), false, Some(OFFSET));
    let r = analyse(&m, "gdpr");
    let hosts: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "tracker-contact-before-consent")
        .map(|f| (f.api.as_ref().unwrap().to_string(), f.severity.as_str()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("host:ulogs.umeng.com".to_string(), "high"),
            ("host:crashreport.bugly.qq.com".to_string(), "high"),
            ("host:alog.umeng.com".to_string(), "high"),
        ]
    );
    assert!(
        r.findings[0]
            .message
            .contains("with no consent given at all")
    );
}

#[test]
fn a_missing_capture_is_not_captured_and_a_missing_offset_is_noted() {
    let m = bundle(None, true, Some(OFFSET));
    let r = analyse(&m, "cn-miit");
    let src = net_source(&r);
    assert_eq!(src.status, SourceStatus::Unavailable);
    assert_eq!(src.reason, Some(crate::report::CoverageReason::NotStarted));
    assert!(!src.required && !src.blocks_pass());
    assert!(
        src.detail
            .as_deref()
            .unwrap()
            .contains("tracker contacts were not checked")
    );
    assert!(r.incomplete.is_empty());

    let m = bundle(Some(&pcap(&session())), true, None);
    let r = analyse(&m, "cn-miit");
    let src = net_source(&r);
    assert!(
        src.note
            .as_deref()
            .unwrap()
            .contains("no device clock offset"),
        "{:?}",
        src.note
    );
    // Taken as device times, the packets sit 5 s early: still before consent.
    let f = &r.findings.iter().find(|f| f.source == Source::Net).unwrap();
    assert_eq!(f.timing, Timing::instant(T0 - OFFSET + 100_000));
}

#[test]
fn a_truncated_capture_keeps_the_packets_before_the_cut() {
    let full = pcap(&session());
    // Cut inside the third packet (the ClientHello).
    let third = 24
        + 16
        + dns_query("ulogs.umeng.com").len()
        + 16
        + dns_answer("ulogs.umeng.com", UMENG).len();
    let cut = &full[..third + 30];
    let m = bundle(Some(cut), true, Some(OFFSET));
    let r = analyse(&m, "cn-miit");
    let src = net_source(&r);
    assert_eq!(src.status, SourceStatus::Partial);
    assert_eq!(src.items, 2);
    let note = src.note.as_deref().unwrap();
    assert!(
        note.contains(&format!("reading stopped early: failed to read capture: pcap record at byte offset {third} is truncated")),
        "{note}"
    );
    assert!(
        r.incomplete.iter().any(|i| i.starts_with(&format!(
            "raw/net.pcap: failed to read capture: pcap record at byte offset {third} is truncated"
        )) && i
            .ends_with("only the 2 packets before that point were analysed for tracker contacts")),
        "{:?}",
        r.incomplete
    );
    let f = r.findings.iter().find(|f| f.source == Source::Net).unwrap();
    assert_eq!(f.events, 2, "the query and answer before the cut");
    assert_eq!(r.verdict, Verdict::Fail);

    // Garbage and an empty file: no panic, nothing read, said so.
    for bytes in [&b"not a capture at all"[..], &[][..], &full[..10]] {
        let m = bundle(Some(bytes), true, Some(OFFSET));
        let r = analyse(&m, "cn-miit");
        let src = net_source(&r);
        // Nothing could be read: failed, not partial.
        assert_eq!((src.status, src.items), (SourceStatus::Failed, 0));
        assert_eq!(src.reason, Some(crate::report::CoverageReason::CutOff));
        assert!(
            r.incomplete
                .iter()
                .any(|i| i.starts_with("source net is failed (cut off): reading stopped early")),
            "{:?}",
            r.incomplete
        );
        assert!(
            r.incomplete
                .iter()
                .any(|i| i.starts_with("raw/net.pcap: failed to read capture"))
        );
        assert_eq!(r.verdict, Verdict::Inconclusive);
    }
}

#[test]
fn pcapng_captures_give_the_same_events_with_block_offsets() {
    let packets = session();
    let cat = Catalog::builtin().unwrap();
    let run_on = |bytes: &[u8]| {
        let mut sink = EventSink::default();
        let mut out = NetResult::default();
        read(bytes, &cat, sdks(), OFFSET, &mut sink, &mut out).unwrap();
        (sink.events, out)
    };
    let (classic, a) = run_on(&pcap(&packets));
    let (ng, b) = run_on(&pcapng(&packets));
    assert!(a.error.is_none() && b.error.is_none(), "{:?}", b.error);
    assert_eq!((a.packets, a.records, a.tracker_events), (6, 6, 5));
    assert_eq!((b.packets, b.records, b.tracker_events), (6, 6, 5));
    for (x, y) in classic.iter().zip(&ng) {
        assert_eq!(
            (&x.timing, &x.api, &x.actor, x.evidence.line),
            (&y.timing, &y.api, &y.actor, y.evidence.line)
        );
    }
    // SHB 28 bytes + IDB 20 bytes, then the first EPB: 32 bytes + the padded frame.
    let q = dns_query("ulogs.umeng.com").len();
    let end = 28 + 20 + 32 + q.div_ceil(4) * 4;
    assert!(
        ng[0]
            .evidence
            .text
            .starts_with(&format!("block ending at byte offset {end}: dns-query")),
        "{}",
        ng[0].evidence.text
    );
}

#[test]
fn events_are_capped_per_kind_of_host_but_every_tracker_host_is_kept() {
    let mut packets = Vec::new();
    for i in 0..(MAX_NET_EVENTS + 7) {
        packets.push((at(i as i64), dns_query("x.umeng.com")));
    }
    for i in 0..(MAX_NET_EVENTS + 3) {
        packets.push((at(10_000 + i as i64), dns_query("cdn.example.org")));
    }
    // A tracker host first seen after the cap still gets its (first) event.
    packets.push((at(20_000), dns_query("late.bugly.qq.com")));
    packets.push((at(20_001), dns_query("late.bugly.qq.com")));
    let cat = Catalog::builtin().unwrap();
    let mut sink = EventSink::default();
    let mut out = NetResult::default();
    read(&pcap(&packets)[..], &cat, sdks(), 0, &mut sink, &mut out).unwrap();
    assert_eq!(out.tracker_events, MAX_NET_EVENTS as u64 + 1);
    assert_eq!((out.dropped_trackers, out.dropped_others), (8, 3));
    assert_eq!(sink.events.len(), 2 * MAX_NET_EVENTS + 1);
    assert_eq!(
        sink.events.last().unwrap().api,
        Some("host:late.bugly.qq.com".into())
    );
    assert_eq!(out.packets, 2 * MAX_NET_EVENTS as u64 + 12);
}

#[test]
fn traffic_before_the_launch_is_shown_but_never_counted() {
    // An emulator's -tcpdump capture starts at boot: a tracker host contacted before the app
    // was launched is the system's traffic.
    let packets = vec![
        (at(-5_000), client_hello("alog.umeng.com", UMENG)),
        (at(100), client_hello("ulogs.umeng.com", UMENG)),
    ];
    let m = bundle_launched(Some(&pcap(&packets)), true, Some(OFFSET), Some(50), false);
    let r = analyse(&m, "cn-miit");
    let hosts: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "tracker-contact-before-consent")
        .map(|f| f.api.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(hosts, ["host:ulogs.umeng.com"]);
    let early = r
        .timeline
        .iter()
        .map(|t| &t.event)
        .find(|e| e.api == Some("host:alog.umeng.com".into()))
        .expect("the pre-launch contact stays on the timeline");
    assert!(
        early.detail.contains("before the app's launch"),
        "{}",
        early.detail
    );
}

#[test]
fn a_host_the_sdk_catalogue_knows_is_named_as_the_sdk_catalogue_names_it() {
    // The tracker list calls it "Google Firebase Analytics"; the SDK catalogue, which names
    // actors from stack frames, has its own name: one SDK must be one actor.
    let packets = vec![(at(100), client_hello("app-measurement.com", UMENG))];
    let m = bundle(Some(&pcap(&packets)), true, Some(OFFSET));
    let r = analyse(&m, "cn-miit");
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "tracker-contact-before-consent")
        .expect("a tracker finding");
    let sdk = sdks()
        .sdk_of_host("app-measurement.com")
        .map(|(s, _)| s.name.clone())
        .unwrap();
    assert_ne!(sdk, "Google Firebase Analytics");
    assert_eq!(
        f.actor.as_ref().map(|a| a.name.as_str()),
        Some(sdk.as_str())
    );
}

#[test]
fn a_tracker_contacted_after_a_rejection_is_its_own_finding() {
    // The session's Umeng host before the tap, Umeng's other host after a rejection.
    let m = bundle_launched(Some(&pcap(&session())), true, Some(OFFSET), None, true);
    for profile in ["cn-miit", "gdpr"] {
        let r = analyse(&m, profile);
        assert_eq!(r.consent.outcome, ConsentOutcome::Rejected);
        let rules: Vec<(&str, String)> = r
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("tracker-contact"))
            .map(|f| (f.rule.as_str(), f.api.as_ref().unwrap().to_string()))
            .collect();
        assert!(
            rules.contains(&(
                "tracker-contact-after-reject",
                "host:alog.umeng.com".to_string()
            )),
            "{profile}: {rules:?}"
        );
        assert!(
            rules.contains(&(
                "tracker-contact-before-consent",
                "host:ulogs.umeng.com".to_string()
            )),
            "{profile}: {rules:?}"
        );
        let after = r
            .findings
            .iter()
            .find(|f| f.rule == "tracker-contact-after-reject")
            .unwrap();
        assert!(
            after.message.contains("after the user rejected consent"),
            "{}",
            after.message
        );
    }
    // After an acceptance the same contact is no finding.
    let accepted = bundle(Some(&pcap(&session())), true, Some(OFFSET));
    let r = analyse(&accepted, "cn-miit");
    assert!(
        !r.findings
            .iter()
            .any(|f| f.rule == "tracker-contact-after-reject")
    );
}
