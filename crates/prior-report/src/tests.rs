//! Renderer tests over reports of the example bundles (`tests/data/bundles/`).

use crate::{render_json, render_text};
use prior_analyze::{AnalysisInputs, Catalog, Profile, Report, SdkCatalog};

/// [`prior_analyze::analyze`] with the built-in SDK catalogue.
fn analyze(
    b: &Bundle,
    catalog: &Catalog,
    profile: &Profile,
) -> Result<Report, prior_analyze::AnalyzeError> {
    let sdks = SdkCatalog::builtin().unwrap();
    prior_analyze::analyze(b, &AnalysisInputs::new(catalog, &sdks, profile))
}
use prior_model::bundle::Bundle;
use std::path::Path;

fn report(bundle: &str, profile: &str) -> Report {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/bundles")
        .join(bundle);
    let b = Bundle::open(dir).unwrap();
    analyze(
        &b,
        &Catalog::builtin().unwrap(),
        &Profile::builtin(profile).unwrap(),
    )
    .unwrap()
}

#[test]
fn text_shows_verdict_app_consent_and_each_finding_with_its_first_evidence() {
    let r = report("leaky", "cn-miit");
    let t = render_text(&r);
    assert!(
        t.starts_with("Prior consent check: FAIL, 2 violations (2 high)\n"),
        "{t}"
    );
    assert!(
        t.contains("com.example.leakyshop 2.3.1 (231), uid 10123"),
        "{t}"
    );
    assert!(t.contains("Asia/Shanghai (UTC+08:00)"), "{t}");
    assert!(
        t.contains("accepted 2026-11-28T19:30:12.300000Z – 2026-11-28T19:30:12.450000Z"),
        "{t}"
    );
    assert!(t.contains("sealed, MANIFEST.sha256 verified"), "{t}");
    // Issue 14: the app-op and permission signals are evidence of the IMEI and location
    // reads, not findings of their own.
    assert_eq!(t.matches("HIGH   pre-consent-access").count(), 2, "{t}");
    assert!(
        t.contains("seen by: logcat, appops, ipc (4 signals, one access)"),
        "{t}"
    );
    // The binder stack is shown by its proxy frame, the logcat finding by its line.
    assert!(t.contains("raw/ipc/001-before-consent.txt:4  at com.android.internal.telephony.ITelephony$Stub$Proxy.getImeiForSlot"), "{t}");
    assert!(t.contains("by Umeng (SDK)"), "{t}");
    assert!(t.contains("raw/ipc/001-before-consent.txt:18  "), "{t}");
    // The logcat denial of the same IMEI read joined the IPC finding.
    assert!(
        t.contains("logcat also saw it as getImeiForSlot (2 times, every one refused)."),
        "{t}"
    );
    assert!(t.contains("(+3 more pieces of evidence)"), "{t}");
    assert!(
        t.contains("No access before consent seen for: network identifiers, contacts"),
        "{t}"
    );
    assert!(!t.contains("SIMULATED"), "{t}");
    assert!(!t.contains("Incomplete"), "{t}");
}

#[test]
fn text_of_a_simulated_session_says_so_at_the_top_and_in_the_device_line() {
    let mut r = report("clean", "cn-miit");
    r.device.simulated = true;
    let t = render_text(&r);
    assert!(t.starts_with("====="), "{t}");
    assert!(
        t.lines().nth(1).unwrap().contains("SIMULATED DEVICE"),
        "{t}"
    );
    assert!(t.contains("device    SIMULATED · emulator-5554"), "{t}");
    assert!(
        t.trim_end()
            .ends_with("(SIMULATED device: not a real Android run.)"),
        "{t}"
    );
    assert!(t.contains("PASS, no violation"), "{t}");
}

