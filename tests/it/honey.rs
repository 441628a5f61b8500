//! Honey data (issue 18, docs/interception.md, Honey data): `prior run` sets and reads known values on the
//! device before the first launch and keeps them in `raw/device/honey.json`, sealed by the
//! manifest, with a harness note and one `honey` collector record per value it could not
//! obtain. On a user build reached through Debian's `adb` (no console Prior can reach, no
//! `su`), some values become unavailable with the reason.

use crate::util::{Adb, Sim, prior, root};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Runs `scenario` (extra `prior run` arguments, env) and returns the one bundle.
fn run(scenario: &Path, extra: &[&str], envs: &[(&str, String)]) -> PathBuf {
    let out = tempfile::tempdir().expect("tempdir").keep();
    let mut cmd = prior();
    cmd.arg("run")
        .arg(scenario)
        .args(["--format", "json", "--out"])
        .arg(&out)
        .args(extra);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let output = cmd
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run prior");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "exit {:?}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_dir(&out)
        .expect("out dir")
        .next()
        .expect("one bundle")
        .expect("entry")
        .path()
}

fn honey(bundle: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(bundle.join("raw/device/honey.json")).expect("honey.json");
    let v: Value = serde_json::from_str(&text).expect("honey.json is JSON");
    assert_eq!(v["format"], 1);
    v["values"].as_array().expect("values").clone()
}

fn kind<'a>(values: &'a [Value], k: &str) -> &'a Value {
    values
        .iter()
        .find(|v| v["kind"] == k)
        .unwrap_or_else(|| panic!("no {k} in {values:?}"))
}

fn harness(bundle: &Path) -> Vec<Value> {
    std::fs::read_to_string(bundle.join("harness.jsonl"))
        .expect("harness")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a harness line")["record"].clone())
        .collect()
}

