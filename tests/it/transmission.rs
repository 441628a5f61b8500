//! Issue 18, analysis: honey values found in intercepted traffic (`raw/http.jsonl`), the
//! `transmission-before-consent` rule joining the access it proves, redaction and
//! `--show-values`, and hostile `raw/http.jsonl` files.

use crate::util::{copy_dir, data, prior, reseal};
use std::io::Write;
use std::path::{Path, PathBuf};

const IMEI: &str = "358240051111110";
const MASKED: &str = "35xxxxxxxxxx110";
/// md5("358240051111110"), as in the fixture's request body.
const IMEI_MD5: &str = "e5a3d00ab4ddb25258fc9633a76dd16d";

fn bundle() -> PathBuf {
    data("bundles/leaky-transmit")
}

fn run(args: &[&str]) -> (i32, String) {
    let out = prior().args(args).output().expect("run prior");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn json(bundle: &Path, extra: &[&str]) -> serde_json::Value {
    let b = bundle.to_str().unwrap();
    let mut args = vec!["analyze", b, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out) = run(&args);
    assert_eq!(code, 1, "{out}");
    serde_json::from_str(&out).expect("JSON report")
}

fn http_source(r: &serde_json::Value) -> serde_json::Value {
    r["checked"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "http")
        .cloned()
        .expect("an http source line")
}

#[test]
fn the_imei_access_and_its_transmission_are_one_finding() {
    let r = json(&bundle(), &[]);
    let imei: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "device_identifiers")
        .collect();
    assert_eq!(imei.len(), 1, "one access, one finding: {imei:#?}");
    let f = imei[0];
    assert_eq!(f["rule"], "pre-consent-access");
    assert_eq!(f["actor"]["name"], "Umeng");
    assert_eq!(f["severity"], "high");
    let seen: Vec<&str> = f["seen_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(seen.contains(&"http") && seen.contains(&"ipc"), "{seen:?}");
    let ev = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "raw/http.jsonl")
        .expect("the request is evidence");
    assert_eq!(ev["line"], 2);
    let text = ev["text"].as_str().unwrap();
    assert!(text.contains("alog.umeng.com/app_logs"), "{text}");
    assert!(text.contains(IMEI_MD5), "the hash is shown: {text}");
    assert!(text.contains(&format!("md5 hex of {MASKED}")), "{text}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("transmission-before-consent"),
        "{}",
        f["message"]
    );
    // The location went to Umeng's host, but the location access was the app's own: the
    // transmission joins the access that read the value (the host names the receiver only).
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "transmission-before-consent"),
        "{r:#}"
    );
    let loc: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "location")
        .collect();
    assert_eq!(loc.len(), 1, "{loc:#?}");
    assert_eq!(loc[0]["rule"], "pre-consent-access");
    assert_ne!(loc[0]["actor"]["name"], "Umeng");
    assert!(
        loc[0]["seen_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "http"),
        "{:#}",
        loc[0]
    );
    assert!(
        loc[0]["message"]
            .as_str()
            .unwrap()
            .contains("The receiver, Umeng (by host), is not who read it"),
        "{}",
        loc[0]["message"]
    );
    // The request after consent is a match without a rule; the pinned host is a note.
    let m = r["transmission"]["matches"].as_array().unwrap();
    assert_eq!(m.len(), 3, "{m:#?}");
    assert!(
        m.iter()
            .any(|x| x["phase"] == "after_consent" && x["rule"].is_null())
    );
    // The pinned connection lies before consent: what it carried is unknown, so the source
    // is partial (never a clean "nothing sent"), and the note names the host.
    let http = http_source(&r);
    assert_eq!(http["status"], "partial", "{http}");
    assert!(
        http["detail"]
            .as_str()
            .unwrap()
            .contains("HTTPS not decrypted before consent: 1 connection(s) refused the proxy's certificate (pinning?) to pinned.example.com"),
        "{http}"
    );
    assert!(
        http["note"]
            .as_str()
            .unwrap()
            .contains("pinned connection to pinned.example.com: not decrypted"),
        "{http}"
    );
}

#[test]
fn values_are_redacted_in_every_format_unless_asked() {
    let b = bundle();
    let b = b.to_str().unwrap();
    for (args, fmt) in [
        (vec!["analyze", b], "text"),
        (vec!["analyze", b, "--format", "json"], "json"),
        (vec!["report", b, "--format", "html"], "html"),
        (vec!["report", b, "--format", "sarif"], "sarif"),
        (vec!["report", b, "--format", "text", "--lang", "zh"], "zh"),
    ] {
        let (_, out) = run(&args);
        assert!(!out.is_empty(), "{fmt}");
        assert!(!out.contains(IMEI), "{fmt} shows the IMEI");
        assert!(!out.contains("39.904"), "{fmt} shows the location");
        let mut shown = args.clone();
        shown.push("--show-values");
        let (_, raw) = run(&shown);
        if fmt != "zh" && fmt != "text" {
            assert!(raw.contains(IMEI), "{fmt} --show-values hides the IMEI");
        }
        assert!(
            raw.contains("39.904"),
            "{fmt} --show-values hides the location"
        );
    }
    let r = json(&bundle(), &[]);
    assert_eq!(r["transmission"]["honey"][0]["value"], MASKED);
    assert_eq!(r["transmission"]["matches"][0]["matched"], IMEI_MD5);
    let r = json(&bundle(), &["--show-values"]);
    assert_eq!(r["transmission"]["honey"][0]["value"], IMEI);
}

