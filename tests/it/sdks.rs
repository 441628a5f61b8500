//! `prior inspect` and SDK attribution end to end.

use crate::util::{data, prior};
use serde_json::Value;

#[test]
fn inspect_prints_text_and_json_for_a_real_apk() {
    let apk = data("apks/app-uiautomator.apk");
    let out = prior().arg("inspect").arg(&apk).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "package        com.github.uiautomator",
        "! android.permission.GET_ACCOUNTS",
        "classes.dex: version 035, 1714 classes",
        "certificate  sha256 ",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
    let out = prior()
        .arg("inspect")
        .arg(&apk)
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["package"], "com.github.uiautomator");
    assert_eq!(v["dex"][0]["classes"], 1714);
    let perms = v["permissions"].as_array().expect("list");
    let dangerous: Vec<&str> = perms
        .iter()
        .filter(|p| p["dangerous"] == true)
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(dangerous, ["android.permission.GET_ACCOUNTS"]);
}

#[test]
fn inspect_rejects_a_non_apk_with_exit_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.apk");
    std::fs::write(&bad, b"PK\x03\x04 truncated").expect("write");
    let out = prior().arg("inspect").arg(&bad).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("failed to read APK"), "{err}");
}

/// Runs the leaky-shop demo (Umeng-style init in `Application.onCreate`) and returns the JSON
/// report and the bundle directory.
fn leaky_shop() -> (Value, std::path::PathBuf, tempfile::TempDir) {
    let out = tempfile::tempdir().expect("tempdir");
    let output = prior()
        .arg("run")
        .arg(crate::util::root().join("scenarios/demo/leaky-shop.yaml"))
        .args(["--format", "json", "--out"])
        .arg(out.path())
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run prior");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}):\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let bundle = std::fs::read_dir(out.path())
        .expect("out")
        .next()
        .expect("a bundle")
        .expect("entry")
        .path();
    (report, bundle, out)
}

#[test]
fn leaky_shop_findings_name_umeng_and_group_by_actor_and_sdks_lists_it_before_consent() {
    let (r, bundle, _keep) = leaky_shop();
    let findings = r["findings"].as_array().expect("findings");
    let umeng: Vec<&Value> = findings
        .iter()
        .filter(|f| f["actor"]["name"] == "Umeng")
        .collect();
    assert!(!umeng.is_empty(), "no finding names Umeng: {findings:#?}");
    for f in &umeng {
        assert_eq!(f["actor"]["kind"], "sdk");
        assert_eq!(f["phase"], "before_consent");
        let reason = f["actor"]["reason"].as_str().expect("reason");
        if f["source"] == "net" {
            // Its hosts in the network capture are Umeng's by the host (the capture has no uid).
            assert!(
                reason.starts_with("host ") && reason.contains("umeng.com"),
                "{reason}"
            );
        } else {
            assert!(
                reason.starts_with("stack frame com.umeng.")
                    && reason.ends_with("(confidence high)"),
                "{reason}"
            );
        }
    }
    assert!(
        umeng.iter().any(|f| f["source"] != "net"),
        "stack-frame findings remain"
    );
    // The app's own code (its package prefix) is named as the app.
    assert!(
        findings.iter().any(
            |f| f["actor"]["kind"] == "app" && f["actor"]["name"] == "com.prior.demo.leakyshop"
        ),
        "{findings:#?}"
    );
    // The text report groups findings by actor.
    let text = prior()
        .arg("analyze")
        .arg(&bundle)
        .output()
        .expect("analyze");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("grouped by who collected"), "{text}");
    assert!(
        text.contains(&format!("  SDK Umeng ({}):", umeng.len())),
        "{text}"
    );
    assert!(
        text.contains("  The app itself (com.prior.demo.leakyshop)"),
        "{text}"
    );

    // `prior sdks BUNDLE`: Umeng active before consent, not after.
    let out = prior()
        .arg("sdks")
        .arg(&bundle)
        .args(["--format", "json"])
        .output()
        .expect("sdks");
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let counted = v["events_counted"].as_u64().expect("counted");
    assert!(counted > 0 && counted <= v["events_total"].as_u64().expect("total"));
    let row = v["sdks"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|s| s["name"] == "Umeng")
        .expect("Umeng row");
    assert!(row["before_consent"].as_u64().expect("n") >= umeng.len() as u64);
    assert_eq!(row["after_consent"], 0);
    assert_eq!(row["present"], Value::Null);
    // With an APK that does not contain Umeng, the row says so.
    let out = prior()
        .arg("sdks")
        .arg(&bundle)
        .arg("--apk")
        .arg(data("apks/app-uiautomator.apk"))
        .output()
        .expect("sdks");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Umeng "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(" NO "), "{line}");
}

