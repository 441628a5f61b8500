//! Basic CLI behaviour: help, exit codes, `parse`, `ui`, `check`.

use crate::util::{data, prior};
use predicates::prelude::*;

#[test]
fn help_lists_the_commands() {
    let out = prior()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    for cmd in ["check", "parse", "ui"] {
        assert!(text.contains(cmd), "{cmd} missing from --help:\n{text}");
    }
}

#[test]
fn a_usage_error_exits_2() {
    prior().arg("no-such-command").assert().code(2);
    prior().args(["parse", "nonsense", "x"]).assert().code(2);
}

#[test]
fn a_missing_file_is_an_input_error_naming_it() {
    prior()
        .args(["parse", "ipc", "/nonexistent/dump.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/dump.txt"));
}

#[test]
fn parse_ipc_prints_one_json_object_per_trace() {
    let out = prior()
        .args(["parse", "ipc"])
        .arg(data("ipc/ipc-trace-aosp-fixture-1.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let traces: Vec<_> = lines.iter().filter(|v| v["record"] == "trace").collect();
    assert_eq!(traces.len(), 2);
    assert_eq!(traces[0]["count"], 2);
    assert_eq!(traces[1]["count"], 18);
    assert_eq!(
        traces[1]["call"]["short_name"],
        "IApplicationThread.scheduleBindService"
    );
    assert_eq!(traces[0]["process"], "system");
}

#[test]
fn parse_logcat_decodes_process_starts() {
    let out = prior()
        .args(["parse", "logcat"])
        .arg(data("logcat/logcat-events-launch-1.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    let first: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
    assert_eq!(first["am_event"]["kind"], "proc_start");
    assert_eq!(first["am_event"]["pid"], 13252);
    assert_eq!(first["am_event"]["uid"], 10104);
    assert_eq!(
        text.lines().count(),
        23,
        "one record per line of the 23-line sample"
    );
}

#[test]
fn parse_output_survives_a_closed_pipe() {
    // `prior parse … | head -1`: stdout closes early; the command must not report an error.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("prior"))
        .args(["parse", "logcat"])
        .arg(data("logcat/logcat-events-launch-1.txt"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn prior");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.code() == Some(0),
        "exit {:?}, stderr {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ui_finds_the_chinese_accept_button_in_a_clickable_parent() {
    let out = prior()
        .arg("ui")
        .arg(data("cli/consent-zh.xml"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(v["consent_screen"], true);
    assert_eq!(v["accept"]["text"], "同意");
    assert_eq!(v["accept"]["resource_id"], "com.leaky.shop:id/btn_agree");
    assert_eq!(
        v["accept"]["bounds"],
        serde_json::json!([564, 1400, 984, 1544])
    );
    assert_eq!(v["accept"]["center"], serde_json::json!([774, 1472]));
    assert_eq!(v["reject"]["text"], "不同意");
    assert_eq!(v["reject"]["center"], serde_json::json!([306, 1472]));
}

#[test]
fn ui_on_a_dump_without_consent_says_so() {
    prior()
        .args(["ui", "--format", "text"])
        .arg(data("ui/uiautomator-dump-talos-1.xml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("consent screen: no"));
}

#[test]
fn parse_net_prints_hosts_and_keeps_what_precedes_a_truncation() {
    // A real tcpdump capture of loopback (tests/data/net/PROVENANCE.md).
    let pcap = std::fs::read(data("net/loopback.pcap")).unwrap();
    let out = prior()
        .args(["parse", "net", "-"])
        .write_stdin(pcap.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let hosts: Vec<(&str, &str)> = lines
        .iter()
        .filter(|v| v["record"] == "net")
        .map(|v| (v["kind"].as_str().unwrap(), v["host"].as_str().unwrap()))
        .collect();
    assert!(hosts.contains(&("tls-sni", "sni.example.net")), "{hosts:?}");
    assert!(
        hosts.contains(&("http-host", "www.example.org")),
        "{hosts:?}"
    );
    // Cut inside the last packet: everything before it is printed, then exit 2 with the offset.
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.pcap");
    std::fs::write(&cut, &pcap[..pcap.len() - 10]).unwrap();
    let out = prior()
        .args(["parse", "net"])
        .arg(&cut)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cut.pcap"))
        .stderr(predicate::str::contains("truncated"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("sni.example.net"), "{text}");
}
