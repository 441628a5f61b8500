//! Interception through a real mitmproxy (issue 18): `prior run` on the intercepting demo
//! scenarios with the `mitmdump` of `scripts/test`'s venv (`PRIOR_MITMDUMP`; skipped when
//! missing, a failure under `scripts/test` / CI). The simulated handset really sends its
//! models' `send:` requests through it; Prior's addon answers them, so nothing leaves the
//! machine.

use crate::util::{prior, root};
use base64::Engine as _;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `prior run SCENARIO --format json` with `mitmdump`; the JSON report and the bundle.
fn run(name: &str, mitmdump: &Path) -> (Value, PathBuf) {
    let out = tempfile::tempdir().expect("tempdir").keep();
    let output = prior()
        .arg("run")
        .arg(root().join("scenarios/demo").join(format!("{name}.yaml")))
        .args(["--format", "json", "--out"])
        .arg(&out)
        .env("PRIOR_MITMDUMP", mitmdump)
        .timeout(Duration::from_secs(180))
        .output()
        .expect("run prior");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: stdout is not a JSON report ({e})\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let bundle = std::fs::read_dir(&out)
        .expect("out")
        .next()
        .expect("one bundle")
        .expect("entry")
        .path();
    (report, bundle)
}

fn http_lines(bundle: &Path) -> Vec<Value> {
    std::fs::read_to_string(bundle.join("raw/http.jsonl"))
        .expect("raw/http.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// Device time (µs) of a host-clock `host_us`, with the bundle's measured offset.
fn device_us(bundle: &Path, host_us: i64) -> i64 {
    let meta: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("meta.json")).expect("meta"))
            .expect("meta.json");
    host_us + meta["device"]["clock_offset_us"].as_i64().unwrap_or(0)
}

fn consent_from(report: &Value) -> i64 {
    report["consent"]["answered"]["from_us"]
        .as_i64()
        .expect("consent answered")
}

