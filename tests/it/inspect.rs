//! `prior inspect`'s manifest facts end to end (issue 16, items 1, 2, 3, 6, 8) on real APKs
//! from tests/data/apks (SOURCES.md), checked against Debian's `aapt` where it is installed.

use crate::util::{data, prior};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn inspect_json(apk: &Path) -> Value {
    let out = prior()
        .arg("inspect")
        .arg(apk)
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("json")
}

fn inspect_text(apk: &Path) -> String {
    let out = prior().arg("inspect").arg(apk).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn component<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing: {v:#}"))
}

/// `aapt dump badging` lines starting with `key:` (Debian's aapt).
fn badging(apk: &Path, key: &str) -> Vec<String> {
    let out = Command::new("aapt")
        .args(["dump", "badging"])
        .arg(apk)
        .output()
        .expect("aapt");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix(key))
        .map(str::to_owned)
        .collect()
}

/// `(kind, android:name as written)` of every component `aapt dump xmltree` shows.
fn xmltree_components(apk: &Path) -> Vec<(String, String)> {
    let out = Command::new("aapt")
        .args(["dump", "xmltree"])
        .arg(apk)
        .arg("AndroidManifest.xml")
        .output()
        .expect("aapt");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let kinds = [
        "activity",
        "activity-alias",
        "service",
        "receiver",
        "provider",
    ];
    let mut v = Vec::new();
    let mut open: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(tag) = line.strip_prefix("E: ") {
            let tag = tag.split_whitespace().next().unwrap_or_default();
            open = kinds.contains(&tag).then(|| tag.to_owned());
        } else if let Some(kind) = &open
            && line.starts_with("A: android:name(")
            && let Some(raw) = line.split_once("=\"").map(|x| x.1)
            && let Some(name) = raw.split_once('"').map(|x| x.0)
        {
            v.push((kind.clone(), name.to_owned()));
            open = None;
        }
    }
    v
}

/// The `name='…'` of a badging line.
fn quoted_name(line: &str) -> Option<&str> {
    let rest = line.split_once("name='")?.1;
    Some(rest.split_once('\'')?.0)
}