/// Leaky Shop on the in-process handset (API 33 userdebug): every kind is in the file, in the
/// state the handset allows, the values are the handset's own, and the file is sealed.
#[test]
fn a_run_on_the_simulated_handset_writes_every_honey_value_with_its_state() {
    let bundle = run(&root().join("scenarios/demo/leaky-shop.yaml"), &[], &[]);
    let manifest = std::fs::read_to_string(bundle.join("MANIFEST.sha256")).expect("manifest");
    assert!(manifest.contains("  raw/device/honey.json\n"), "{manifest}");
    let v = honey(&bundle);
    let expected = [
        ("imei", "read", Some("358240051111110")),
        ("serial", "read", Some("SIMULATED0001")),
        ("phone_number", "unavailable", None),
        ("sim_serial", "unavailable", None),
        ("iccid", "unavailable", None),
        ("imsi", "unavailable", None),
        ("android_id", "unavailable", None),
        ("advertising_id", "unavailable", None),
        ("wifi_mac", "read", None),
        ("wifi_ssid", "read", Some("AndroidWifi")),
        ("bt_mac", "unavailable", None),
        ("location", "set", Some("39.916527,116.397128")),
        ("contact_name", "set", Some("Priorhoney Lindqvist")),
        ("contact_phone", "set", Some("+8613900427123")),
        (
            "contact_email",
            "set",
            Some("lindqvist.7q4f@priorhoney.invalid"),
        ),
        ("calendar_title", "set", Some("Priorhoney dentist 7Q4F")),
        ("clipboard", "unavailable", None),
    ];
    assert_eq!(v.len(), expected.len(), "{v:?}");
    for (k, state, value) in expected {
        let e = kind(&v, k);
        assert_eq!(e["state"], state, "{k}: {e}");
        if let Some(value) = value {
            assert_eq!(e["value"], value, "{k}: {e}");
        }
        if state == "unavailable" {
            assert!(e.get("value").is_none(), "{k}: {e}");
            assert!(
                e["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{k}: {e}"
            );
        } else {
            assert!(
                e["obtained"].as_str().is_some_and(|o| !o.is_empty()),
                "{k}: {e}"
            );
        }
    }
    let mac = kind(&v, "wifi_mac")["value"].as_str().expect("mac");
    assert!(mac.starts_with("02:15:b2:") && mac.len() == 17, "{mac}");
    assert_eq!(kind(&v, "imei")["category"], "device_identifiers");
    assert_eq!(kind(&v, "location")["lat"], 39.916527);
    assert!(
        kind(&v, "location")["obtained"]
            .as_str()
            .expect("obtained")
            .ends_with("geo fix 116.397128 39.916527")
    );
    // the harness says what was set and read, and records each unavailable value
    let h = harness(&bundle);
    let note = h
        .iter()
        .filter_map(|r| r["text"].as_str())
        .find(|t| t.starts_with("honey data in raw/device/honey.json"))
        .expect("a honey note");
    assert!(note.contains("set location, contact_name"), "{note}");
    let honey_collectors: Vec<&Value> = h
        .iter()
        .filter(|r| r["type"] == "collector" && r["source"] == "honey")
        .collect();
    assert_eq!(honey_collectors.len(), 8, "{honey_collectors:?}");
    assert!(honey_collectors.iter().any(|r| {
        r["reason"]
            .as_str()
            .unwrap_or("")
            .starts_with("android_id: since API 26")
    }));
    // before the first launch: the honey note precedes the launch record
    let pos = |pred: &dyn Fn(&Value) -> bool| h.iter().position(pred).expect("record");
    let honey_at = pos(&|r| {
        r["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("honey data"))
    });
    let launch_at = pos(&|r| r["type"] == "launch");
    assert!(
        honey_at < launch_at,
        "honey at {honey_at}, launch at {launch_at}"
    );
}

/// `honey: false` leaves the device alone: no file, one note.
#[test]
fn honey_false_writes_no_honey_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = root().join("scenarios/demo");
    let text = format!(
        "name: Polite News without honey\napp: {{ apk: {} }}\ndevice: {{ simulated: {{ models: {}, seed: 1 }} }}\n\
         profile: gdpr\nconsent: {{ mode: auto, timeout: 15s, screen: {{ text: \"(?i)privacy\" }}, accept: {{ text: \"^Accept$\" }} }}\n\
         steps:\n  - launch\n  - wait: 2s\n  - accept_consent\nhoney: false\n",
        demo.join("apps/polite-news.apk").display(),
        demo.join("models").display()
    );
    let scenario = dir.path().join("no-honey.yaml");
    std::fs::write(&scenario, text).expect("write");
    let bundle = run(&scenario, &[], &[]);
    assert!(!bundle.join("raw/device/honey.json").exists());
    let h = harness(&bundle);
    assert!(
        h.iter()
            .any(|r| r["text"] == "honey data skipped (honey: false in the scenario)"),
        "{h:?}"
    );
}

/// An Android 13 user build behind Debian's adb: no console Prior can reach (location
/// unavailable), no `su` (advertising ID unavailable, with the user build as the reason); the
/// contact still goes in (the shell holds WRITE_CONTACTS on every build).
#[test]
fn on_a_user_build_behind_adb_some_values_are_unavailable_with_the_reason() {
    prior_testkit::require_tool!("adb");
    let sim = Sim::start_with(
        &root().join("scenarios/demo/models"),
        &["--profile", "api33-user"],
    );
    let adb = Adb::start();
    adb.connect(&sim.addr);
    let bundle = run(
        &root().join("scenarios/demo/leaky-shop.yaml"),
        &["--device", &sim.addr],
        &[("ANDROID_ADB_SERVER_PORT", adb.port.to_string())],
    );
    let v = honey(&bundle);
    let ad = kind(&v, "advertising_id");
    assert_eq!(ad["state"], "unavailable");
    assert!(
        ad["reason"]
            .as_str()
            .expect("reason")
            .contains("a user build has no `su`"),
        "{ad}"
    );
    let loc = kind(&v, "location");
    assert_eq!(loc["state"], "unavailable");
    assert!(
        loc["reason"].as_str().expect("reason").contains("console"),
        "{loc}"
    );
    assert_eq!(kind(&v, "contact_name")["state"], "set");
    assert_eq!(kind(&v, "imei")["state"], "read");
    let h = harness(&bundle);
    assert!(h.iter().any(|r| {
        r["type"] == "collector"
            && r["source"] == "honey"
            && r["cause"] == "user_build"
            && r["reason"]
                .as_str()
                .unwrap_or("")
                .starts_with("advertising_id: ")
    }));
}