/// What every intercepted bundle must show: the proxy's start and stop lines, the file sealed
/// in the manifest, and no connection to any server (the addon answered every flow itself).
fn check_proxy_lifecycle(bundle: &Path, lines: &[Value]) {
    assert_eq!(
        lines.first().map(|l| &l["event"]),
        Some(&Value::from("started"))
    );
    assert!(
        lines[0]["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("mitmproxy 11."))
    );
    assert!(
        lines[0]["listen"]
            .as_str()
            .is_some_and(|l| l.starts_with("127.0.0.1:"))
    );
    assert_eq!(
        lines.last().map(|l| &l["event"]),
        Some(&Value::from("stopped"))
    );
    assert!(
        lines.iter().all(|l| l["type"] != "upstream_blocked"),
        "mitmdump tried to reach a server: {lines:?}"
    );
    for f in lines.iter().filter(|l| l["type"] == "flow") {
        assert_eq!(f["answered_by"], "prior", "{f}");
    }
    let manifest = std::fs::read_to_string(bundle.join("MANIFEST.sha256")).expect("manifest");
    assert!(manifest.contains("  raw/http.jsonl\n"), "{manifest}");
    let harness = std::fs::read_to_string(bundle.join("harness.jsonl")).expect("harness");
    assert!(
        harness.contains("interception started into raw/http.jsonl"),
        "{harness}"
    );
    assert!(
        harness.contains("interception stopped: mitmdump stopped"),
        "{harness}"
    );
}

#[test]
fn leaky_shop_sends_the_imei_md5_to_umeng_before_consent() {
    let mitmdump = prior_testkit::require_mitmdump!();
    let (report, bundle) = run("leaky-shop-intercept", &mitmdump);
    let lines = http_lines(&bundle);
    check_proxy_lifecycle(&bundle, &lines);
    let flow = lines
        .iter()
        .find(|l| l["type"] == "flow" && l["host"] == "alog.umeng.com")
        .unwrap_or_else(|| panic!("no Umeng flow in {lines:?}"));
    assert_eq!(flow["method"], "POST");
    assert_eq!(flow["scheme"], "https");
    assert_eq!(flow["path"], "/app_logs");
    // gzip on the wire, decoded by mitmproxy
    assert_eq!(flow["request_body_decoded"], true);
    assert!(
        flow["request_headers"]
            .as_array()
            .expect("headers")
            .iter()
            .any(|h| h[0] == "Content-Encoding" && h[1] == "gzip")
    );
    let body = base64::engine::general_purpose::STANDARD
        .decode(flow["request_body_b64"].as_str().expect("body"))
        .expect("base64");
    let body = String::from_utf8(body).expect("utf-8 body");
    // md5("358240051111110"), the handset's IMEI
    assert!(
        body.contains("imei=e5a3d00ab4ddb25258fc9633a76dd16d"),
        "{body}"
    );
    // the honey location (39.916527, 116.397128) rounded to 3 decimals by the model
    assert!(body.contains("lat=39.917&lng=116.397"), "{body}");
    let t = device_us(&bundle, flow["host_us"].as_i64().expect("host_us"));
    assert!(
        t < consent_from(&report),
        "the flow must come before the consent tap"
    );
}

#[test]
fn a_pinned_app_gives_a_tls_failure_and_no_flow() {
    let mitmdump = prior_testkit::require_mitmdump!();
    let (_, bundle) = run("pinned-pay-intercept", &mitmdump);
    let lines = http_lines(&bundle);
    check_proxy_lifecycle(&bundle, &lines);
    let failed: Vec<&Value> = lines.iter().filter(|l| l["type"] == "tls_failed").collect();
    assert_eq!(failed.len(), 1, "{lines:?}");
    assert_eq!(failed[0]["sni"], "api.pinnedpay.example");
    assert_eq!(failed[0]["server"], "api.pinnedpay.example:443");
    assert!(
        failed[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("pinning"))
    );
    assert!(lines.iter().all(|l| l["type"] != "flow"), "{lines:?}");
}

#[test]
fn polite_news_sends_nothing_before_consent() {
    let mitmdump = prior_testkit::require_mitmdump!();
    let (report, bundle) = run("polite-news-intercept", &mitmdump);
    let lines = http_lines(&bundle);
    check_proxy_lifecycle(&bundle, &lines);
    let consent = consent_from(&report);
    let flows: Vec<&Value> = lines.iter().filter(|l| l["type"] == "flow").collect();
    // it does send, after consent: interception worked and the test can fail
    assert_eq!(flows.len(), 1, "{lines:?}");
    assert_eq!(flows[0]["host"], "stats.politenews.example");
    for f in flows {
        let t = device_us(&bundle, f["host_us"].as_i64().expect("host_us"));
        assert!(t > consent, "a flow before consent: {f}");
    }
}

/// Without a usable mitmdump the session is still recorded, and the bundle says interception
/// failed (an `http` collector record) instead of showing an empty, innocent-looking file.
#[test]
fn a_missing_mitmdump_is_a_failed_http_collector_not_silence() {
    let (_, bundle) = run("polite-news-intercept", Path::new("/nonexistent/mitmdump"));
    assert!(!bundle.join("raw/http.jsonl").exists());
    let harness = std::fs::read_to_string(bundle.join("harness.jsonl")).expect("harness");
    let rec = harness
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|l| l["record"].clone())
        .find(|r| r["type"] == "collector" && r["source"] == "http")
        .unwrap_or_else(|| panic!("no http collector record in {harness}"));
    assert_eq!(rec["state"], "failed");
    assert_eq!(rec["cause"], "not_started");
    assert!(
        rec["reason"]
            .as_str()
            .is_some_and(|r| r.contains("PRIOR_MITMDUMP")),
        "{rec}"
    );
}