#[test]
fn launcher_of_a_real_app_matches_aapt_in_text_and_json() {
    let apk = data("apks/app-uiautomator.apk");
    let v = inspect_json(&apk);
    assert_eq!(v["launcher"]["name"], "com.github.uiautomator.MainActivity");
    assert_eq!(v["launcher"]["kind"], "activity");
    assert!(v["launcher"]["target_activity"].is_null());
    let text = inspect_text(&apk);
    assert!(
        text.contains("  launcher       com.github.uiautomator.MainActivity\n"),
        "{text}"
    );
    // SDK levels are numbers (issue 16, item 6); max is absent → null.
    assert_eq!(v["min_sdk"], 19);
    assert_eq!(v["target_sdk"], 32);
    assert!(v["max_sdk"].is_null());
    if prior_testkit::require_tool("aapt") {
        let got = badging(&apk, "launchable-activity:");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(quoted_name(&got[0]), v["launcher"]["name"].as_str());
        assert_eq!(badging(&apk, "sdkVersion:"), ["'19'"]);
        assert_eq!(badging(&apk, "targetSdkVersion:"), ["'32'"]);
        let ours: Vec<(String, String)> = v["components"]
            .as_array()
            .expect("list")
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap_or_default().to_owned(),
                    c["name_declared"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert!(!ours.is_empty());
        assert_eq!(ours, xmltree_components(&apk));
    }
}

#[test]
fn appium_settings_launcher_levels_and_components_match_aapt() {
    // A second real app (tests/data/apks/SOURCES.md): 19 components, v2-signed, target 35.
    let apk = data("apks/appium-settings.apk");
    let v = inspect_json(&apk);
    assert_eq!(v["launcher"]["name"], "io.appium.settings.Settings");
    assert_eq!(
        (&v["min_sdk"], &v["target_sdk"]),
        (&Value::from(26), &Value::from(35))
    );
    assert!(v["max_sdk"].is_null());
    let gms = component(&v, "com.google.android.gms.common.api.GoogleApiActivity");
    assert_eq!(
        (&gms["exported"], &gms["exported_basis"]),
        (&Value::from(false), &Value::from("declared"))
    );
    if prior_testkit::require_tool("aapt") {
        let got = badging(&apk, "launchable-activity:");
        assert_eq!(quoted_name(&got[0]), v["launcher"]["name"].as_str());
        assert_eq!(badging(&apk, "sdkVersion:"), ["'26'"]);
        assert_eq!(badging(&apk, "targetSdkVersion:"), ["'35'"]);
        let ours: Vec<(String, String)> = v["components"]
            .as_array()
            .expect("list")
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap_or_default().to_owned(),
                    c["name_declared"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert_eq!(ours.len(), 19);
        assert_eq!(ours, xmltree_components(&apk));
    }
}

#[test]
fn relative_names_alias_launcher_exported_defaults_and_startup() {
    let apk = data("apks/manifest-rules.apk");
    let v = inspect_json(&apk);
    let p = "org.prior.fixture.rules";
    assert_eq!(v["package"], p);
    assert_eq!(
        (&v["min_sdk"], &v["target_sdk"], &v["max_sdk"]),
        (&Value::from(14), &Value::from(16), &Value::from(34))
    );
    assert_eq!(v["application_class"], format!("{p}.App"));
    // Launcher: the disabled MAIN/LAUNCHER activity is skipped; the alias is the launcher and
    // its target is resolved.
    assert_eq!(v["launcher"]["name"], format!("{p}.Launcher"));
    assert_eq!(v["launcher"]["kind"], "activity-alias");
    assert_eq!(
        v["launcher"]["target_activity"],
        format!("{p}.ui.SplashActivity")
    );
    // Relative names resolved (`.x` and no dot), the declared form kept.
    let splash = component(&v, &format!("{p}.ui.SplashActivity"));
    assert_eq!(splash["name_declared"], ".ui.SplashActivity");
    assert_eq!(splash["exported"], true);
    assert_eq!(splash["exported_basis"], "default_intent_filter");
    let main = component(&v, &format!("{p}.MainActivity"));
    assert_eq!(main["name_declared"], "MainActivity");
    assert_eq!(
        (&main["exported"], &main["exported_basis"]),
        (
            &Value::from(false),
            &Value::from("default_no_intent_filter")
        )
    );
    let sync = component(&v, &format!("{p}.sync.SyncService"));
    assert_eq!(
        (&sync["exported"], &sync["exported_basis"]),
        (&Value::from(false), &Value::from("declared"))
    );
    assert_eq!(
        component(&v, &format!("{p}.BootReceiver"))["exported_basis"],
        "default_intent_filter"
    );
    // targetSdk 16: a provider without android:exported is exported.
    let legacy = component(&v, &format!("{p}.data.LegacyProvider"));
    assert_eq!(
        (&legacy["exported"], &legacy["exported_basis"]),
        (
            &Value::from(true),
            &Value::from("default_provider_legacy_target")
        )
    );
    for c in v["components"].as_array().expect("list") {
        assert_eq!(c["exported_required_missing"], false, "{c}");
    }
    // androidx.startup: the two initializers, not the unrelated meta-data; Firebase's is
    // auto-init through it.
    assert_eq!(
        v["startup_initializers"],
        serde_json::json!([
            "com.google.firebase.FirebaseInitializer",
            "androidx.work.WorkManagerInitializer"
        ])
    );
    let firebase = v["sdks"]
        .as_array()
        .expect("sdks")
        .iter()
        .find(|s| {
            s["startup_initializers"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        })
        .expect("an SDK started by androidx.startup");
    assert_eq!(firebase["auto_init"], true);
    assert_eq!(
        firebase["startup_initializers"],
        serde_json::json!(["com.google.firebase.FirebaseInitializer"])
    );

    let text = inspect_text(&apk);
    for want in [
        &format!("  launcher       {p}.Launcher (activity-alias of {p}.ui.SplashActivity)\n"),
        &format!(
            "activity       {p}.ui.SplashActivity  [declared as .ui.SplashActivity, exported (default: has an intent filter)]"
        ),
        "not exported (default: no intent filter)",
        "exported (default: provider, targetSdk ≤ 16)",
        "androidx.startup initializers (2, AUTO-INIT before Application.onCreate):\n  com.google.firebase.FirebaseInitializer\n  androidx.work.WorkManagerInitializer\n",
        "via androidx.startup: com.google.firebase.FirebaseInitializer",
        "  sdk            min 14 / target 16 / max 34\n",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
    assert!(!text.contains("NotAnInitializer"), "{text}");

    if prior_testkit::require_tool("aapt") {
        // aapt agrees on the levels; it names the disabled activity as launchable, which the
        // home screen does not list (docs/inspect.md).
        assert_eq!(badging(&apk, "sdkVersion:"), ["'14'"]);
        assert_eq!(badging(&apk, "targetSdkVersion:"), ["'16'"]);
        assert_eq!(badging(&apk, "maxSdkVersion:"), ["'34'"]);
        let l = badging(&apk, "launchable-activity:");
        assert_eq!(quoted_name(&l[0]), Some(&*format!("{p}.Disabled")));
        // The components, in order, with their names as written, are aapt's.
        let ours: Vec<(String, String)> = v["components"]
            .as_array()
            .expect("list")
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap_or_default().to_owned(),
                    c["name_declared"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert_eq!(ours, xmltree_components(&apk));
        assert_eq!(ours.len(), 8);
    }
}

#[test]
fn target_31_flags_missing_exported_and_keeps_providers_private() {
    let apk = data("apks/manifest-rules-31.apk");
    let v = inspect_json(&apk);
    let p = "org.prior.fixture.rules31";
    assert_eq!(
        (&v["min_sdk"], &v["target_sdk"]),
        (&Value::from(21), &Value::from(31))
    );
    assert!(v["max_sdk"].is_null());
    let legacy = component(&v, &format!("{p}.data.LegacyProvider"));
    assert_eq!(
        (&legacy["exported"], &legacy["exported_basis"]),
        (&Value::from(false), &Value::from("default_provider"))
    );
    let flagged: Vec<&str> = v["components"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|c| c["exported_required_missing"] == true)
        .filter_map(|c| c["name_declared"].as_str())
        .collect();
    // Intent filter and no android:exported; the service declares it, MainActivity has none.
    assert_eq!(
        flagged,
        [
            ".ui.SplashActivity",
            ".Disabled",
            ".Launcher",
            "BootReceiver"
        ]
    );
    let text = inspect_text(&apk);
    assert!(
        text.contains("not exported (default: provider, targetSdk ≥ 17)"),
        "{text}"
    );
    assert!(
        text.contains("android:exported missing: targetSdk ≥ 31 with an intent filter"),
        "{text}"
    );
    if prior_testkit::require_tool("aapt") {
        assert_eq!(badging(&apk, "targetSdkVersion:"), ["'31'"]);
    }
}