#[test]
fn text_of_an_incomplete_session_lists_the_reasons() {
    let t = render_text(&report("truncated", "cn-miit"));
    assert!(t.starts_with("Prior consent check: INCONCLUSIVE"), "{t}");
    assert!(
        t.contains("not answered (shown, never answered during the session)"),
        "{t}"
    );
    assert!(
        t.contains("Incomplete session, so a clean result proves nothing:"),
        "{t}"
    );
    assert!(
        t.contains("  - raw/logcat.txt was cut off mid-line at line 11"),
        "{t}"
    );
    assert!(
        t.contains("logcat 10 lines (PARTIAL, cut off, required)"),
        "{t}"
    );
    // The headline names every source that was not analysed, with its state and reason.
    assert!(
        t.starts_with(
            "Prior consent check: INCONCLUSIVE, no violation found but not every source was analysed: \
             logcat partial (cut off), appops unavailable (not recorded), ipc unavailable (not recorded)\n"
        ),
        "{t}"
    );
    assert!(
        t.contains("  - required source ipc is unavailable (not recorded): no am trace-ipc dump is named by harness.jsonl (profile cn-miit requires it analysed)\n"),
        "{t}"
    );
}

#[test]
fn text_escapes_terminal_control_sequences_from_the_bundle() {
    let mut r = report("leaky", "cn-miit");
    r.app.package = "com.evil\u{1b}[2J\u{202e}app".into();
    r.findings[0].evidence[0].text = "\u{1b}]0;pwned\u{7}line".into();
    let t = render_text(&r);
    assert!(
        !t.contains('\u{1b}') && !t.contains('\u{7}') && !t.contains('\u{202e}'),
        "{t:?}"
    );
    assert!(t.contains("com.evil\\u{1b}[2J\\u{202e}app"), "{t}");
}

#[test]
fn info_only_findings_are_notes_and_a_blind_source_keeps_them_from_passing() {
    // permission-first has no IPC dump: under gdpr its only finding is info, yet it cannot pass.
    let t = render_text(&report("permission-first", "gdpr"));
    assert!(
        t.starts_with(
            "Prior consent check: INCONCLUSIVE, no violation found but not every source was analysed: \
             ipc unavailable (not recorded), 1 note\n"
        ),
        "{t}"
    );
    assert!(
        t.contains("INFO   permission-prompt-before-consent · GrantPermissionsActivity"),
        "{t}"
    );
    assert!(
        t.contains("ipc (UNAVAILABLE, not recorded, required)"),
        "{t}"
    );
    // With IPC not required, the same session passes.
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/bundles/permission-first");
    let mut gdpr = Profile::builtin("gdpr").unwrap();
    gdpr.required_sources
        .retain(|s| *s != prior_model::Source::Ipc);
    let r = analyze(
        &Bundle::open(dir).unwrap(),
        &Catalog::builtin().unwrap(),
        &gdpr,
    )
    .unwrap();
    let t = render_text(&r);
    assert!(
        t.starts_with("Prior consent check: PASS, no violation, 1 note\n"),
        "{t}"
    );
    assert!(t.contains("ipc (unavailable, not recorded)"), "{t}");
}

#[test]
fn a_fail_with_a_blind_source_says_which_in_the_headline() {
    let t = render_text(&report("rejected", "cn-miit"));
    assert!(t.starts_with("Prior consent check: FAIL, "), "{t}");
    assert!(
        t.lines()
            .next()
            .unwrap()
            .ends_with("(session incomplete; not analysed: appops unavailable (not recorded))"),
        "{t}"
    );
}

#[test]
fn json_round_trips_and_is_stable() {
    for (b, p) in [
        ("leaky", "cn-miit"),
        ("no-consent", "gdpr"),
        ("truncated", "cn-miit"),
    ] {
        let r = report(b, p);
        let j = render_json(&r);
        assert!(j.ends_with("}\n"));
        let back: Report = serde_json::from_str(&j).unwrap();
        assert_eq!(back, r, "{b}");
        assert_eq!(render_json(&back), j, "{b}");
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        for key in [
            "verdict",
            "consent",
            "findings",
            "checked",
            "integrity",
            "incomplete",
            "timeline",
        ] {
            assert!(v.get(key).is_some(), "{b}: {key}");
        }
    }
}
