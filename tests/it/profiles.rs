//! The recorder on other handsets than the default: `prior sim --profile NAME` played through
//! Debian's real `adb`, the demo scenario `scenarios/demo/leaky-shop.yaml` recorded on an
//! Android 7.0 user build, an Android 9 userdebug build and an Android 13 user build. Each
//! recording must complete with the commands that level understands (one `-b`/`-v` per
//! logcat buffer and format, the plain `dumpsys appops` before Android 9) and say what it could
//! not collect (harness `collector` records) instead of passing off a blind source as clean.

use crate::util::{Adb, Sim, prior, root};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What one recording left behind.
struct Run {
    code: i32,
    report: Value,
    bundle: PathBuf,
    meta: Value,
    harness: Vec<Value>,
}

impl Run {
    fn records(&self, kind: &str) -> Vec<&Value> {
        self.harness
            .iter()
            .map(|h| &h["record"])
            .filter(|r| r["type"] == kind)
            .collect()
    }

    /// The recording collectors' records (the honey step's own are checked in honey.rs).
    fn collectors(&self) -> Vec<(String, String, String)> {
        self.records("collector")
            .iter()
            .filter(|r| r["source"] != "honey")
            .map(|r| {
                (
                    r["source"].as_str().unwrap_or_default().to_string(),
                    r["state"].as_str().unwrap_or_default().to_string(),
                    r["reason"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    fn notes(&self) -> Vec<String> {
        self.records("note")
            .iter()
            .filter_map(|r| r["text"].as_str().map(str::to_string))
            .collect()
    }

    fn file(&self, rel: &str) -> String {
        std::fs::read_to_string(self.bundle.join(rel))
            .unwrap_or_else(|e| panic!("{rel} in the bundle: {e}"))
    }
}

/// Records leaky-shop on a handset of `profile` through a private Debian adb server.
fn record_on(profile: &str) -> Run {
    record_scenario_on(profile, &root().join("scenarios/demo/leaky-shop.yaml"))
}

/// Records `scenario` on a handset of `profile` through a private Debian adb server.
fn record_scenario_on(profile: &str, scenario: &Path) -> Run {
    let sim = Sim::start_with(
        &root().join("scenarios/demo/models"),
        &["--profile", profile],
    );
    let adb = Adb::start();
    adb.connect(&sim.addr);
    let out = tempfile::tempdir().expect("tempdir").keep();
    let output = prior()
        .arg("run")
        .arg(scenario)
        .args(["--format", "json", "--device", &sim.addr, "--out"])
        .arg(&out)
        .env("ANDROID_ADB_SERVER_PORT", adb.port.to_string())
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run prior");
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{profile}: stdout is not a JSON report ({e}); exit {code}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let bundle = std::fs::read_dir(&out)
        .expect("out dir")
        .next()
        .expect("one bundle")
        .expect("entry")
        .path();
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(bundle.join("meta.json")).expect("meta.json"),
    )
    .expect("meta.json is JSON");
    let harness = std::fs::read_to_string(bundle.join("harness.jsonl"))
        .expect("harness.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a harness line"))
        .collect();
    Run {
        code,
        report,
        bundle,
        meta,
        harness,
    }
}

/// Every recording: complete, the logcat stream caught the markers, and the app-ops
/// snapshots are dumps (never an error reply passed off as an empty snapshot).
fn assert_recorded(run: &Run, api: u64, bundle: &Path) {
    assert_eq!(
        run.meta["status"]["state"], "complete",
        "{:?}",
        run.meta["status"]
    );
    assert_eq!(run.meta["device"]["api_level"], api);
    let logcat = run.file("raw/logcat.txt");
    assert!(logcat.contains("armed "), "the stream saw the armed marker");
    assert!(
        logcat.contains("consent-accept-end "),
        "and the consent tap"
    );
    let snaps = run.records("appops_snapshot");
    assert!(snaps.len() >= 3, "baseline, before-consent, end: {snaps:?}");
    for s in &snaps {
        let text = run.file(s["file"].as_str().expect("file"));
        assert!(
            text.contains("Current AppOps Service state:") && !text.contains("Unknown option"),
            "{}: {text:.200}",
            s["file"]
        );
    }
    assert!(
        !run.collectors().iter().any(|(s, _, _)| s == "appops"),
        "{:?}",
        run.collectors()
    );
    assert!(run.code == 1 || run.code == 4, "exit {}", run.code);
    assert_ne!(run.report["verdict"], "pass", "{}", bundle.display());
}

const IPC_UNAVAILABLE: &str = "user build (ro.debuggable=0) and the app is not debuggable: am \
                               trace-ipc traces only debuggable processes";

#[test]
fn android_7_user_build_records_with_portable_commands() {
    prior_testkit::require_tool!("adb");
    let run = record_on("api24-user");
    assert_recorded(&run, 24, &run.bundle);
    assert_eq!(run.meta["device"]["build_type"], "user");
    assert_eq!(run.meta["device"]["debuggable"], false);
    assert_eq!(run.meta["app"]["debuggable"], false);
    // Before Android 9 the snapshots are the plain dump, chosen by the API level: no
    // `--package` was tried and refused (assert_recorded: no `Unknown option` reply kept).
    assert!(
        !run.notes().iter().any(|n| n.contains("refused --package")),
        "{:?}",
        run.notes()
    );
    assert_eq!(
        run.collectors(),
        [(
            "ipc".to_string(),
            "unavailable".to_string(),
            IPC_UNAVAILABLE.to_string()
        )]
    );
    let notes = run.notes();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("warning: the device is a user build")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("warning: the device runs API 24")),
        "{notes:?}"
    );
}

#[test]
fn android_9_userdebug_uses_the_package_option_and_traces_ipc() {
    prior_testkit::require_tool!("adb");
    let run = record_on("api28-userdebug");
    assert_recorded(&run, 28, &run.bundle);
    assert_eq!(run.meta["device"]["build_type"], "userdebug");
    assert_eq!(run.meta["device"]["debuggable"], true);
    assert_eq!(run.collectors(), []);
    assert!(
        !run.notes().iter().any(|n| n.starts_with("warning:")),
        "{:?}",
        run.notes()
    );
    let dump = run.records("ipc_dump")[0]["file"]
        .as_str()
        .expect("file")
        .to_string();
    assert!(
        run.file(&dump)
            .contains("Traces for process: com.prior.demo.leakyshop"),
        "a userdebug build traces the release app"
    );
}

#[test]
fn android_13_user_build_says_ipc_is_unavailable() {
    prior_testkit::require_tool!("adb");
    let run = record_on("api33-user");
    assert_recorded(&run, 33, &run.bundle);
    assert_eq!(run.meta["device"]["build_type"], "user");
    assert_eq!(run.meta["app"]["debuggable"], false);
    assert_eq!(
        run.collectors(),
        [(
            "ipc".to_string(),
            "unavailable".to_string(),
            IPC_UNAVAILABLE.to_string()
        )]
    );
    // Still traced and dumped: the dumps hold what the device gave (not the app).
    for d in run.records("ipc_dump") {
        let text = run.file(d["file"].as_str().expect("file"));
        assert!(!text.contains("com.prior.demo.leakyshop"), "{text:.300}");
    }
    let notes = run.notes();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("warning: the device is a user build")),
        "{notes:?}"
    );
    assert!(!notes.iter().any(|n| n.contains("runs API")), "{notes:?}");
}

