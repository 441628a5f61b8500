use super::forms::{Matcher, Target, numbers, percent_encode};
use super::search::{self, MAX_DECODED};
use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use proptest::prelude::*;
use std::io::Write;

const IMEI: &str = "358240051111110";
const MAC: &str = "02:00:00:44:55:66";

fn target(kind: &str, value: &str) -> Target {
    Target {
        kind: kind.into(),
        value: value.into(),
        latlon: None,
    }
}

fn location() -> Target {
    Target {
        kind: "location".into(),
        value: "39.9042,116.4074".into(),
        latlon: Some((39.9042, 116.4074)),
    }
}

fn flow(headers: &[(&str, &str)], body: &[u8], decoded: bool) -> serde_json::Value {
    serde_json::json!({
        "type": "flow", "host_us": 1_000, "method": "POST", "scheme": "https",
        "host": "alog.umeng.com", "port": 443, "path": "/app_logs",
        "url": "https://alog.umeng.com/app_logs",
        "request_headers": headers.iter().map(|(k, v)| [k, v]).collect::<Vec<_>>(),
        "request_body_b64": STANDARD.encode(body),
        "request_body_decoded": decoded,
    })
}

fn search_value(m: &Matcher, v: &serde_json::Value) -> (Vec<search::Found>, Vec<String>) {
    search_flow(m, &serde_json::from_value(v.clone()).unwrap())
}

fn found(m: &Matcher, v: &serde_json::Value) -> Vec<search::Found> {
    search_value(m, v).0
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn deflate(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn brotli(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        w.write_all(b).unwrap();
    }
    out
}

#[test]
fn every_form_of_an_imei_is_found_and_named() {
    let m = Matcher::new(vec![target("imei", IMEI)]);
    let md5 = "2f9b1ed03a35ca5f5e40a6f9a52c4a3d";
    // The MD5 the matcher uses is the real one.
    let real = m.forms.iter().find(|f| f.encoding == "md5 hex").unwrap();
    assert_eq!(real.text.len(), 32);
    assert_ne!(real.text, md5.as_bytes(), "a made-up digest is not a form");
    for (body, enc) in [
        (format!("imei={IMEI}"), "plain"),
        (
            "imei=35-824005-111111-0".to_string(),
            "plain of the grouped form",
        ),
        (
            format!("x={}", String::from_utf8(real.text.clone()).unwrap()),
            "md5 hex",
        ),
        (
            format!(
                "x={}",
                String::from_utf8(real.text.clone()).unwrap().to_uppercase()
            ),
            "md5 HEX",
        ),
        (format!("x={}", STANDARD.encode(IMEI)), "base64"),
        (format!("x={}", URL_SAFE_NO_PAD.encode(IMEI)), "base64"),
    ] {
        let f = found(&m, &flow(&[], body.as_bytes(), true));
        assert!(
            f.iter()
                .any(|x| x.encoding == enc || x.encoding.starts_with(enc)),
            "{body}: {f:#?}"
        );
        assert!(
            f.iter()
                .all(|x| x.place == "body form field x" || x.place == "body form field imei"),
            "{f:#?}"
        );
    }
}

#[test]
fn mac_forms_cover_separators_and_case() {
    let m = Matcher::new(vec![target("wifi_mac", MAC)]);
    for s in [
        "02:00:00:44:55:66",
        "02-00-00-44-55-66",
        "020000445566",
        "02:00:00:44:55:66".to_uppercase().as_str(),
    ] {
        let f = found(&m, &flow(&[("X-Mac", s)], b"", true));
        assert_eq!(f.len(), 1, "{s}: {f:#?}");
        assert_eq!(f[0].place, "header X-Mac");
    }
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        b"02:00:00:44:55:66".to_ascii_uppercase(),
    ));
    let f = found(
        &m,
        &flow(&[], format!("{{\"m\":\"{sha}\"}}").as_bytes(), true),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].hash && f[0].encoding.contains("sha256"), "{f:#?}");
    assert_eq!(f[0].place, "body $.m");
}

#[test]
fn compressed_bodies_are_decoded_by_their_content_encoding() {
    let m = Matcher::new(vec![target("imei", IMEI)]);
    let body = format!("{{\"device\":{{\"imei\":\"{IMEI}\"}}}}");
    for (enc, bytes) in [
        ("gzip", gzip(body.as_bytes())),
        ("deflate", deflate(body.as_bytes())),
        ("br", brotli(body.as_bytes())),
    ] {
        let f = found(&m, &flow(&[("Content-Encoding", enc)], &bytes, false));
        assert_eq!(f.len(), 1, "{enc}: {f:#?}");
        assert_eq!(f[0].place, "body $.device.imei", "{enc}");
    }
}