/// Ctrl-C (SIGINT) in the middle of an intercepted session: Prior stops mitmdump before it
/// seals the bundle (the addon's `stopped` line is in, the file is in the manifest), and no
/// mitmdump is left listening.
#[test]
fn ctrl_c_stops_mitmdump_before_the_bundle_is_sealed() {
    let mitmdump = prior_testkit::require_mitmdump!();
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = dir.path().join("leaky-long.yaml");
    let text = format!(
        "name: Leaky Shop, intercepted, long wait\n\
         app: {{ apk: {:?} }}\n\
         device: {{ simulated: {{ models: {:?}, seed: 1 }} }}\n\
         network: {{ intercept: mitmproxy }}\n\
         profile: cn-miit\n\
         consent:\n  mode: auto\n  timeout: 15s\n  screen: {{ text: \"隐私|个人信息\" }}\n  accept: {{ text: \"^同意$\" }}\n  reject: {{ text: \"^不同意$\" }}\n\
         steps:\n  - launch\n  - wait: 3s\n  - accept_consent\n  - wait: 90s\n",
        root().join("scenarios/demo/apps/leaky-shop.apk"),
        root().join("scenarios/demo/models"),
    );
    std::fs::write(&scenario, text).expect("scenario");
    let out = dir.path().join("out");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("prior"))
        .arg("run")
        .arg(&scenario)
        .args(["--format", "json", "--out"])
        .arg(&out)
        .env("PRIOR_MITMDUMP", &mitmdump)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn prior run");
    let started = std::time::Instant::now();
    let bundle = loop {
        let b = std::fs::read_dir(&out)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(Result::ok)
            .map(|e| e.path());
        if let Some(b) = b
            && std::fs::read_to_string(b.join("harness.jsonl"))
                .unwrap_or_default()
                .contains("\"type\":\"consent_tap\"")
        {
            break b;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "no consent tap"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::INT,
    )
    .expect("kill(2)");
    let status = child.wait().expect("wait");
    // violations (1) outrank an incomplete session (4) in docs/exit-codes.md
    assert_eq!(status.code(), Some(1));
    assert!(started.elapsed() < Duration::from_secs(80), "stopped early");
    let meta: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("meta.json")).expect("meta"))
            .expect("meta.json");
    assert_eq!(meta["status"]["state"], "incomplete");
    assert_eq!(meta["status"]["reason"], "stopped by SIGINT (Ctrl-C)");
    let lines = http_lines(&bundle);
    check_proxy_lifecycle(&bundle, &lines);
    assert!(
        lines
            .iter()
            .any(|l| l["type"] == "flow" && l["host"] == "alog.umeng.com")
    );
    let listen = lines[0]["listen"].as_str().expect("listen").to_owned();
    let addr: std::net::SocketAddr = listen.parse().expect("address");
    assert!(
        std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err(),
        "mitmdump still listens on {addr}"
    );
}

// --- P2 (issue 18 end to end): the analysis of the intercepted demo sessions ---

/// `prior report BUNDLE --format FORMAT` with extra arguments; its stdout.
fn report_of(bundle: &Path, format: &str, extra: &[&str]) -> String {
    let out = prior()
        .arg("report")
        .arg(bundle)
        .args(["--format", format])
        .args(if extra.contains(&"--lang") {
            &[][..]
        } else {
            &["--lang", "en"][..]
        })
        .args(extra)
        .output()
        .expect("prior report");
    String::from_utf8(out.stdout).expect("utf-8 report")
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().expect("findings")
}