/// The op header an app-ops line belongs to: the nearest line above it that is one
/// (`OP (mode):`, or the Android 7–8 one-line form `OP: mode=…`).
fn op_above(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    lines[..line.min(lines.len())].iter().rev().find_map(|l| {
        let t = l.trim();
        if let Some(head) = t.strip_suffix(':').and_then(|h| h.strip_suffix(')')) {
            return head.split(" (").next().map(str::to_string);
        }
        t.split_once(": mode=").map(|(op, _)| op.to_string())
    })
}

#[test]
fn a_vendor_op_never_lends_its_accesses_to_the_op_above() {
    prior_testkit::require_tool!("adb");
    let run = record_on("xiaomi-api30-user");
    assert_recorded(&run, 30, &run.bundle);
    let dumps: String = run
        .records("appops_snapshot")
        .iter()
        .map(|s| run.file(s["file"].as_str().expect("file")))
        .collect();
    assert!(
        dumps.contains("MIUIOP(10033) (allow):"),
        "the vendor op is in the dumps"
    );
    // Every app-op finding points at an access line printed under its own op.
    let mut checked = 0;
    for f in run.report["findings"].as_array().expect("findings") {
        let Some(op) = f["api"].as_str().and_then(|a| a.strip_prefix("appop:")) else {
            continue;
        };
        for e in f["evidence"].as_array().expect("evidence") {
            let file = e["file"].as_str().expect("file");
            if !file.starts_with("raw/appops/") {
                continue;
            }
            let line = e["line"].as_u64().expect("line") as usize;
            assert_eq!(
                op_above(&run.file(file), line).as_deref(),
                Some(op),
                "{file}:{line} is evidence for {op}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the app-op findings carry app-op evidence");
}

#[test]
fn a_screen_that_never_idles_is_a_failed_ui_collector_not_a_missing_consent() {
    prior_testkit::require_tool!("adb");
    let dir = tempfile::tempdir().expect("tempdir").keep();
    let demo = root().join("scenarios/demo");
    let scenario = dir.join("never-idle.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: never idle\napp: {{ apk: {} }}\ndevice: {{ simulated: {{ models: {} }} }}\n\
             consent: {{ mode: auto, timeout: 3s, screen: {{ text: \"隐私|个人信息\" }}, \
             accept: {{ text: \"^同意$\" }} }}\nsteps:\n  - launch\n  - wait: 1s\n  - accept_consent\n",
            demo.join("apps/leaky-shop.apk").display(),
            demo.join("models").display()
        ),
    )
    .expect("scenario");
    let run = record_scenario_on("api33-never-idle", &scenario);
    assert_eq!(
        run.meta["status"]["state"], "complete",
        "{:?}",
        run.meta["status"]
    );
    assert!(run.records("ui_dump").is_empty(), "no dump was ever read");
    assert!(
        run.records("consent_missing").is_empty(),
        "an unseen screen is not a missing consent screen"
    );
    let ui: Vec<(String, String)> = run
        .collectors()
        .into_iter()
        .filter(|(s, _, _)| s == "ui")
        .map(|(_, state, reason)| (state, reason))
        .collect();
    assert!(
        ui.iter().any(|(state, reason)| state == "failed"
            && reason.starts_with("the consent screen could not be looked for")
            && reason.contains("ERROR: could not get idle state.")),
        "{ui:?}"
    );
    assert!(
        ui.iter()
            .any(|(state, reason)| state == "failed" && reason.starts_with("every UI dump failed")),
        "{ui:?}"
    );
    assert_ne!(run.report["verdict"], "pass");
}

/// A well-behaved app recorded on a user build is never a clean PASS: its binder calls could
/// not be traced, so the verdict is INCONCLUSIVE (exit 4) and the report says why. The same
/// app on a userdebug build of the same API level passes.
#[test]
fn a_clean_app_on_a_user_build_is_inconclusive_not_pass() {
    prior_testkit::require_tool!("adb");
    let polite = root().join("scenarios/demo/polite-news.yaml");
    let ipc = |run: &Run| {
        run.report["checked"]["sources"]
            .as_array()
            .expect("checked.sources")
            .iter()
            .find(|s| s["source"] == "ipc")
            .cloned()
            .expect("an ipc source")
    };
    let user = record_scenario_on("api33-user", &polite);
    assert_eq!(user.report["verdict"], "inconclusive", "{}", user.report);
    assert_eq!(user.code, 4);
    let src = ipc(&user);
    assert_eq!(src["status"], "unavailable", "{src}");
    assert_eq!(src["reason"], "user_build", "{src}");
    assert_eq!(src["required"], true, "{src}");

    let userdebug = record_scenario_on("api33-userdebug", &polite);
    assert_eq!(userdebug.report["verdict"], "pass", "{}", userdebug.report);
    assert_eq!(userdebug.code, 0);
    assert_eq!(ipc(&userdebug)["status"], "analysed");
}