#[test]
fn url_query_json_numbers_multipart_and_base64_segments() {
    let m = Matcher::new(vec![target("imei", IMEI), location()]);
    let mut v = flow(&[], br#"{"id":358240051111110}"#, true);
    v["url"] = "https://alog.umeng.com/a?lat=39.904&lng=116.407".into();
    let f = found(&m, &v);
    assert!(f.iter().any(|x| x.place == "body $.id"), "{f:#?}");
    let loc = f
        .iter()
        .find(|x| x.encoding.contains("latitude"))
        .expect("location");
    assert_eq!(loc.matched, "39.904,116.407");
    assert!(loc.place.starts_with("url"), "{loc:#?}");

    let body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{{\"k\":\"{IMEI}\"}}\r\n--XyZ--\r\n"
    );
    let f = found(
        &m,
        &flow(
            &[("Content-Type", "multipart/form-data; boundary=XyZ")],
            body.as_bytes(),
            true,
        ),
    );
    assert!(
        f.iter().any(|x| x.place == "body multipart part meta $.k"),
        "{f:#?}"
    );

    // A base64 blob holding JSON holding the IMEI: one level down.
    let inner = STANDARD.encode(format!("{{\"a\":12,\"imei\":\"{IMEI}\",\"b\":2}}"));
    let f = found(
        &m,
        &flow(&[], format!("{{\"payload\":\"{inner}\"}}").as_bytes(), true),
    );
    assert!(
        f.iter()
            .any(|x| x.place.contains("base64 segment") && x.encoding == "plain"),
        "{f:#?}"
    );
}

#[test]
fn a_location_needs_both_coordinates_and_two_decimals() {
    let m = Matcher::new(vec![location()]);
    for (body, hit) in [
        ("lat=39.90&lon=116.41", true),
        ("lat=39.9042&lon=116.4074", true),
        ("lat=39.9&lon=116.4", false),
        ("lat=39.904", false),
        ("lat=39.95&lon=116.41", false),
        ("v=139.904&w=116.407", false),
    ] {
        let f = found(&m, &flow(&[], body.as_bytes(), true));
        assert_eq!(!f.is_empty(), hit, "{body}: {f:#?}");
    }
    assert_eq!(numbers(b"a=-39.90,1.234.5"), vec![(2, 8, 2)]);
}

#[test]
fn short_values_are_searched_only_by_their_hashes() {
    let m = Matcher::new(vec![target("contact_name", "Ann")]);
    assert!(m.forms.iter().all(|f| f.hash));
    let f = found(&m, &flow(&[], b"name=Ann", true));
    assert!(f.is_empty());
    assert_eq!(percent_encode("a b:c", true), "a+b%3Ac");
}

#[test]
fn hostile_lines_bodies_and_bombs_are_bounded() {
    // A gzip bomb: 64 MiB of zeros.
    let zeros = vec![0u8; 64 << 20];
    let bomb = gzip(&zeros);
    assert!(bomb.len() < 1 << 20);
    let (d, note) = search::decode_content("gzip", &bomb).unwrap();
    assert_eq!(d.len() as u64, MAX_DECODED);
    assert!(note.unwrap().contains("more than"));
    // A brotli bomb too.
    let (d, note) = search::decode_content("br", &brotli(&zeros)).unwrap();
    assert_eq!(d.len() as u64, MAX_DECODED);
    assert!(note.is_some());
    // Damaged compression: the bytes before the damage are kept, no panic.
    let mut g = gzip(format!("imei={IMEI}").as_bytes());
    let l = g.len();
    g[l / 2] ^= 0xff;
    let _ = search::decode_content("gzip", &g);
    assert!(search::decode_content("zstd", b"x").is_none());
    // Bad base64 in the body and in segments.
    let m = Matcher::new(vec![target("imei", IMEI)]);
    let mut v = flow(&[], b"", true);
    v["request_body_b64"] = "!!!not base64!!!".into();
    let (f, notes) = search_value(&m, &v);
    assert!(f.is_empty());
    assert!(notes[0].contains("not base64"), "{notes:?}");
    let (f, _) = search_value(
        &m,
        &flow(
            &[],
            b"AAAAAAAAAAAAAAAAAAAAA=A==== ////////////////////+++-__",
            true,
        ),
    );
    assert!(f.is_empty());
    // Over-long lines are cut and skipped, the next line is read.
    let mut data = vec![b'x'; 1000];
    data.extend_from_slice(b"\n{\"type\":\"proxy\"}\n");
    let mut r = std::io::BufReader::with_capacity(16, &data[..]);
    let mut buf = Vec::new();
    assert_eq!(read_line_capped(&mut r, &mut buf, 100).unwrap(), Some(true));
    assert_eq!(buf.len(), 100);
    assert_eq!(
        read_line_capped(&mut r, &mut buf, 100).unwrap(),
        Some(false)
    );
    assert_eq!(buf, b"{\"type\":\"proxy\"}");
    assert_eq!(read_line_capped(&mut r, &mut buf, 100).unwrap(), None);
    // Names from the request are escaped.
    let f = found(&m, &flow(&[("X-\u{1b}[31m", IMEI)], b"", true));
    assert_eq!(f[0].place, "header X-\\u{1b}[31m");
}

/// The ways a value is put into a request in the property test.
fn encode(value: &str, how: u8) -> String {
    use md5::Digest as _;
    match how % 8 {
        0 => value.to_string(),
        1 => value.to_uppercase(),
        2 => percent_encode(value, true),
        3 => STANDARD.encode(value),
        4 => URL_SAFE_NO_PAD.encode(value),
        5 => hex::encode(md5::Md5::digest(value.as_bytes())),
        6 => hex::encode(sha1::Sha1::digest(value.as_bytes())).to_uppercase(),
        _ => hex::encode(sha2::Sha256::digest(value.as_bytes())),
    }
}

fn value_strategy() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        "[0-9]{15}".prop_map(|v| ("imei".to_string(), v)),
        "([0-9a-f]{2}:){5}[0-9a-f]{2}".prop_map(|v| ("wifi_mac".to_string(), v)),
        "[0-9a-f]{16}".prop_map(|v| ("android_id".to_string(), v)),
        "[a-z]{4,10}@example\\.org".prop_map(|v| ("contact_email".to_string(), v)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Any value in any supported encoding, in any container, is found; the same request
    /// without it finds nothing.
    #[test]
    fn any_value_in_any_encoding_and_container_is_found(
        (kind, value) in value_strategy(),
        how in 0u8..8,
        container in 0u8..7,
        noise in "[a-zA-Z ]{0,40}",
        key in "k[a-z]{1,7}",
    ) {
        let m = Matcher::new(vec![target(&kind, &value)]);
        let enc = encode(&value, how);
        let build = |payload: &str| -> serde_json::Value {
            let json = serde_json::json!({ "n": noise, key.as_str(): payload, "t": 12 }).to_string();
            match container {
                0 => flow(&[("Content-Type", "application/json")], json.as_bytes(), true),
                1 => flow(&[("Content-Type", "application/x-www-form-urlencoded")],
                          format!("a=1&{key}={}&z=2", percent_encode(payload, true)).as_bytes(), true),
                2 => flow(&[("Content-Type", "multipart/form-data; boundary=b0undary")],
                          format!("--b0undary\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n{payload}\r\n--b0undary--\r\n").as_bytes(), true),
                3 => flow(&[("Content-Encoding", "gzip")], &gzip(json.as_bytes()), false),
                4 => flow(&[("Content-Encoding", "br")], &brotli(json.as_bytes()), false),
                5 => flow(&[], STANDARD.encode(json.as_bytes()).as_bytes(), true),
                _ => {
                    let mut v = flow(&[], noise.as_bytes(), true);
                    v["url"] = format!("https://a.example/p?{key}={}", percent_encode(payload, false)).into();
                    v
                }
            }
        };
        let with = found(&m, &build(&enc));
        prop_assert!(!with.is_empty(), "{} as {} in container {}: nothing found", value, enc, container);
        prop_assert!(with.iter().all(|f| f.target == 0));
        let without = found(&m, &build("nothing-to-see"));
        prop_assert!(without.is_empty(), "{:#?}", without);
    }
}

#[test]
fn a_line_is_never_held_as_a_json_tree_and_headers_are_capped() {
    // A huge array is not a flow: refused at its first element.
    let mut arr = b"[".to_vec();
    for _ in 0..(1 << 20) {
        arr.extend_from_slice(b"0,");
    }
    arr.extend_from_slice(b"0]");
    assert!(serde_json::from_slice::<FlowLine>(&arr).is_err());
    // Many headers: the first MAX_HEADERS pairs of strings are kept, other entries skipped.
    let mut h: Vec<serde_json::Value> = vec![serde_json::json!(1), serde_json::json!(["a"])];
    h.extend((0..MAX_HEADERS + 50).map(|i| serde_json::json!([format!("h{i}"), "v"])));
    let v = serde_json::json!({"type": "flow", "request_headers": h, "extra": {"deep": [1, 2]}});
    let f: FlowLine = serde_json::from_value(v).unwrap();
    assert_eq!(f.request_headers.len(), MAX_HEADERS);
    assert_eq!(f.request_headers[0], ("h0".to_string(), "v".to_string()));
    let none: FlowLine = serde_json::from_str(r#"{"type":"flow","request_headers":null}"#).unwrap();
    assert!(none.request_headers.is_empty());
}

#[test]
fn a_context_never_cuts_another_value_in_half() {
    let m = Matcher::new(vec![
        target("imei", IMEI),
        target("serial", "EMULATOR34X1A2B3"),
    ]);
    // The serial sits so that a plain 32-byte window around the IMEI would cut it.
    let body = format!("imei {IMEI} {}EMULATOR34X1A2B3 end", "p".repeat(19));
    let f = found(&m, &flow(&[], body.as_bytes(), true));
    let imei = f.iter().find(|x| x.target == 0).unwrap();
    assert!(imei.context.contains("EMULATOR34X1A2B3"), "{f:#?}");
}

// --- P2: which access a transmission joins

fn access(api: &str, category: DataCategory, actor: &str, kind: ActorKind) -> ReportFinding {
    ReportFinding {
        rule: RuleId::PreConsentAccess.as_str().into(),
        severity: prior_model::Severity::High,
        category: Some(category),
        phase: Phase::BeforeConsent,
        source: Source::Ipc,
        timing: Timing::instant(1),
        api: Some(prior_model::Signal::parse(api)),
        actor: Some(Actor {
            kind,
            name: actor.into(),
            reason: None,
        }),
        message: String::new(),
        events: 1,
        outcomes: OutcomeCounts::default(),
        evidence: Vec::new(),
        evidence_omitted: 0,
        seen_by: vec![Source::Ipc],
        signals: 1,
    }
}

fn sent(kind: &str, category: DataCategory, to: Option<&str>) -> TransmissionMatch {
    TransmissionMatch {
        line: 2,
        device_us: Some(5),
        phase: Some(Phase::BeforeConsent),
        method: "POST".into(),
        host: "alog.umeng.com".into(),
        path: "/".into(),
        kind: kind.into(),
        category,
        value: "v".into(),
        encoding: "plain".into(),
        place: "url".into(),
        matched: "v".into(),
        hash: false,
        context: String::new(),
        actor: to.map(|n| Actor {
            kind: ActorKind::Sdk,
            name: n.into(),
            reason: None,
        }),
        rule: None,
    }
}

#[test]
fn a_transmission_joins_the_access_that_read_its_value() {
    let ids = DataCategory::DeviceIdentifiers;
    let fs = vec![
        access("ContentProviderProxy.call", ids, "Umeng", ActorKind::Sdk),
        access("ITelephony.getImeiForSlot", ids, "com.x", ActorKind::App),
        access("ITelephony.getImeiForSlot", ids, "Umeng", ActorKind::Sdk),
        access(
            "ILocationManager.getLastLocation",
            DataCategory::Location,
            "com.x",
            ActorKind::App,
        ),
    ];
    // the receiver's own IMEI read, not its ANDROID_ID read nor the app's IMEI read
    assert_eq!(join_target(&fs, &sent("imei", ids, Some("Umeng"))), Some(2));
    // ANDROID_ID: the Settings.Secure read
    assert_eq!(
        join_target(&fs, &sent("android_id", ids, Some("Umeng"))),
        Some(0)
    );
    // a receiver without an access of its own: the reader's
    assert_eq!(
        join_target(&fs[..2], &sent("imei", ids, Some("Umeng"))),
        Some(1)
    );
    assert_eq!(join_target(&fs, &sent("imei", ids, None)), Some(1));
    // location read by the app, sent to Umeng
    assert_eq!(
        join_target(
            &fs,
            &sent("location", DataCategory::Location, Some("Umeng"))
        ),
        Some(3)
    );
    // no read of that value seen: never joined to another value's access
    assert_eq!(join_target(&fs, &sent("serial", ids, Some("Umeng"))), None);
    assert_eq!(
        join_target(&fs[..1], &sent("imei", ids, Some("Umeng"))),
        None
    );
    // after consent: not a candidate
    let mut late = fs.clone();
    late[2].phase = Phase::AfterConsent;
    late[1].phase = Phase::AfterConsent;
    assert_eq!(join_target(&late, &sent("imei", ids, Some("Umeng"))), None);
}
