//! The canary app and `prior selftest` (docs/selftest.md).
//!
//! Building and reading the canary needs Debian's smali, aapt, zipalign, apksigner,
//! android-framework-res and dexdump; without them these tests are skipped with a printed
//! reason, unless `PRIOR_REQUIRE_TOOLS=1` (scripts/test), where a missing tool fails them.

use crate::util::{prior, root};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Whether every tool is on PATH and every file installed; otherwise prints why the test is
/// skipped, or fails under `PRIOR_REQUIRE_TOOLS=1` (prior-testkit, docs/testing.md).
fn have_tools(_test: &str, tools: &[&str]) -> bool {
    tools.iter().all(|t| {
        if t.starts_with('/') {
            prior_testkit::require_file(t)
        } else {
            prior_testkit::require_tool(t)
        }
    })
}

fn canary_apk() -> std::path::PathBuf {
    root().join("canary/prior-canary.apk")
}

/// The access list, as `prior selftest --list --format json` prints it.
fn accesses() -> Vec<Value> {
    let out = prior()
        .args(["selftest", "--list", "--format", "json"])
        .output()
        .expect("prior runs");
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["package"], "org.prior.canary");
    v["access"].as_array().expect("access array").clone()
}

#[test]
fn canary_builds_reproducibly_from_its_sources() {
    let tools = [
        "smali",
        "aapt",
        "zipalign",
        "apksigner",
        "/usr/share/android-framework-res/framework-res.apk",
    ];
    if !have_tools("canary_builds_reproducibly_from_its_sources", &tools) {
        return;
    }
    let out = Command::new(root().join("canary/build.sh"))
        .arg("--check")
        .output()
        .expect("canary/build.sh runs");
    assert!(
        out.status.success(),
        "canary/build.sh --check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Splits `dexdump -d` output into method blocks keyed `pkg.Class.method`.
fn dex_methods(dump: &str) -> std::collections::BTreeMap<String, String> {
    let mut methods = std::collections::BTreeMap::new();
    let mut current: Option<String> = None;
    for line in dump.lines() {
        // `0016ac:    |[0016ac] com.bytedance.applog.util.ClipboardReader.read:(Landroid/…)V`
        if let Some(rest) = line.split("|[").nth(1)
            && let Some((_, sig)) = rest.split_once("] ")
            && let Some((name, _)) = sig.split_once(':')
        {
            current = Some(name.to_string());
            methods.entry(name.to_string()).or_insert_with(String::new);
            continue;
        }
        if let Some(m) = &current
            && let Some(body) = methods.get_mut(m)
        {
            body.push_str(line);
            body.push('\n');
        }
    }
    methods
}

#[test]
fn the_canary_code_makes_every_listed_call() {
    if !have_tools("the_canary_code_makes_every_listed_call", &["dexdump"]) {
        return;
    }
    let out = Command::new("dexdump")
        .arg("-d")
        .arg(canary_apk())
        .output()
        .expect("dexdump runs");
    assert!(out.status.success(), "{out:?}");
    let dump = String::from_utf8_lossy(&out.stdout);
    assert!(dump.contains("Class descriptor  : 'Lorg/prior/canary/MainActivity;'"));
    let methods = dex_methods(&dump);
    let before = methods
        .get("org.prior.canary.Canary.beforeConsent")
        .expect("Canary.beforeConsent");
    let list = accesses();
    assert_eq!(list.len(), 11);
    for a in &list {
        let id = a["id"].as_str().expect("id");
        let class = a["class"].as_str().expect("class");
        let method = a["method"].as_str().expect("method");
        let invoke = a["invoke"].as_str().expect("invoke");
        let body = methods
            .get(&format!("{class}.{method}"))
            .unwrap_or_else(|| panic!("{id}: no method {class}.{method} in the DEX"));
        assert!(
            body.lines()
                .any(|l| l.contains("invoke-") && l.contains(invoke)),
            "{id}: {class}.{method} does not call {invoke}:\n{body}"
        );
        if let Some(host) = a["host"].as_str() {
            assert!(
                body.contains(&format!("const-string v0, \"{host}\"")),
                "{id}: no {host} in {class}.{method}"
            );
        }
        // Every pre-consent access is reached from Canary.beforeConsent (directly or through
        // its thread's Runnable), the after-consent one from the 同意 listener.
        let class_ref = format!("L{};", class.replace('.', "/"));
        match a["phase"].as_str() {
            Some("before") => assert!(before.contains(&class_ref), "{id}: {class_ref}"),
            Some("after") => assert!(
                methods["org.prior.canary.ConsentListener.onClick"].contains(&class_ref),
                "{id}"
            ),
            other => panic!("{id}: phase {other:?}"),
        }
    }
}

#[test]
fn inspect_lists_the_sdks_of_the_access_classes() {
    let out = prior()
        .args(["inspect", "--format", "json"])
        .arg(canary_apk())
        .output()
        .expect("prior runs");
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["package"], "org.prior.canary");
    assert_eq!(v["min_sdk"], 24);
    let found: BTreeSet<&str> = v["sdks"]
        .as_array()
        .expect("sdks")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    let listed: BTreeSet<String> = accesses()
        .iter()
        .filter_map(|a| a["sdk"].as_str().map(str::to_string))
        .collect();
    let listed: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    assert_eq!(found, listed);
    assert_eq!(listed.len(), 8);
}

#[test]
fn selftest_on_the_simulated_handset_sees_every_access() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = prior()
        .args(["selftest", "--format", "json", "--out"])
        .arg(out_dir.path())
        .output()
        .expect("prior runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(m["simulated"], true);
    assert_eq!(m["consent"], "accepted");
    assert_eq!(m["passed"], true);
    assert_eq!(m["missed"], Value::Array(Vec::new()));
    assert_eq!(
        (m["seen"].as_u64(), m["expected"].as_u64()),
        (Some(16), Some(16))
    );
    for s in m["sources"].as_array().expect("sources") {
        assert_eq!(s["available"], true, "{s}");
        assert_eq!(s["seen"], s["expected"], "{s}");
    }
    let rows = m["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 11);
    // Every access is revealed by at least one source.
    for r in rows {
        let cells = r["cells"].as_object().expect("cells");
        assert!(cells.values().any(|c| c == "seen"), "{r}");
    }
    // The bundle keeps the matrix and the report beside the evidence.
    let bundle = Path::new(m["bundle"].as_str().expect("bundle"));
    assert!(bundle.starts_with(out_dir.path()));
    assert!(bundle.join("selftest.json").is_file());
    assert!(bundle.join("report.json").is_file());

    // Re-checking the same bundle gives the same verdict, as a table.
    let again = prior()
        .args(["selftest", "--bundle"])
        .arg(bundle)
        .output()
        .expect("prior runs");
    let text = String::from_utf8_lossy(&again.stdout);
    assert_eq!(again.status.code(), Some(0), "{text}");
    assert!(text.contains("overall recall 16/16 (100%): PASS"), "{text}");
    assert!(text.contains("SIMULATED handset"), "{text}");
}

#[test]
fn selftest_refuses_a_bundle_of_another_app() {
    let out = prior()
        .args(["selftest", "--bundle"])
        .arg(root().join("tests/data/bundles/leaky"))
        .output()
        .expect("prior runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not the canary"),
        "{out:?}"
    );
}

#[test]
fn selftest_on_a_user_build_shows_ipc_unavailable_not_missed() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = prior()
        .args([
            "selftest",
            "--profile",
            "api33-user",
            "--format",
            "json",
            "--out",
        ])
        .arg(out_dir.path())
        .output()
        .expect("prior runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: Value = serde_json::from_str(&stdout).expect("JSON");
    let ipc = &m["sources"][0];
    assert_eq!(ipc["source"], "ipc");
    assert_eq!(ipc["available"], false, "{ipc}");
    assert_eq!(ipc["status"], "unavailable", "{ipc}");
    assert!(
        ipc["note"]
            .as_str()
            .is_some_and(|n| n.contains("ro.debuggable=0")),
        "{ipc}"
    );
    for r in m["rows"].as_array().expect("rows") {
        let cell = &r["cells"]["ipc"];
        assert!(cell == "unavailable" || cell == "not_expected", "{r}");
    }
    // The other sources still reveal what they can: app-ops 2, logcat 4, net 1.
    assert_eq!(
        (m["seen"].as_u64(), m["expected"].as_u64()),
        (Some(7), Some(7))
    );
    assert_eq!(m["passed"], true);
}

#[test]
fn selftest_profile_is_for_the_simulated_handset_only() {
    let out = prior()
        .args([
            "selftest",
            "--profile",
            "api33-user",
            "--device",
            "emulator-5554",
        ])
        .output()
        .expect("prior runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = prior()
        .args(["selftest", "--profile", "api99-user"])
        .output()
        .expect("prior runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