fn http_check(report: &Value) -> &Value {
    report["checked"]["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|s| s["source"] == "http")
        .expect("an http source")
}

/// The evidence lines a finding takes from `raw/http.jsonl`.
fn http_evidence(f: &Value) -> Vec<String> {
    f["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter(|e| e["file"] == "raw/http.jsonl")
        .map(|e| e["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The real pipeline: the handset sends its Umeng report through mitmdump, the analyzer finds
/// the IMEI's MD5 and the rounded location in it, and each transmission joins the access that
/// read the value — one finding per access, seen by ipc … and http, no separate
/// `transmission-before-consent` finding; values redacted unless `--show-values`.
#[test]
fn leaky_shop_transmissions_join_the_accesses_they_prove() {
    let mitmdump = prior_testkit::require_mitmdump!();
    let (report, bundle) = run("leaky-shop-intercept", &mitmdump);
    assert_eq!(report["verdict"], "fail");
    assert_eq!(http_check(&report)["status"], "analysed", "{report}");
    let fs = findings(&report);
    assert!(
        fs.iter()
            .all(|f| f["rule"] != "transmission-before-consent"),
        "a transmission stood alone instead of joining its access: {fs:?}"
    );
    let joined: Vec<&Value> = fs
        .iter()
        .filter(|f| {
            f["seen_by"]
                .as_array()
                .is_some_and(|s| s.iter().any(|x| x == "http"))
        })
        .collect();
    assert_eq!(joined.len(), 2, "{joined:?}");
    // the IMEI: Umeng's getImei access, not its ANDROID_ID read of the same category
    let imei = joined
        .iter()
        .find(|f| f["category"] == "device_identifiers")
        .expect("the IMEI access");
    assert_eq!(imei["rule"], "pre-consent-access");
    assert_eq!(imei["api"], "ITelephony.getImeiForSlot");
    assert_eq!(imei["actor"]["name"], "Umeng");
    assert!(
        imei["seen_by"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x == "ipc")),
        "{imei}"
    );
    let ev = http_evidence(imei);
    assert_eq!(ev.len(), 1, "{imei}");
    assert!(
        ev[0].starts_with("POST alog.umeng.com/app_logs: imei e5a3d00ab4ddb25258fc9633a76dd16d (md5 hex of 35xxxxxxxxxx110) in body form field imei"),
        "{}",
        ev[0]
    );
    assert!(
        imei["message"].as_str().is_some_and(
            |m| m.contains("http also saw it transmitted (transmission-before-consent)")
        ),
        "{imei}"
    );
    // the ANDROID_ID read stays its own access, without the IMEI's transmission
    let android_id = fs
        .iter()
        .find(|f| f["api"] == "ContentProviderProxy.call")
        .expect("the ANDROID_ID access");
    assert!(http_evidence(android_id).is_empty(), "{android_id}");
    // the location: read by the app, sent to Umeng's host
    let loc = joined
        .iter()
        .find(|f| f["category"] == "location")
        .expect("the location access");
    assert_eq!(loc["rule"], "pre-consent-access");
    assert_eq!(loc["api"], "ILocationManager.getLastLocation");
    let ev = http_evidence(loc);
    assert_eq!(ev.len(), 1, "{loc}");
    assert!(
        ev[0].contains("POST alog.umeng.com/app_logs: location")
            && ev[0].contains("latitude and longitude to 3 decimals"),
        "{}",
        ev[0]
    );
    // both matches lie before consent, on the device clock, and made the rule fire
    let matches = report["transmission"]["matches"]
        .as_array()
        .expect("matches");
    assert_eq!(matches.len(), 2, "{matches:?}");
    for m in matches {
        assert_eq!(m["phase"], "before_consent", "{m}");
        assert_eq!(m["rule"], "transmission-before-consent", "{m}");
        assert!(m["device_us"].as_i64().expect("placed") < consent_from(&report));
    }
    // redacted by default in every format; shown with --show-values
    let text = report_of(&bundle, "text", &[]);
    let html = report_of(&bundle, "html", &[]);
    let json = report.to_string();
    for (name, out) in [("json", &json), ("text", &text), ("html", &html)] {
        for secret in ["358240051111110", "39.916527", "116.397128"] {
            assert!(!out.contains(secret), "{name} shows {secret}");
        }
    }
    assert!(html.contains("35xxxxxxxxxx110"), "{html}");
    // the HTML page's transmission section: one row per match, before consent, with its rule
    let section = &html[html
        .find("<h2>Transmissions (intercepted traffic)</h2>")
        .unwrap_or_else(|| panic!("no transmission section: {html}"))..];
    let table = &section[..section.find("</table>").expect("a table")];
    assert_eq!(
        table.matches("<tr class=\"tr-before_consent\">").count(),
        2,
        "{table}"
    );
    assert!(
        table.contains("<code>POST alog.umeng.com&#x2f;app_logs</code>"),
        "{table}"
    );
    assert!(table.contains("md5 hex"), "{table}");
    assert!(
        table.contains("latitude and longitude to 3 decimals"),
        "{table}"
    );
    assert!(
        table.contains("<code>transmission-before-consent</code>"),
        "{table}"
    );
    let zh = report_of(&bundle, "html", &["--lang", "zh"]);
    assert!(zh.contains("<h2>数据传输（拦截流量）</h2>"), "{zh}");
    // JUnit: the joined access fails both its rule's case and transmission-before-consent's
    let junit = report_of(&bundle, "junit", &[]);
    for case in ["pre-consent-access", "transmission-before-consent"] {
        let at = junit
            .find(&format!("<testcase name=\"{case}\""))
            .unwrap_or_else(|| panic!("no {case} case: {junit}"));
        let rest = &junit[at..];
        let end = rest.find("</testcase>").unwrap_or(0);
        assert!(rest[..end].contains("<failure"), "{case} passes: {junit}");
    }
    assert!(
        junit.contains("one finding with the pre-consent-access case"),
        "{junit}"
    );
    let shown = report_of(&bundle, "json", &["--show-values"]);
    assert!(shown.contains("358240051111110"), "{shown}");
    assert!(shown.contains("39.916527"), "{shown}");
}

/// Polite News sends one ping, after consent: the analysis has no transmission finding, its
/// `http` source is analysed (so the pass means something) and the verdict is a pass.
#[test]
fn polite_news_has_no_transmission_before_consent() {
    let mitmdump = prior_testkit::require_mitmdump!();
    let (report, _) = run("polite-news-intercept", &mitmdump);
    assert_eq!(report["verdict"], "pass", "{report}");
    let http = http_check(&report);
    assert_eq!(http["status"], "analysed", "{http}");
    assert_eq!(
        http["items"], 1,
        "the ping after consent was searched: {http}"
    );
    assert!(
        findings(&report)
            .iter()
            .all(|f| f["rule"] != "transmission-before-consent"
                && !f["seen_by"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|x| x == "http"))),
        "{report}"
    );
    assert!(
        report["transmission"]["matches"]
            .as_array()
            .expect("matches")
            .iter()
            .all(|m| m["phase"] != "before_consent")
    );
}

/// Pinned Pay posts before consent to a pinned host: nothing is decrypted, the report names
/// the host, and the verdict is not a clean pass (the `http` source is partial: what was sent
/// there is unknown).
#[test]
fn pinned_pay_names_the_pinned_host_and_is_never_clean() {
    let mitmdump = prior_testkit::require_mitmdump!();
    let (report, bundle) = run("pinned-pay-intercept", &mitmdump);
    assert_eq!(report["verdict"], "inconclusive", "{report}");
    let http = http_check(&report);
    assert_eq!(http["status"], "partial", "{http}");
    assert!(
        http["detail"]
            .as_str()
            .is_some_and(|d| d.contains("HTTPS not decrypted before consent")
                && d.contains("api.pinnedpay.example")),
        "{http}"
    );
    let tls = report["transmission"]["tls_failed"]
        .as_array()
        .expect("tls_failed");
    assert_eq!(tls.len(), 1, "{tls:?}");
    assert_eq!(tls[0]["host"], "api.pinnedpay.example");
    assert_eq!(tls[0]["phase"], "before_consent");
    let text = report_of(&bundle, "text", &[]);
    assert!(
        text.contains("Pinned connection to api.pinnedpay.example: not decrypted"),
        "{text}"
    );
    assert!(text.contains("INCONCLUSIVE"), "{text}");
    let html = report_of(&bundle, "html", &[]);
    assert!(
        html.contains("<h2>Transmissions (intercepted traffic)</h2>"),
        "{html}"
    );
    assert!(
        html.contains("<li>Pinned connection to api.pinnedpay.example: not decrypted.</li>"),
        "{html}"
    );
}
