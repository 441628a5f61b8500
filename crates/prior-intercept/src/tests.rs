use super::*;

#[test]
fn the_version_line_is_read() {
    let out = "Mitmproxy: 11.0.2\nPython:    3.11.7\nOpenSSL:   OpenSSL 3.4.1\n";
    assert_eq!(parse_version(out).as_deref(), Some("11.0.2"));
    assert_eq!(parse_version("mitmproxy\n"), None);
    assert_eq!(parse_version("Mitmproxy:   \n"), None);
}

#[test]
fn an_explicit_mitmdump_must_be_executable() {
    let e = locate_in(Some("/nonexistent/mitmdump".into()), OsString::new()).unwrap_err();
    assert!(e.to_string().contains("PRIOR_MITMDUMP"), "{e}");
    assert!(e.to_string().contains(PINNED_VERSION), "{e}");
    let e = locate_in(None, OsString::from("/nonexistent")).unwrap_err();
    assert!(e.to_string().contains("no `mitmdump` on PATH"), "{e}");
}

#[test]
fn the_addon_answers_locally_and_blocks_upstream() {
    // The shipped addon keeps the promises docs/interception.md makes.
    for needle in [
        "flow.response = http.Response.make(",
        "def server_connect(",
        "data.server.error =",
        "def tls_failed_client(",
        "\"event\": \"stopped\"",
    ] {
        assert!(ADDON.contains(needle), "addon lacks {needle}");
    }
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// The real mitmdump: it starts on loopback with a per-session CA, records a plain-HTTP
/// request sent through it (answered by the addon, nothing upstream), and writes its
/// started/stopped lines.
#[test]
fn a_real_mitmdump_records_a_flow_and_stops() {
    let program = prior_testkit::require_mitmdump!();
    assert!(version(&program).is_ok_and(|v| v.starts_with("11.")));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("http.jsonl");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("work dir");
    let m = Mitmdump::start(&MitmOptions {
        program,
        out: out.clone(),
        work_dir: work,
        ready_timeout: Duration::from_secs(60),
        port: None,
    })
    .expect("mitmdump starts");
    assert!(m.listen().ip().is_loopback());
    let pem = m.ca_cert_pem().expect("CA");
    assert!(String::from_utf8_lossy(&pem).contains("BEGIN CERTIFICATE"));
    let mut s = TcpStream::connect(m.listen()).expect("connect");
    use std::io::Write;
    s.write_all(
        b"POST http://example.invalid/collect?a=1 HTTP/1.1\r\nHost: example.invalid\r\nContent-Length: 9\r\nConnection: close\r\n\r\nimei=1234",
    )
    .expect("send");
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("answered-locally"), "{reply}");
    let stopped = m.stop(Duration::from_secs(10));
    assert!(stopped.clean && stopped.stopped_line, "{stopped:?}");
    let recs = lines(&out);
    assert_eq!(
        recs.first().map(|r| r["event"].clone()),
        Some("started".into())
    );
    let flow = recs
        .iter()
        .find(|r| r["type"] == "flow")
        .expect("a flow line");
    assert_eq!(flow["method"], "POST");
    assert_eq!(flow["host"], "example.invalid");
    assert_eq!(flow["path"], "/collect?a=1");
    assert_eq!(flow["request_body_b64"], "aW1laT0xMjM0");
    assert!(
        flow["host_us"]
            .as_i64()
            .is_some_and(|t| t > 1_600_000_000_000_000)
    );
    assert!(recs.iter().all(|r| r["type"] != "upstream_blocked"));
    assert_eq!(
        recs.last().map(|r| r["event"].clone()),
        Some("stopped".into())
    );
}

/// `scripts/test` installs exactly the version `prior doctor` asks for.
#[test]
fn scripts_test_pins_the_same_mitmproxy() {
    let script = include_str!("../../../scripts/test");
    assert!(
        script.contains(&format!("MITMPROXY_VERSION={PINNED_VERSION}\n")),
        "scripts/test must pin mitmproxy {PINNED_VERSION}"
    );
}

#[test]
fn the_system_ca_file_name_is_openssls_subject_hash_old() {
    let pem = include_bytes!("../../../tests/data/intercept/ca-subject-mitmproxy.pem");
    assert_eq!(subject_hash_old(pem).as_deref(), Some("c8750f0d"));
    assert_eq!(subject_hash_old(b"not a certificate"), None);
    let cut = &pem[..pem.len() / 2];
    assert_eq!(subject_hash_old(cut), None);
}