#[test]
fn without_interception_transmissions_are_unchecked_not_clean() {
    let r = json(&data("bundles/leaky"), &[]);
    let http = http_source(&r);
    assert_eq!(http["status"], "unavailable");
    assert_eq!(http["reason"], "not_started");
    assert!(r.get("transmission").is_none());
}

#[test]
fn hostile_http_jsonl_never_fails_the_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("b");
    copy_dir(&bundle(), &b);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(b.join("raw/http.jsonl"))
        .unwrap();
    // A 40 MiB line (over the 32 MiB cap), garbage, a body that is not base64 with an unknown
    // encoding, then a real flow that must still be read (gzip and brotli bombs: unit tests in
    // crates/prior-analyze/src/transmission/tests.rs).
    let mut huge = b"{\"type\":\"flow\",\"url\":\"".to_vec();
    huge.resize(40 << 20, b'A');
    huge.extend_from_slice(b"\"}\n");
    f.write_all(&huge).unwrap();
    f.write_all(b"not json at all \x1b[31m\n{\"no_type\":1}\n")
        .unwrap();
    f.write_all(
        br#"{"type":"flow","host_us":1795894205000000,"method":"POST","host":"x.example","path":"/","url":"https://x.example/","request_headers":[["Content-Encoding","zstd"]],"request_body_b64":"!!!","request_body_decoded":false}"#,
    )
    .unwrap();
    f.write_all(b"\n").unwrap();
    f.write_all(
        format!(
            r#"{{"type":"flow","host_us":1795894205500000,"method":"GET","host":"x.example","path":"/?d={IMEI}","url":"https://x.example/?d={IMEI}","request_headers":[]}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    f.write_all(b"\n").unwrap();
    drop(f);
    reseal(&b);
    let r = json(&b, &[]);
    let http = http_source(&r);
    assert_eq!(http["status"], "partial", "{http}");
    let note = http["note"].as_str().unwrap();
    assert!(
        note.contains("3 lines could not be read (6, 7, 8)"),
        "{note}"
    );
    assert!(note.contains("longer than 32 MiB"), "{note}");
    assert!(note.contains("not base64"), "{note}");
    assert!(
        r["transmission"]["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["line"] == 10 && m["host"] == "x.example"),
        "the flow after the damage is read"
    );
}

#[test]
fn strings_from_requests_reach_the_terminal_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("b");
    copy_dir(&bundle(), &b);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(b.join("raw/http.jsonl"))
        .unwrap();
    let line = serde_json::json!({
        "type": "flow", "host_us": 1_795_894_205_500_000i64, "method": "PO\u{1b}[2JST",
        "host": "evil\u{1b}]0;title\u{7}.example", "path": "/\u{202e}gnp.exe",
        "url": format!("https://evil.example/\u{202e}?id={IMEI}"),
        "request_headers": [["X-\u{1b}[31mId", IMEI]],
    });
    writeln!(f, "{line}").unwrap();
    writeln!(
        f,
        "{}",
        serde_json::json!({"type": "tls_failed", "sni": "pin\u{1b}[1m.example", "error": "x"})
    )
    .unwrap();
    drop(f);
    reseal(&b);
    let b = b.to_str().unwrap();
    for args in [vec!["analyze", b], vec!["report", b, "--format", "text"]] {
        let (code, out) = run(&args);
        assert_eq!(code, 1, "{out}");
        for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(!out.contains(bad), "raw {bad:?} on the terminal: {out}");
        }
        assert!(out.contains("pin\\u{1b}[1m.example"), "{out}");
        // the IMEI sent to it joins the IMEI access; the host is in its message, escaped
        assert!(out.contains("evil\\u{1b}]0;title\\u{7}.example"), "{out}");
        assert!(!out.contains(IMEI), "redacted");
    }
}

#[test]
fn the_recorders_word_on_interception_is_the_http_state() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("b");
    copy_dir(&bundle(), &b);
    let harness = std::fs::read_to_string(b.join("harness.jsonl")).unwrap();
    let mut lines: Vec<String> = harness.lines().map(str::to_string).collect();
    let end = lines.pop().unwrap();
    let n = lines.len() + 1;
    lines.push(format!(
        r#"{{"seq":{n},"host_us":1795894197200000,"record":{{"type":"collector","source":"http","state":"partial","reason":"HTTPS not decrypted: the mitmproxy CA could not be installed as a system CA (user build)"}}}}"#
    ));
    let mut end: serde_json::Value = serde_json::from_str(&end).unwrap();
    end["seq"] = (n + 1).into();
    lines.push(end.to_string());
    std::fs::write(b.join("harness.jsonl"), lines.join("\n") + "\n").unwrap();
    reseal(&b);
    let r = json(&b, &[]);
    let http = http_source(&r);
    assert_eq!(http["status"], "partial", "{http}");
    assert!(
        http["detail"]
            .as_str()
            .unwrap()
            .contains("HTTPS not decrypted"),
        "{http}"
    );
    // The transmission it did see still counts (joined to the access it proves).
    assert!(r["findings"].as_array().unwrap().iter().any(|f| {
        f["seen_by"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x == "http"))
    }));
}
