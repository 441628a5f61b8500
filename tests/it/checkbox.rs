//! A consent dialog with an "I have read and agree" checkbox (issue 17's checkbox variant):
//! the accept button does nothing until the box is ticked. With `consent.tick` (the default)
//! Prior ticks it and the run accepts; with `tick: none` the accept tap is ignored, the dialog
//! stays up, and the report says the screen was never answered — never a consent that was not
//! given.

use crate::util::{prior, root};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Polite News' APK, driven by a checkbox consent model of its own.
const MODEL: &str = r#"package: com.prior.demo.politenews
label: Polite News
log_tag: PoliteNews
launch: 430ms
on_start:
  - at: 650ms
    show: consent
phases:
  accepted:
    - at: 40ms
      show: home
    - at: 150ms
      access:
        api: installed_packages
        stack: [ com.prior.demo.politenews.Catalog.scan(Catalog.java:12) ]
  nudge:
    - log: { text: "please tick the agreement box first" }
screens:
  consent:
    kind: dialog
    title: 隐私政策
    body: "我们非常重视您的个人信息。"
    checkbox: { text: 我已阅读并同意, flag: agreed, id: cb_agree }
    buttons:
      - { text: 不同意, id: btn_disagree, exit: true }
      - { text: 同意, id: btn_agree, requires: agreed, otherwise: nudge, goto: accepted }
  home:
    kind: page
    title: Polite News
"#;

fn scenario(dir: &Path, tick: &str) -> PathBuf {
    let models = dir.join("models");
    std::fs::create_dir_all(&models).expect("models dir");
    std::fs::write(models.join("polite-checkbox.model"), MODEL).expect("model");
    let text = format!(
        "name: checkbox consent\napp: {{ apk: {} }}\ndevice: {{ simulated: {{ models: models, seed: 1 }} }}\n\
         profile: cn-miit\nconsent: {{ mode: auto, timeout: 15s{tick} }}\n\
         steps:\n  - launch\n  - wait: 2s\n  - accept_consent\n  - wait: 2s\n",
        root().join("scenarios/demo/apps/polite-news.apk").display(),
    );
    let path = dir.join("checkbox.yaml");
    std::fs::write(&path, text).expect("scenario");
    path
}

fn run(scenario: &Path) -> (Value, PathBuf) {
    let out = tempfile::tempdir().expect("tempdir").keep();
    let output = prior()
        .arg("run")
        .arg(scenario)
        .args(["--format", "json", "--out"])
        .arg(&out)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run prior");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}); exit {:?}\nstderr:\n{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let bundle = std::fs::read_dir(&out)
        .expect("out dir")
        .next()
        .expect("one bundle")
        .expect("entry")
        .path();
    (report, bundle)
}

fn harness(bundle: &Path) -> Vec<Value> {
    std::fs::read_to_string(bundle.join("harness.jsonl"))
        .expect("harness")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a harness line")["record"].clone())
        .collect()
}

fn logcat(bundle: &Path) -> String {
    std::fs::read_to_string(bundle.join("raw/logcat.txt")).expect("logcat")
}

#[test]
fn prior_ticks_the_box_and_the_run_accepts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, bundle) = run(&scenario(dir.path(), ""));
    assert_eq!(r["consent"]["outcome"], "accepted", "{}", r["consent"]);
    assert_eq!(r["consent"]["method"], "logcat_markers");
    let h = harness(&bundle);
    assert!(
        h.iter().any(|x| x["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("ticked the consent checkbox \"我已阅读并同意\""))),
        "{h:?}"
    );
    assert!(!h.iter().any(|x| x["type"] == "consent_tap_ineffective"));
    // The app reacted: its post-consent access happened, after the boundary.
    let after: Vec<&Value> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["phase"] == "before_consent")
        .collect();
    assert!(
        after.is_empty(),
        "nothing happens before consent: {after:?}"
    );
    assert!(!logcat(&bundle).contains("please tick the agreement box first"));
}

#[test]
fn without_tick_the_accept_tap_is_ignored_and_consent_is_not_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, bundle) = run(&scenario(dir.path(), ", tick: none"));
    assert_eq!(r["consent"]["outcome"], "unanswered", "{}", r["consent"]);
    assert_eq!(r["consent"]["method"], "tap_ineffective");
    assert!(r["consent"].get("answered").is_none(), "{}", r["consent"]);
    let h = harness(&bundle);
    let ineffective: Vec<&Value> = h
        .iter()
        .filter(|x| x["type"] == "consent_tap_ineffective")
        .collect();
    assert_eq!(ineffective.len(), 1, "{h:?}");
    assert_eq!(ineffective[0]["action"], "accept");
    // The dump it names still shows the dialog with the box unticked.
    let file = ineffective[0]["ui_file"].as_str().expect("ui_file");
    let xml = std::fs::read_to_string(bundle.join(file)).expect("dump");
    assert!(
        xml.contains("class=\"android.widget.CheckBox\"")
            && xml.contains("checkable=\"true\" checked=\"false\""),
        "{xml}"
    );
    assert!(
        !h.iter()
            .any(|x| x["text"].as_str().is_some_and(|t| t.starts_with("ticked")))
    );
    // The app really ignored the tap: its `otherwise` phase ran, the accepted phase never did.
    let log = logcat(&bundle);
    assert!(log.contains("please tick the agreement box first"));
    assert!(
        !r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["api"]
                .as_str()
                .unwrap_or("")
                .contains("getInstalledPackages")),
        "{}",
        r["findings"]
    );
}