#[test]
fn sdks_of_an_apk_with_an_overriding_catalogue() {
    let dir = tempfile::tempdir().expect("tmp");
    let cat = dir.path().join("sdks.toml");
    std::fs::write(
        &cat,
        "name = \"t\"\nversion = \"1\"\n[[sdk]]\nid = \"nanohttpd\"\nname = \"NanoHTTPD\"\n\
         vendor = \"NanoHTTPD\"\ncategory = \"other\"\npackages = [\"fi.iki.elonen\"]\nsource = \"test\"\n",
    )
    .expect("write");
    let apk = data("apks/app-uiautomator.apk");
    let out = prior().arg("sdks").arg(&apk).output().expect("sdks");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("none found"));
    let out = prior()
        .arg("sdks")
        .arg(&apk)
        .arg("--sdk-catalogue")
        .arg(&cat)
        .args(["--format", "json"])
        .output()
        .expect("sdks");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["sdks"][0]["name"], "NanoHTTPD");
    assert_eq!(v["sdks"][0]["present"], true);
    // A broken catalogue is an input error.
    std::fs::write(&cat, "name = 1").expect("write");
    let out = prior()
        .arg("sdks")
        .arg(&apk)
        .arg("--sdk-catalogue")
        .arg(&cat)
        .output()
        .expect("sdks");
    assert_eq!(out.status.code(), Some(2));
}

/// `prior sdks` on a manifest-only demo APK explains why Umeng is "in APK: NO" yet active: the
/// APK has no code at all, and the SDK was recognised at run time by stack frames and hosts.
#[test]
fn sdks_explains_an_sdk_active_but_absent_from_a_manifest_only_apk() {
    let (_r, bundle, _keep) = leaky_shop();
    let apk = crate::util::root().join("scenarios/demo/apps/leaky-shop.apk");
    let out = prior()
        .arg("sdks")
        .arg(&bundle)
        .arg("--apk")
        .arg(&apk)
        .output()
        .expect("sdks");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("Umeng "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains(" NO "), "{row}");
    // the note, wrapped over indented lines, read as one
    let note = text
        .split("  note: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no explanation:\n{text}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        note.starts_with("Umeng is \"in APK: NO\" but active:"),
        "{note}"
    );
    assert!(note.contains("the APK carries no code at all"), "{note}");
    assert!(note.contains("recognised at run time by"), "{note}");
    assert!(note.contains("stack frames ("), "{note}");
    assert!(note.contains("hosts ("), "{note}");

    let out = prior()
        .arg("sdks")
        .arg(&bundle)
        .arg("--apk")
        .arg(&apk)
        .args(["--format", "json"])
        .output()
        .expect("sdks");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["apk_has_code"], false);
    let umeng = v["sdks"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|s| s["name"] == "Umeng")
        .expect("Umeng row");
    assert_eq!(umeng["present"], false);
    let by = &umeng["recognised_by"];
    let frames = by["stack frame"].as_u64().expect("stack frames");
    let hosts = by["host"].as_u64().expect("hosts");
    let total =
        umeng["before_consent"].as_u64().unwrap() + umeng["after_consent"].as_u64().unwrap();
    assert!(frames > 0 && hosts > 0, "{by}");
    assert_eq!(
        by.as_object()
            .expect("map")
            .values()
            .filter_map(Value::as_u64)
            .sum::<u64>(),
        total,
        "every active event is counted under one signal"
    );
    assert!(umeng["note"].as_str().expect("note").contains("no code"));

    // An APK with code that lacks the SDK gets the other explanation.
    let out = prior()
        .arg("sdks")
        .arg(&bundle)
        .arg("--apk")
        .arg(data("apks/app-uiautomator.apk"))
        .output()
        .expect("sdks");
    let text = String::from_utf8_lossy(&out.stdout);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("not found in the APK's code or manifest, yet recognised at run time by"),
        "{text}"
    );
    assert!(!text.contains("carries no code"), "{text}");

    // The manifest-only APK alone: nothing found, and why.
    let out = prior().arg("sdks").arg(&apk).output().expect("sdks");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("none found"), "{text}");
    assert!(text.contains("carries no code at all"), "{text}");
}

/// Issue 16, item 4, end to end on the real Appium Settings APK (tests/data/apks/SOURCES.md):
/// Firebase and Google Sign-In are only referenced (Play services' base libraries define a few of
/// their types), Play services location is embedded; text and JSON say so with the evidence.
#[test]
fn sdks_and_inspect_tell_embedded_from_referenced_only_on_a_real_apk() {
    let apk = data("apks/appium-settings.apk");
    let out = prior().arg("sdks").arg(&apk).output().expect("sdks");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let row = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
            .to_owned()
    };
    assert!(row("Firebase (core").contains(" ref-only "), "{text}");
    assert!(row("Google Sign-In").contains(" ref-only "), "{text}");
    assert!(
        row("Google Play services location").contains(" yes "),
        "{text}"
    );
    assert!(
        text.contains("note: Google Sign-In is only referenced"),
        "{text}"
    );
    let out = prior()
        .arg("sdks")
        .arg(&apk)
        .args(["--format", "json"])
        .output()
        .expect("sdks");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let sdk = |id: &str| {
        v["sdks"]
            .as_array()
            .expect("sdks")
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing: {v}"))
            .clone()
    };
    assert_eq!(sdk("firebase-core")["confidence"], "referenced-only");
    assert_eq!(sdk("firebase-core")["present"], false);
    assert_eq!(sdk("google-signin")["confidence"], "referenced-only");
    assert_eq!(sdk("google-location")["confidence"], "embedded");
    assert_eq!(sdk("google-location")["present"], true);
    assert!(
        sdk("google-location")["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e == "file play-services-location.properties"),
        "{v}"
    );
    let out = prior().arg("inspect").arg(&apk).output().expect("inspect");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("evidence: entry point com.google.android.gms.location.FusedLocationProviderClient defined"),
        "{text}"
    );
}
