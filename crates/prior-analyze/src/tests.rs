//! Data-driven tests over the example bundles in `tests/data/bundles/` (PROVENANCE.md there
//! says how each was built), plus small bundles written here for the edge cases.

use crate::{AnalysisInputs, AnalyzeError, AnalyzeOptions, Catalog, Profile, Report};
use prior_apk::SdkCatalog;
use prior_model::bundle::{
    AppInfo, Bundle, BundleWriter, DeviceInfo, HarnessRecord, Meta, RecordingState,
};
use prior_model::{ConsentOutcome, Verdict};
use proptest::prelude::Strategy;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The built-in SDK catalogue, loaded once for the tests.
pub(crate) fn sdks() -> &'static SdkCatalog {
    static CELL: std::sync::OnceLock<SdkCatalog> = std::sync::OnceLock::new();
    CELL.get_or_init(|| SdkCatalog::builtin().unwrap())
}

/// [`crate::analyze`] with the built-in SDK catalogue.
pub(crate) fn analyze3(
    bundle: &Bundle,
    catalog: &Catalog,
    profile: &Profile,
) -> Result<Report, AnalyzeError> {
    crate::analyze(bundle, &AnalysisInputs::new(catalog, sdks(), profile))
}

/// [`crate::analyze_with`] with the built-in SDK catalogue.
pub(crate) fn analyze_with4(
    bundle: &Bundle,
    catalog: &Catalog,
    profile: &Profile,
    opts: &AnalyzeOptions,
) -> Result<Report, AnalyzeError> {
    crate::analyze_with(bundle, &AnalysisInputs::new(catalog, sdks(), profile), opts)
}

fn bundles_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/bundles")
}

fn run(dir: &Path, profile: &str) -> Report {
    let bundle = Bundle::open(dir).unwrap();
    analyze3(
        &bundle,
        &Catalog::builtin().unwrap(),
        &Profile::builtin(profile).unwrap(),
    )
    .unwrap()
}

/// One expected finding: rule, category, phase, severity, api, number of events.
type F<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, u64);

struct Expect<'a> {
    verdict: Verdict,
    consent: ConsentOutcome,
    findings: &'a [F<'a>],
    /// One substring per expected incomplete reason.
    incomplete: &'a [&'a str],
}

fn check(bundle: &str, profile: &str, expect: Expect<'_>) -> Report {
    let dir = bundles_dir().join(bundle);
    let report = run(&dir, profile);
    let name = format!("{bundle} under {profile}");
    let got: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {} {}",
                f.rule,
                f.category.map_or("-", |c| c.as_str()),
                f.phase.as_str(),
                f.severity.as_str(),
                f.api.as_ref().map_or("-".to_string(), ToString::to_string),
                f.events
            )
        })
        .collect();
    let want: Vec<String> = expect
        .findings
        .iter()
        .map(|(r, c, p, s, a, n)| format!("{r} {c} {p} {s} {a} {n}"))
        .collect();
    assert_eq!(got, want, "{name}: findings");
    assert_eq!(report.verdict, expect.verdict, "{name}: verdict");
    assert_eq!(report.consent.outcome, expect.consent, "{name}: consent");
    assert_eq!(
        report.incomplete.len(),
        expect.incomplete.len(),
        "{name}: {:?}",
        report.incomplete
    );
    for (reason, want) in report.incomplete.iter().zip(expect.incomplete) {
        assert!(reason.contains(want), "{name}: {reason:?} lacks {want:?}");
    }
    for f in &report.findings {
        assert!(
            !f.evidence.is_empty(),
            "{name}: {} without evidence",
            f.rule
        );
        for e in &f.evidence {
            let text = std::fs::read_to_string(dir.join(&e.file)).unwrap();
            let line = text.lines().nth(e.line as usize - 1).unwrap();
            let first = e.text.lines().next().unwrap();
            assert_eq!(
                line.trim(),
                first.trim(),
                "{name}: evidence {}:{} is not the raw line",
                e.file,
                e.line
            );
        }
    }
    assert!(
        report.integrity.intact,
        "{name}: the committed bundle must match its manifest"
    );
    report
}

const BEFORE: &str = "before_consent";

#[test]
fn leaky_reads_the_device_id_and_location_before_consent() {
    let r = check(
        "leaky",
        "cn-miit",
        Expect {
            verdict: Verdict::Fail,
            consent: ConsentOutcome::Accepted,
            findings: &[
                (
                    "pre-consent-access",
                    "device_identifiers",
                    BEFORE,
                    "high",
                    "ITelephony.getImeiForSlot",
                    1,
                ),
                (
                    "pre-consent-access",
                    "location",
                    BEFORE,
                    "high",
                    "ILocationManager.getLastLocation",
                    1,
                ),
                // Issue 14: the refused app-op READ_DEVICE_IDENTIFIERS and the refused
                // ACCESS_COARSE_LOCATION check lie inside the IPC window of the IMEI and
                // location reads of the same category: evidence of those accesses, not
                // findings of their own.
            ],
            incomplete: &[],
        },
    );
    // The logcat denial of the same IMEI read corroborates the attributed IPC finding.
    let imei = &r.findings[0];
    assert_eq!(
        imei.seen_by,
        vec![
            prior_model::Source::Logcat,
            prior_model::Source::Appops,
            prior_model::Source::Ipc
        ]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>(),
        "{imei:#?}"
    );
    assert!(imei.signals >= 3, "{imei:#?}");
    assert!(
        r.findings[1].seen_by.contains(&prior_model::Source::Logcat),
        "the location permission denial joins the location read: {:#?}",
        r.findings[1]
    );
    assert!(
        imei.message
            .contains("logcat also saw it as getImeiForSlot (2 times, every one refused)."),
        "{}",
        imei.message
    );
    assert!(
        imei.evidence
            .iter()
            .any(|e| e.file == "raw/logcat.txt" && e.text.contains("getImeiForSlot")),
        "{:?}",
        imei.evidence
    );
    // The uid came from the am_proc_start line (meta.json has none).
    assert_eq!(
        (r.app.uid, r.app.uid_source.as_deref()),
        (Some(10123), Some("logcat"))
    );
    assert_eq!(r.app.pids, vec![4567]);
    // The SDK behind the IMEI read is named from its stack.
    let imei = &r.findings[0];
    let actor = imei.actor.as_ref().unwrap();
    assert_eq!(
        (actor.kind, actor.name.as_str()),
        (prior_model::ActorKind::Sdk, "Umeng")
    );
    // The denial seen twice in logcat (phone process + the app's own log) joins the IPC finding
    // with both lines; the IPC call is still counted once.
    assert_eq!(
        imei.evidence
            .iter()
            .filter(|e| e.file == "raw/logcat.txt")
            .map(|e| e.line)
            .collect::<Vec<_>>(),
        vec![10, 11]
    );
    assert_eq!(imei.events, 1);
    // The same app-op entry in two snapshots is one event, evidenced by the first snapshot
    // (now inside the IMEI access).
    assert_eq!(
        imei.evidence
            .iter()
            .filter(|e| e.file.starts_with("raw/appops/"))
            .map(|e| e.file.as_str())
            .collect::<Vec<_>>(),
        vec!["raw/appops/002-before-consent.txt"]
    );
    // Accesses after acceptance are in the timeline, not in findings.
    let net = r
        .checked
        .categories
        .iter()
        .find(|c| c.category == prior_model::DataCategory::NetworkIdentifiers)
        .unwrap();
    assert_eq!(
        (net.before_consent, net.after_consent, net.clean),
        (0, 2, true)
    );
    // Lines about other apps (com.other.app, uid 10200) are not attributed.
    assert!(
        r.timeline
            .iter()
            .all(|t| !t.event.evidence.text.contains("com.other.app"))
    );
    assert!(
        r.timeline
            .iter()
            .all(|t| !t.event.evidence.text.contains("uid=10200"))
    );
}

#[test]
fn leaky_under_gdpr_lowers_refused_attempts() {
    check(
        "leaky",
        "gdpr",
        Expect {
            verdict: Verdict::Fail,
            consent: ConsentOutcome::Accepted,
            findings: &[
                (
                    "pre-consent-access",
                    "device_identifiers",
                    BEFORE,
                    "high",
                    "ITelephony.getImeiForSlot",
                    1,
                ),
                (
                    "pre-consent-access",
                    "location",
                    BEFORE,
                    "high",
                    "ILocationManager.getLastLocation",
                    1,
                ),
                // Issue 14: the refused app-op READ_DEVICE_IDENTIFIERS and the refused
                // ACCESS_COARSE_LOCATION check lie inside the IPC window of the IMEI and
                // location reads of the same category: evidence of those accesses, not
                // findings of their own.
            ],
            incomplete: &[],
        },
    );
}

#[test]
fn clean_accesses_only_after_consent() {
    let r = check(
        "clean",
        "cn-miit",
        Expect {
            verdict: Verdict::Pass,
            consent: ConsentOutcome::Accepted,
            findings: &[],
            incomplete: &[],
        },
    );
    // The clipboard entry already in the baseline snapshot is not the session's doing.
    let appops = r
        .checked
        .sources
        .iter()
        .find(|s| s.source == prior_model::Source::Appops)
        .unwrap();
    assert!(
        appops
            .note
            .as_deref()
            .unwrap_or("")
            .contains("1 entries already in the baseline"),
        "{appops:?}"
    );
    let loc = r
        .checked
        .categories
        .iter()
        .find(|c| c.category == prior_model::DataCategory::Location)
        .unwrap();
    assert_eq!(
        (loc.before_consent, loc.at_consent, loc.after_consent),
        (0, 0, 2)
    );
    // Another process's binder calls (Play services) are not the app's.
    assert!(
        r.timeline
            .iter()
            .all(|t| !t.event.detail.contains("com.google.android.gms"))
    );
    // The permission dialog after consent is in the timeline only.
    assert_eq!(
        r.timeline
            .iter()
            .filter(|t| t.event.kind == prior_model::EventKind::PermissionPrompt)
            .count(),
        2
    );
}

#[test]
fn no_consent_screen_is_a_finding_and_everything_is_before_consent() {
    let r = check(
        "no-consent",
        "cn-miit",
        Expect {
            verdict: Verdict::Fail,
            consent: ConsentOutcome::NeverShown,
            findings: &[
                (
                    "pre-consent-access",
                    "device_identifiers",
                    BEFORE,
                    "high",
                    "ContentProviderProxy.call",
                    1,
                ),
                (
                    "pre-consent-access",
                    "clipboard",
                    BEFORE,
                    "high",
                    "IClipboard.getPrimaryClip",
                    1,
                ),
                ("no-consent-screen", "-", BEFORE, "high", "-", 1),
            ],
            incomplete: &[],
        },
    );
    // Settings.Global reads through the same binder method are not ANDROID_ID reads.
    assert_eq!(r.findings[0].evidence.len(), 1);
    assert!(r.findings[0].evidence[0].text.contains("Settings$Secure"));
    assert!(r.findings[2].message.contains("15 s"));
}

#[test]
fn a_permission_prompt_before_consent_fails_cn_miit_but_is_info_under_gdpr() {
    let expected: [F<'_>; 1] = [(
        "permission-prompt-before-consent",
        "-",
        BEFORE,
        "high",
        "GrantPermissionsActivity",
        2,
    )];
    // The bundle has no IPC dump: the IPC collector is blind.
    let blind_ipc = "required source ipc is unavailable (not recorded): no am trace-ipc dump is named by harness.jsonl (profile";
    let r = check(
        "permission-first",
        "cn-miit",
        Expect {
            verdict: Verdict::Fail,
            consent: ConsentOutcome::Accepted,
            findings: &expected,
            incomplete: &[blind_ipc],
        },
    );
    // Both the logcat START line and the UI observation are evidence.
    let files: Vec<&str> = r.findings[0]
        .evidence
        .iter()
        .map(|e| e.file.as_str())
        .collect();
    assert_eq!(files, vec!["raw/logcat.txt", "harness.jsonl"]);
    // Only an info finding, but the IPC collector was never run: no pass from a blind recording.
    check(
        "permission-first",
        "gdpr",
        Expect {
            verdict: Verdict::Inconclusive,
            consent: ConsentOutcome::Accepted,
            findings: &[(
                "permission-prompt-before-consent",
                "-",
                BEFORE,
                "info",
                "GrantPermissionsActivity",
                2,
            )],
            incomplete: &[blind_ipc],
        },
    );
    // A profile that does not require IPC lets the same session pass.
    let bundle = Bundle::open(bundles_dir().join("permission-first")).unwrap();
    let mut gdpr = Profile::builtin("gdpr").unwrap();
    gdpr.required_sources
        .retain(|s| *s != prior_model::Source::Ipc);
    let r = analyze3(&bundle, &Catalog::builtin().unwrap(), &gdpr).unwrap();
    assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.incomplete);
    let ipc = &r.checked.sources[2];
    assert_eq!(ipc.source, prior_model::Source::Ipc);
    assert!(!ipc.required && !ipc.blocks_pass());
    assert_eq!(ipc.status, crate::report::SourceStatus::Unavailable);
}

#[test]
fn accesses_inside_the_tap_window_and_after_a_rejection() {
    check(
        "rejected",
        "cn-miit",
        Expect {
            verdict: Verdict::Fail,
            consent: ConsentOutcome::Rejected,
            findings: &[
                (
                    "at-consent-access",
                    "device_identifiers",
                    "at_consent",
                    "low",
                    "getDeviceIdWithFeature",
                    1,
                ),
                (
                    "access-after-reject",
                    "network_identifiers",
                    "after_consent",
                    "high",
                    "IWifiManager.getConnectionInfo",
                    1,
                ),
                (
                    "access-after-reject",
                    "clipboard",
                    "after_consent",
                    "high",
                    "ClipboardManager.getPrimaryClip",
                    1,
                ),
            ],
            // The bundle has no app-ops snapshot: a FAIL stays a FAIL, and says so.
            incomplete: &[
                "required source appops is unavailable (not recorded): no app-ops snapshot",
            ],
        },
    );
}

#[test]
fn a_truncated_recording_without_violations_is_inconclusive() {
    let r = check(
        "truncated",
        "cn-miit",
        Expect {
            verdict: Verdict::Inconclusive,
            consent: ConsentOutcome::Unanswered,
            findings: &[],
            incomplete: &[
                "never finished",
                "harness.jsonl was cut off mid-line at line 6",
                "raw/logcat.txt was cut off mid-line at line 11",
                "required source logcat is partial (cut off): raw/logcat.txt was cut off mid-line at line 11",
                "required source appops is unavailable (not recorded): only the baseline snapshot",
                "required source ipc is unavailable (not recorded): no am trace-ipc dump",
            ],
        },
    );
    assert_eq!(r.bundle.status, "recording");
    let logcat = &r.checked.sources[0];
    assert_eq!(
        (logcat.status, logcat.items),
        (crate::report::SourceStatus::Partial, 10)
    );
}

#[test]
fn the_same_bundle_gives_byte_identical_json_wherever_it_lies() {
    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "leaky",
        "clean",
        "no-consent",
        "permission-first",
        "rejected",
        "truncated",
    ] {
        let src = bundles_dir().join(name);
        let copy = tmp.path().join(format!("elsewhere-{name}"));
        copy_dir(&src, &copy);
        for profile in ["cn-miit", "gdpr"] {
            let a = serde_json::to_vec_pretty(&run(&src, profile)).unwrap();
            let b = serde_json::to_vec_pretty(&run(&src, profile)).unwrap();
            let c = serde_json::to_vec_pretty(&run(&copy, profile)).unwrap();
            assert_eq!(a, b, "{name} {profile}: two runs differ");
            assert_eq!(a, c, "{name} {profile}: the copy differs");
        }
    }
}

#[test]
fn an_edited_raw_file_is_refused_unless_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("leaky");
    copy_dir(&bundles_dir().join("leaky"), &dir);
    // Hide the evidence: drop the phone process's denial line.
    let path = dir.join("raw/logcat.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited: String = text
        .lines()
        .filter(|l| !l.contains("TelephonyPermissions"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, edited).unwrap();
    std::fs::write(dir.join("raw/extra.txt"), "planted\n").unwrap();

    let bundle = Bundle::open(&dir).unwrap();
    let (catalog, profile) = (
        Catalog::builtin().unwrap(),
        Profile::builtin("cn-miit").unwrap(),
    );
    let err = analyze3(&bundle, &catalog, &profile).unwrap_err();
    assert!(matches!(err, AnalyzeError::Tampered { .. }));
    assert_eq!(
        err.tampered_files(),
        vec!["raw/extra.txt", "raw/logcat.txt"]
    );
    let msg = err.to_string();
    assert!(
        msg.contains("modified: raw/logcat.txt") && msg.contains("not listed: raw/extra.txt"),
        "{msg}"
    );

    let opts = AnalyzeOptions {
        allow_modified: true,
        ..AnalyzeOptions::default()
    };
    let r = analyze_with4(&bundle, &catalog, &profile, &opts).unwrap();
    assert!(r.integrity.analysed_despite_mismatch && !r.integrity.intact);
    assert_eq!(r.integrity.modified, vec!["raw/logcat.txt"]);
    // Still violations (fail), and flagged incomplete because the bundle cannot be trusted.
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        r.incomplete
            .iter()
            .any(|i| i.contains("does not match its MANIFEST.sha256")),
        "{:?}",
        r.incomplete
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

// ---- small bundles for edge cases ------------------------------------------------------

const T0: i64 = 1_795_894_200_000_000;

fn line(off_ms: i64, uid: &str, pid: u32, prio: char, tag: &str, msg: &str) -> String {
    let t = T0 + off_ms * 1000;
    format!(
        "{:>19}.{:06} {uid:>5} {pid:>5} {pid:>5} {prio} {tag:<8}: {msg}\n",
        t / 1_000_000,
        t % 1_000_000
    )
}

struct Mini {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

/// A sealed bundle for `com.example.mini` with the given logcat and harness records.
fn mini(uid: Option<u32>, logcat: &str, records: Vec<HarnessRecord>) -> Mini {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let meta = Meta::new(
        "0.1.0",
        T0,
        AppInfo {
            package: "com.example.mini".into(),
            uid,
            ..AppInfo::default()
        },
        DeviceInfo {
            serial: "emulator-5554".into(),
            utc_offset_s: 0,
            ..DeviceInfo::default()
        },
    );
    let mut w = BundleWriter::create(&dir, meta).unwrap();
    for r in records {
        w.record(T0, r).unwrap();
    }
    w.append_raw("raw/logcat.txt")
        .unwrap()
        .write_all(logcat.as_bytes())
        .unwrap();
    w.finish(T0, RecordingState::Complete, None).unwrap();
    Mini { _tmp: tmp, dir }
}

fn tap(n: u32) -> HarnessRecord {
    HarnessRecord::ConsentTap {
        action: prior_model::bundle::ConsentAction::Accept,
        begin_marker: format!("prior:consent:begin:{n}"),
        end_marker: format!("prior:consent:end:{n}"),
        x: 1,
        y: 2,
    }
}

fn proc_start(off_ms: i64, uid: u32, pid: u32) -> String {
    line(
        off_ms,
        "1000",
        1234,
        'I',
        "am_proc_start",
        &format!("[0,{pid},{uid},com.example.mini,activity,{{com.example.mini/.Main}}]"),
    )
}

#[test]
fn a_uid_learned_later_attributes_earlier_lines_and_forged_system_lines_are_ignored() {
    let logcat = [
        // The app forges a process-start line for itself with another uid: ignored (not system).
        line(0, "10999", 500, 'I', "ActivityManager", "Start proc 500:com.example.mini/u0a999 for activity {com.example.mini/.Main}"),
        // Before the real start line: a denial naming uid 10050 (the app, as learned later).
        line(10, "radio", 1580, 'W', "TelephonyPermissions", "reportAccessDeniedToReadIdentifiers:com.example.mini:getDeviceId:-1"),
        line(20, "1000", 1234, 'I', "WifiService", "startScan uid=10050"),
        line(30, "1000", 1234, 'I', "WifiService", "startScan uid=10051"),
        proc_start(100, 10050, 4242),
        line(200, "10050", 4242, 'W', "System.err", "java.lang.SecurityException: Permission Denial: opening provider com.android.providers.contacts.ContactsProvider2 from ProcessRecord{1 4242:com.example.mini/u0a50} (pid=4242, uid=10050) requires android.permission.READ_CONTACTS or android.permission.WRITE_CONTACTS"),
        line(300, "10051", 4300, 'W', "System.err", "java.lang.SecurityException: getImeiForSlot: The user 10051 does not meet the requirements to access device identifiers."),
        line(400, "shell", 7000, 'I', "prior", "prior:consent:begin:1"),
        line(410, "shell", 7000, 'I', "prior", "prior:consent:end:1"),
    ]
    .concat();
    let m = mini(None, &logcat, vec![tap(1)]);
    let r = run(&m.dir, "cn-miit");
    assert_eq!((r.app.uid, r.app.pids.clone()), (Some(10050), vec![4242]));
    let apis: Vec<_> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.api.as_ref().unwrap().to_string(),
                f.category.unwrap().as_str(),
            )
        })
        .collect();
    assert_eq!(
        apis,
        vec![
            ("getDeviceId".to_string(), "device_identifiers"),
            ("WifiManager.startScan".to_string(), "network_identifiers"),
            (
                "provider:com.android.providers.contacts.ContactsProvider2".to_string(),
                "contacts"
            ),
        ]
    );
    assert_eq!(r.verdict, Verdict::Fail);
}

#[test]
fn missing_markers_leave_accesses_unplaced_and_the_report_inconclusive() {
    let logcat = [
        proc_start(0, 10050, 4242),
        line(10, "1000", 1234, 'I', "WifiService", "startScan uid=10050"),
    ]
    .concat();
    let m = mini(Some(10050), &logcat, vec![tap(7)]);
    let r = run(&m.dir, "cn-miit");
    assert!(r.findings.is_empty());
    assert!(!r.consent.placed);
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert!(
        r.incomplete
            .iter()
            .any(|i| i.contains("prior:consent:begin:7")),
        "{:?}",
        r.incomplete
    );
}

#[test]
fn a_missing_end_marker_closes_the_window_at_the_end_of_the_capture() {
    let logcat = [
        proc_start(0, 10050, 4242),
        line(100, "shell", 7000, 'I', "prior", "prior:consent:begin:1"),
        line(200, "1000", 1234, 'I', "WifiService", "startScan uid=10050"),
    ]
    .concat();
    let m = mini(Some(10050), &logcat, vec![tap(1)]);
    let r = run(&m.dir, "cn-miit");
    assert_eq!(
        r.consent.method,
        crate::report::ConsentMethod::BeginMarkerOnly
    );
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].rule, "at-consent-access");
    assert_eq!(r.verdict, Verdict::Fail);
    // The end marker, and the three collectors this logcat-only bundle lacks.
    assert_eq!(r.incomplete.len(), 4, "{:?}", r.incomplete);
    let blind: Vec<&str> = r.blind_sources().map(|s| s.source.as_str()).collect();
    assert_eq!(blind, ["appops", "ipc", "ui"]);
}

#[test]
fn a_profile_can_ignore_refused_attempts() {
    let logcat = [
        proc_start(0, 10050, 4242),
        line(
            10,
            "radio",
            1580,
            'W',
            "TelephonyPermissions",
            "reportAccessDeniedToReadIdentifiers:com.example.mini:getImeiForSlot:-1",
        ),
        line(20, "1000", 1234, 'I', "WifiService", "startScan uid=10050"),
    ]
    .concat();
    let m = mini(
        Some(10050),
        &logcat,
        vec![HarnessRecord::ConsentMissing { timeout_ms: 5000 }],
    );
    let bundle = Bundle::open(&m.dir).unwrap();
    let profile = Profile::from_toml_str(
        "name = \"lenient\"\ntitle = \"t\"\n[rules.pre-consent-access]\nseverity = \"medium\"\ncount_denied = false\n",
        crate::Origin::File("lenient.toml".into()),
    )
    .unwrap();
    let r = analyze3(&bundle, &Catalog::builtin().unwrap(), &profile).unwrap();
    let got: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.api.as_ref().unwrap().to_string()))
        .collect();
    assert_eq!(
        got,
        vec![("pre-consent-access", "WifiManager.startScan".to_string())],
        "no-consent-screen is off, refusals ignored"
    );
    assert_eq!(r.profile.origin, "file");
}

#[test]
fn a_bundle_without_a_package_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let meta = Meta::new("0.1.0", T0, AppInfo::default(), DeviceInfo::default());
    BundleWriter::create(&dir, meta)
        .unwrap()
        .finish(T0, RecordingState::Complete, None)
        .unwrap();
    let bundle = Bundle::open(&dir).unwrap();
    let err = analyze3(
        &bundle,
        &Catalog::builtin().unwrap(),
        &Profile::builtin("gdpr").unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, AnalyzeError::NoPackage), "{err}");
}

#[test]
fn a_missing_logcat_and_missing_snapshot_are_reported_incomplete() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let meta = Meta::new(
        "0.1.0",
        T0,
        AppInfo {
            package: "com.example.mini".into(),
            uid: Some(10050),
            ..AppInfo::default()
        },
        DeviceInfo::default(),
    );
    let mut w = BundleWriter::create(&dir, meta).unwrap();
    w.record(
        T0,
        HarnessRecord::AppopsSnapshot {
            file: "raw/appops/009-end.txt".into(),
            device_us: T0,
            label: "end".into(),
        },
    )
    .unwrap();
    w.record(
        T0,
        HarnessRecord::IpcDump {
            file: "../../etc/passwd".into(),
            from_us: T0,
            to_us: T0,
            label: "end".into(),
        },
    )
    .unwrap();
    w.finish(T0, RecordingState::Complete, None).unwrap();
    let r = run(&dir, "cn-miit");
    assert_eq!(r.verdict, Verdict::Inconclusive);
    let all = r.incomplete.join("\n");
    assert!(all.contains("raw/logcat.txt is missing"), "{all}");
    assert!(
        all.contains("raw/appops/009-end.txt, named by harness.jsonl, is missing"),
        "{all}"
    );
    assert!(all.contains("../../etc/passwd: not a plain path"), "{all}");
}

static HOSTILE: std::sync::LazyLock<(Catalog, crate::sources::logcat::Rules)> =
    std::sync::LazyLock::new(|| {
        let catalog = Catalog::builtin().unwrap();
        let rules =
            crate::sources::logcat::build_rules(&catalog, "com.example.mini", &["m".to_string()])
                .unwrap();
        (catalog, rules)
    });

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Hostile captures: fragments of real lines, random bytes and broken UTF-8 never make the
    /// logcat pass panic, and every event it reports points at a line of the input.
    #[test]
    fn the_logcat_pass_survives_any_bytes(
        parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::sample::select(vec![
                    line(1, "1000", 1234, 'I', "am_proc_start", "[0,4242,10050,com.example.mini,activity,{x}]"),
                    line(2, "radio", 1580, 'W', "TelephonyPermissions", "reportAccessDeniedToReadIdentifiers:com.example.mini:getImeiForSlot:-1"),
                    line(3, "1000", 1234, 'I', "WifiService", "startScan uid=10050"),
                    line(4, "10050", 4242, 'W', "System.err", "java.lang.SecurityException: uid 10050 does not have android.permission.READ_CONTACTS"),
                    "Start proc \n".to_string(),
                    "\u{0}\u{1b}[31m Displayed com.example.mini/\r\n".to_string(),
                ]).prop_map(String::into_bytes),
                proptest::collection::vec(proptest::num::u8::ANY, 0..80),
            ],
            0..40,
        )
    ) {
        let input: Vec<u8> = parts.concat();
        let (catalog, rules) = &*HOSTILE;
        let li = crate::sources::logcat::LogcatInput {
            catalog,
            package: "com.example.mini",
            meta_uid: None,
            default_year: 2026,
            utc_offset_s: 0,
        };
        let mut sink = crate::sources::EventSink::default();
        let r = crate::sources::logcat::run(&li, rules, input.as_slice(), &mut sink).unwrap();
        let lines = input.iter().filter(|&&b| b == b'\n').count() as u64;
        proptest::prop_assert_eq!(r.stats.lines, lines);
        for e in &sink.events {
            proptest::prop_assert!(e.evidence.line >= 1 && e.evidence.line <= lines);
        }
    }
}

#[test]
fn docs_catalog_md_lists_every_builtin_entry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/catalog.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = (
        "<!-- BEGIN GENERATED: catalog -->\n",
        "<!-- END GENERATED: catalog -->",
    );
    let (head, rest) = text.split_once(begin).expect("begin marker");
    let (_, tail) = rest.split_once(end).expect("end marker");
    let want = format!(
        "{head}{begin}{}{end}{tail}",
        Catalog::builtin().unwrap().to_markdown()
    );
    if std::env::var_os("PRIOR_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    } else {
        assert!(
            text == want,
            "docs/catalog.md is stale: run PRIOR_UPDATE_DOCS=1 cargo test -p prior-analyze docs_"
        );
    }
}

#[test]
fn grep_patterns_compile_as_one_alternation_and_find_the_app_lines() {
    let c = Catalog::builtin().unwrap();
    let pkg = "com.example.leakyshop";
    let pats = crate::effective_logcat_patterns(&c, pkg, Some(10123), &["prior:launch".into()]);
    let re = regex::bytes::Regex::new(&pats.join("|")).unwrap();
    let text = std::fs::read(bundles_dir().join("leaky/raw/logcat.txt")).unwrap();
    let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
    assert!(re.is_match(lines[9]), "the TelephonyPermissions line");
    assert!(re.is_match(lines[1]), "the marker");
    assert!(!re.is_match(lines[23]), "another app's denial");
    let lits = crate::logcat_prefilter_literals(&c, pkg, &["prior:launch".into()]).unwrap();
    assert!(
        lits.iter()
            .any(|l| l.contains("reportAccessDeniedToReadIdentifiers:com.example.leakyshop:"))
    );
}

/// One IPC trace of `ITelephony.getImeiForSlot` in `com.example.mini` with `frames` above it.
fn imei_trace(frames: &[&str]) -> String {
    let mut t = String::from(
        "Count: 1\nTrace: java.lang.Throwable\n\tat android.os.BinderProxy.transact(BinderProxy.java:584)\n\tat com.android.internal.telephony.ITelephony$Stub$Proxy.getImeiForSlot(ITelephony.java:10430)\n\tat android.telephony.TelephonyManager.getImei(TelephonyManager.java:2181)\n",
    );
    for f in frames {
        t.push_str(&format!("\tat {f}(X.java:1)\n"));
    }
    t.push('\n');
    t
}

#[test]
fn findings_split_by_actor_nested_sdks_and_the_app_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let meta = Meta::new(
        "0.1.0",
        T0,
        AppInfo {
            package: "com.example.mini".into(),
            uid: Some(10050),
            ..AppInfo::default()
        },
        DeviceInfo {
            serial: "emulator-5554".into(),
            utc_offset_s: 0,
            ..DeviceInfo::default()
        },
    );
    let mut w = BundleWriter::create(&dir, meta).unwrap();
    w.record(T0, tap(1)).unwrap();
    w.record(
        T0,
        HarnessRecord::IpcDump {
            file: "raw/ipc/001-before.txt".into(),
            from_us: T0,
            to_us: T0 + 300_000,
            label: "before".into(),
        },
    )
    .unwrap();
    let dump = [
        "Binder transaction traces for all processes.\n\nTraces for process: com.example.mini\n"
            .to_string(),
        // Umeng's common SDK reads the IMEI itself.
        imei_trace(&[
            "com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew",
            "com.umeng.commonsdk.UMConfigure$1.run",
        ]),
        // Umeng's common SDK calls its bundled crash SDK, which reads it: the inner one.
        imei_trace(&[
            "com.umeng.umcrash.UMCrashUtils.getDeviceId",
            "com.umeng.commonsdk.UMConfigure$1.run",
        ]),
        // The app's own code, called from its Application.
        imei_trace(&[
            "com.example.mini.util.Ids.imei",
            "com.example.mini.App.onCreate",
        ]),
    ]
    .concat();
    w.append_raw("raw/ipc/001-before.txt")
        .unwrap()
        .write_all(dump.as_bytes())
        .unwrap();
    let logcat = [
        proc_start(0, 10050, 4242),
        line(400, "shell", 7000, 'I', "prior", "prior:consent:begin:1"),
        line(410, "shell", 7000, 'I', "prior", "prior:consent:end:1"),
    ]
    .concat();
    w.append_raw("raw/logcat.txt")
        .unwrap()
        .write_all(logcat.as_bytes())
        .unwrap();
    w.finish(T0, RecordingState::Complete, None).unwrap();

    let r = run(&dir, "cn-miit");
    let mut got: Vec<(String, String, String)> = r
        .findings
        .iter()
        .filter(|f| f.api == Some("ITelephony.getImeiForSlot".into()))
        .map(|f| {
            let a = f.actor.as_ref().unwrap();
            (
                format!("{:?}", a.kind),
                a.name.clone(),
                a.reason.clone().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "App".to_string(),
                "com.example.mini".to_string(),
                "stack frame com.example.mini.util.Ids.imei (confidence high)".to_string()
            ),
            (
                "Sdk".to_string(),
                "Umeng".to_string(),
                "stack frame com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew (confidence high)".to_string()
            ),
            (
                "Sdk".to_string(),
                "Umeng U-APM (crash)".to_string(),
                "stack frame com.umeng.umcrash.UMCrashUtils.getDeviceId (confidence high)"
                    .to_string()
            ),
        ]
    );
}

// ---- coverage: one state per source, with a typed reason ------------------------------

use crate::report::{CoverageReason, SourceCheck, SourceStatus};
use prior_model::Source;
use prior_model::bundle::CollectorState;

const APP_IPC: &str =
    "Binder transaction traces for all processes.\n\nTraces for process: com.example.mini\n\n";
const OTHER_IPC: &str =
    "Binder transaction traces for all processes.\n\nTraces for process: com.android.systemui\n\n";
const APPOPS: &str =
    "Current AppOps Service state:\n  Uid 10050:\n    state=top\n    Package com.example.mini:\n";

/// What a [`covered`] bundle holds.
struct Cover<'a> {
    device_debuggable: Option<bool>,
    app_debuggable: Option<bool>,
    /// The app-ops snapshot after the launch.
    appops: &'a str,
    /// The IPC dumps (one `before-consent`, one `end` when two are given).
    ipc: &'a [&'a str],
    /// A `consent_shown` record (the UI was observed).
    ui: bool,
    extra: Vec<HarnessRecord>,
}

impl Default for Cover<'_> {
    fn default() -> Self {
        Cover {
            device_debuggable: None,
            app_debuggable: None,
            appops: APPOPS,
            ipc: &[APP_IPC],
            ui: true,
            extra: Vec::new(),
        }
    }
}

/// A sealed bundle of `com.example.mini` with every collector and no access: it passes
/// unless `c` takes something away.
fn covered(c: Cover<'_>) -> Mini {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let meta = Meta::new(
        "0.1.0",
        T0,
        AppInfo {
            package: "com.example.mini".into(),
            uid: Some(10050),
            debuggable: c.app_debuggable,
            ..AppInfo::default()
        },
        DeviceInfo {
            serial: "emulator-5554".into(),
            debuggable: c.device_debuggable,
            build_type: c
                .device_debuggable
                .map(|d| if d { "userdebug" } else { "user" }.into()),
            ..DeviceInfo::default()
        },
    );
    let mut w = BundleWriter::create(&dir, meta).unwrap();
    let raw = |w: &mut BundleWriter, path: &str, text: &str| {
        w.append_raw(path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    };
    for (file, label, text) in [
        ("raw/appops/001-baseline.txt", "baseline", APPOPS),
        ("raw/appops/002-end.txt", "end", c.appops),
    ] {
        raw(&mut w, file, text);
        w.record(
            T0,
            HarnessRecord::AppopsSnapshot {
                file: file.into(),
                device_us: T0,
                label: label.into(),
            },
        )
        .unwrap();
    }
    for (i, text) in c.ipc.iter().enumerate() {
        let file = format!("raw/ipc/00{}.txt", i + 1);
        raw(&mut w, &file, text);
        w.record(
            T0,
            HarnessRecord::IpcDump {
                file,
                from_us: T0,
                to_us: T0 + 1_000_000,
                label: if i == 0 { "before-consent" } else { "end" }.into(),
            },
        )
        .unwrap();
    }
    if c.ui {
        w.record(
            T0,
            HarnessRecord::ConsentShown {
                device_us: T0 + 300_000,
                ui_file: "raw/ui/001.xml".into(),
            },
        )
        .unwrap();
    }
    w.record(T0, tap(1)).unwrap();
    for r in c.extra {
        w.record(T0, r).unwrap();
    }
    let logcat = [
        proc_start(0, 10050, 4242),
        line(400, "shell", 7000, 'I', "prior", "prior:consent:begin:1"),
        line(410, "shell", 7000, 'I', "prior", "prior:consent:end:1"),
    ]
    .concat();
    raw(&mut w, "raw/logcat.txt", &logcat);
    w.finish(T0, RecordingState::Complete, None).unwrap();
    Mini { _tmp: tmp, dir }
}

fn source(r: &Report, s: Source) -> &SourceCheck {
    r.checked.sources.iter().find(|c| c.source == s).unwrap()
}

/// Asserts one source's state and reason and that the detail says `why`.
fn assert_state(
    r: &Report,
    s: Source,
    status: SourceStatus,
    reason: Option<CoverageReason>,
    why: &str,
) {
    let c = source(r, s);
    assert_eq!((c.status, c.reason), (status, reason), "{c:?}");
    let detail = c.detail.as_deref().unwrap_or("");
    assert!(detail.contains(why), "{s:?}: {detail:?} lacks {why:?}");
}

#[test]
fn a_fully_covered_session_without_access_passes_and_every_source_is_analysed() {
    let m = covered(Cover {
        device_debuggable: Some(true),
        ..Cover::default()
    });
    let r = run(&m.dir, "gdpr");
    assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.incomplete);
    assert!(r.incomplete.is_empty());
    for s in [Source::Logcat, Source::Appops, Source::Ipc, Source::Ui] {
        let c = source(&r, s);
        assert_eq!(
            (c.status, c.reason, &c.detail),
            (SourceStatus::Analysed, None, &None)
        );
        assert!(c.required, "{s:?}");
    }
    let net = source(&r, Source::Net);
    assert_eq!(
        (net.status, net.reason, net.required),
        (
            SourceStatus::Unavailable,
            Some(CoverageReason::NotStarted),
            false
        )
    );
    assert_eq!(r.blind_sources().count(), 0);
    assert_eq!(r.report_format, 2);
}

#[test]
fn a_user_build_with_a_release_app_makes_ipc_unavailable_and_the_verdict_inconclusive() {
    // No collector record: the device and app facts alone decide. On a user build the dump
    // has no section for the app (docs/device-behaviour.md (a)); here it is empty.
    let m = covered(Cover {
        device_debuggable: Some(false),
        ipc: &[""],
        ..Cover::default()
    });
    let r = run(&m.dir, "cn-miit");
    assert_state(
        &r,
        Source::Ipc,
        SourceStatus::Unavailable,
        Some(CoverageReason::UserBuild),
        "the device is a user build (ro.debuggable=0) and the app is not known to be debuggable",
    );
    assert_eq!(r.verdict, Verdict::Inconclusive);
    let blind: Vec<_> = r.blind_sources().map(|s| s.source).collect();
    assert_eq!(blind, [Source::Ipc]);
    assert!(
        r.incomplete.iter().any(|i| i.starts_with(
            "required source ipc is unavailable (user build): the device is a user build"
        ) && i.ends_with("(profile cn-miit requires it analysed)")),
        "{:?}",
        r.incomplete
    );

    // A debuggable app on the same device is traced.
    let m = covered(Cover {
        device_debuggable: Some(false),
        app_debuggable: Some(true),
        ..Cover::default()
    });
    let r = run(&m.dir, "cn-miit");
    assert_state(&r, Source::Ipc, SourceStatus::Analysed, None, "");
    assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.incomplete);

    // The app's section in a dump proves it was traced, whatever meta.json could not tell.
    let m = covered(Cover {
        device_debuggable: Some(false),
        ..Cover::default()
    });
    assert_eq!(run(&m.dir, "cn-miit").verdict, Verdict::Pass);
}

#[test]
fn ipc_dumps_without_the_apps_section_are_no_output_not_no_ipc() {
    let m = covered(Cover {
        ipc: &[OTHER_IPC, ""],
        ..Cover::default()
    });
    let r = run(&m.dir, "gdpr");
    assert_state(
        &r,
        Source::Ipc,
        SourceStatus::Unavailable,
        Some(CoverageReason::NoOutput),
        "no section for the app's processes in raw/ipc/001.txt, raw/ipc/002.txt (empty)",
    );
    assert_eq!(r.verdict, Verdict::Inconclusive);

    // One dump traced the app, the other did not: partial.
    let m = covered(Cover {
        ipc: &[OTHER_IPC, APP_IPC],
        ..Cover::default()
    });
    let r = run(&m.dir, "gdpr");
    assert_state(
        &r,
        Source::Ipc,
        SourceStatus::Partial,
        Some(CoverageReason::NoOutput),
        "raw/ipc/001.txt: they were not traced",
    );
    assert_eq!(r.verdict, Verdict::Inconclusive);

    // No dump at all: not started.
    let m = covered(Cover {
        ipc: &[],
        ..Cover::default()
    });
    let r = run(&m.dir, "gdpr");
    assert_state(
        &r,
        Source::Ipc,
        SourceStatus::Unavailable,
        Some(CoverageReason::NotStarted),
        "no am trace-ipc dump",
    );
}

#[test]
fn an_error_reply_in_an_appops_snapshot_is_failed_not_an_empty_snapshot() {
    // What `dumpsys appops --package P` prints before Android 9 (docs/device-behaviour.md (b)).
    let m = covered(Cover {
        appops: "Unknown option: --package\n",
        ..Cover::default()
    });
    let r = run(&m.dir, "cn-miit");
    assert_state(
        &r,
        Source::Appops,
        SourceStatus::Failed,
        Some(CoverageReason::CommandRefused),
        "raw/appops/002-end.txt holds the device's error reply \"Unknown option: --package\" instead of a dump",
    );
    assert_eq!(r.verdict, Verdict::Inconclusive);

    let m = covered(Cover {
        appops: "\n  \n",
        ..Cover::default()
    });
    let r = run(&m.dir, "cn-miit");
    assert_state(
        &r,
        Source::Appops,
        SourceStatus::Failed,
        Some(CoverageReason::NoOutput),
        "raw/appops/002-end.txt is empty",
    );
    assert_eq!(r.verdict, Verdict::Inconclusive);
}

#[test]
fn collector_records_set_the_state_with_the_recorders_words() {
    let rec = |source, state, reason: &str| HarnessRecord::Collector {
        source,
        state,
        cause: None,
        reason: reason.into(),
    };
    let m = covered(Cover {
        extra: vec![
            rec(
                Source::Ui,
                CollectorState::Partial,
                "uiautomator dump: ERROR: could not get idle state. (1 of 3 dumps)",
            ),
            rec(
                Source::Appops,
                CollectorState::Failed,
                "appops snapshot `end`: the command was refused",
            ),
            rec(
                Source::Net,
                CollectorState::Unavailable,
                "network capture not started: the emulator console said KO",
            ),
        ],
        ..Cover::default()
    });
    let r = run(&m.dir, "gdpr");
    assert_state(
        &r,
        Source::Ui,
        SourceStatus::Partial,
        Some(CoverageReason::Reported),
        "the recorder reported: uiautomator dump: ERROR: could not get idle state.",
    );
    assert_state(
        &r,
        Source::Appops,
        SourceStatus::Failed,
        Some(CoverageReason::CommandRefused),
        "the command was refused",
    );
    assert_state(
        &r,
        Source::Net,
        SourceStatus::Unavailable,
        Some(CoverageReason::NotStarted),
        "the recorder reported: network capture not started",
    );
    assert_eq!(r.verdict, Verdict::Inconclusive);
    // Net is optional: unavailable, it does not keep the session from passing.
    let blind: Vec<_> = r.blind_sources().map(|s| s.source).collect();
    assert_eq!(blind, [Source::Appops, Source::Ui]);

    // An unavailable IPC record on a user build: the reason is the user build.
    let m = covered(Cover {
        extra: vec![rec(
            Source::Ipc,
            CollectorState::Unavailable,
            "user build (ro.debuggable=0) and the app is not debuggable: am trace-ipc traces only debuggable processes",
        )],
        ..Cover::default()
    });
    let r = run(&m.dir, "cn-miit");
    assert_state(
        &r,
        Source::Ipc,
        SourceStatus::Unavailable,
        Some(CoverageReason::UserBuild),
        "the recorder reported: user build",
    );
    assert_eq!(r.verdict, Verdict::Inconclusive);
}

#[test]
fn without_ui_observations_the_ui_source_is_not_started() {
    let m = covered(Cover {
        ui: false,
        ..Cover::default()
    });
    let r = run(&m.dir, "gdpr");
    assert_state(
        &r,
        Source::Ui,
        SourceStatus::Unavailable,
        Some(CoverageReason::NotStarted),
        "no UI observation",
    );
    assert_eq!(r.verdict, Verdict::Inconclusive);
}

#[test]
fn a_fail_stays_a_fail_and_still_lists_the_blind_sources() {
    let m = covered(Cover {
        device_debuggable: Some(false),
        ipc: &[""],
        extra: vec![HarnessRecord::ConsentMissing { timeout_ms: 5000 }],
        ..Cover::default()
    });
    let r = run(&m.dir, "cn-miit");
    assert_eq!(r.verdict, Verdict::Fail);
    let blind: Vec<_> = r.blind_sources().map(|s| s.source).collect();
    assert_eq!(blind, [Source::Ipc]);
    assert!(
        r.incomplete
            .iter()
            .any(|i| i.starts_with("required source ipc is unavailable (user build)"))
    );
}

#[test]
fn coverage_is_deterministic() {
    let m = covered(Cover {
        device_debuggable: Some(false),
        ipc: &[OTHER_IPC, ""],
        appops: "Unknown option: --package\n",
        ..Cover::default()
    });
    let a = serde_json::to_string(&run(&m.dir, "gdpr")).unwrap();
    let b = serde_json::to_string(&run(&m.dir, "gdpr")).unwrap();
    assert_eq!(a, b);
    assert!(
        a.contains(r#""status":"unavailable","reason":"user_build""#),
        "{a}"
    );
}

/// An Android 7 bundle: plain `dumpsys appops` snapshots with relative times only. The
/// app reads the phone state 2 s into the session (before the consent tap at 5 s); two
/// snapshots show that one access with different latencies, a third a later one.
#[test]
fn android_7_relative_entries_are_placed_from_the_snapshot_time_and_deduplicated() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let meta = Meta::new(
        "0.1.0",
        T0,
        AppInfo {
            package: "com.example.mini".into(),
            uid: Some(10050),
            ..AppInfo::default()
        },
        DeviceInfo {
            serial: "emulator-5554".into(),
            api_level: Some(24),
            ..DeviceInfo::default()
        },
    );
    let mut w = BundleWriter::create(&dir, meta).unwrap();
    let dump = |ago: &str| {
        format!(
            "Current AppOps Service state:\n  Uid 10050:\n    Package com.example.mini:\n      READ_PHONE_STATE: mode=0; time={ago} ago\n"
        )
    };
    let snaps = [
        (
            "raw/appops/001-baseline.txt",
            0,
            "Current AppOps Service state:\n".to_string(),
        ),
        // Taken at 3 s and at 4.5 s (+0.3 s latency): both show the access at 2 s.
        ("raw/appops/002-poll.txt", 3_000, dump("+1s0ms")),
        ("raw/appops/003-before-consent.txt", 4_500, dump("+2s800ms")),
        // After consent, a new access at 7 s.
        ("raw/appops/004-end.txt", 8_000, dump("+1s0ms")),
    ];
    for (file, off_ms, text) in &snaps {
        w.write_raw(file, text.as_bytes()).unwrap();
        let label = file.rsplit('-').next().unwrap().trim_end_matches(".txt");
        w.record(
            T0,
            HarnessRecord::AppopsSnapshot {
                file: file.to_string(),
                device_us: T0 + off_ms * 1000,
                label: label.to_string(),
            },
        )
        .unwrap();
    }
    w.record(T0, tap(1)).unwrap();
    let logcat = [
        line(5_000, "shell", 7000, 'I', "prior", "prior:consent:begin:1"),
        line(5_010, "shell", 7000, 'I', "prior", "prior:consent:end:1"),
    ]
    .concat();
    w.append_raw("raw/logcat.txt")
        .unwrap()
        .write_all(logcat.as_bytes())
        .unwrap();
    w.finish(T0, RecordingState::Complete, None).unwrap();
    let bundle = Bundle::open(&dir).unwrap();
    let r = analyze3(
        &bundle,
        &Catalog::builtin().unwrap(),
        &Profile::builtin("cn-miit").unwrap(),
    )
    .unwrap();
    let phone: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.api == Some("appop:READ_PHONE_STATE".into()))
        .collect();
    let before: Vec<_> = phone
        .iter()
        .filter(|f| f.rule == "pre-consent-access")
        .collect();
    assert_eq!(before.len(), 1, "{phone:#?}");
    let files: Vec<&str> = before[0].evidence.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(
        files,
        ["raw/appops/002-poll.txt"],
        "one access, first seen at 3 s"
    );
}

/// A copy of an example bundle in a temporary directory (kept alive by the returned guard).
fn hostile_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    copy_dir(&bundles_dir().join(name), &dir);
    (tmp, dir)
}

#[test]
fn irregular_entries_refuse_analysis_and_are_never_read_when_allowed() {
    let (tmp, dir) = hostile_copy("leaky");
    let outside = tmp.path().join("outside.txt");
    std::fs::write(&outside, "outside\n").unwrap();
    std::fs::remove_file(dir.join("raw/logcat.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("raw/logcat.txt")).unwrap();
    prior_model::bundle::write_manifest(&dir).unwrap();
    let bundle = Bundle::open(&dir).unwrap();
    let (catalog, profile) = (
        Catalog::builtin().unwrap(),
        Profile::builtin("cn-miit").unwrap(),
    );
    let err = analyze3(&bundle, &catalog, &profile).unwrap_err();
    assert_eq!(err.tampered_files(), vec!["raw/logcat.txt"]);
    assert!(err.to_string().contains("a symbolic link"), "{err}");
    let opts = AnalyzeOptions {
        allow_modified: true,
        ..AnalyzeOptions::default()
    };
    let r = analyze_with4(&bundle, &catalog, &profile, &opts).unwrap();
    assert_eq!(
        r.integrity.irregular,
        vec!["raw/logcat.txt (a symbolic link)"]
    );
    let logcat = &r.checked.sources[0];
    assert_eq!(logcat.source, prior_model::Source::Logcat);
    assert_eq!(logcat.status, crate::report::SourceStatus::Failed);
    assert_eq!(
        logcat.reason,
        Some(crate::report::CoverageReason::Unreadable)
    );
    assert!(logcat.files.is_empty());
    assert_ne!(r.verdict, Verdict::Pass);
}

#[test]
fn a_profile_other_than_the_recorded_one_is_named_in_the_report() {
    let (_tmp, dir) = hostile_copy("clean");
    let cn = Profile::builtin("cn-miit").unwrap();
    let p = dir.join("meta.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    m["profile_used"] = serde_json::json!({"name": "cn-miit", "sha256": cn.sha256});
    std::fs::write(&p, serde_json::to_string(&m).unwrap()).unwrap();
    prior_model::bundle::write_manifest(&dir).unwrap();
    let same = run(&dir, "cn-miit");
    assert_eq!(same.profile.sha256, cn.sha256);
    assert_eq!(same.profile.differs_from_recorded, None);
    assert_eq!(same.profile.file, None);
    let other = run(&dir, "gdpr");
    let note = other.profile.differs_from_recorded.unwrap();
    assert!(
        note.contains("recorded for profile cn-miit (built-in") && note.contains("under gdpr"),
        "{note}"
    );
}

#[test]
fn a_capture_of_an_unsupported_link_type_fails_the_net_source() {
    let (_tmp, dir) = hostile_copy("clean");
    // Classic pcap, link type 12, one 20-byte packet.
    let mut v = Vec::new();
    v.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&4u16.to_le_bytes());
    for w in [0u32, 0, 65535, 12, 1_700_000_000, 0, 20, 20] {
        v.extend_from_slice(&w.to_le_bytes());
    }
    v.extend_from_slice(&[0x45; 20]);
    std::fs::write(dir.join("raw/net.pcap"), v).unwrap();
    prior_model::bundle::write_manifest(&dir).unwrap();
    let r = run(&dir, "cn-miit");
    let net = r
        .checked
        .sources
        .iter()
        .find(|s| s.source == prior_model::Source::Net)
        .unwrap();
    assert_eq!(net.status, crate::report::SourceStatus::Failed, "{net:?}");
    assert!(
        net.detail
            .as_deref()
            .unwrap()
            .contains("unsupported link type 12 (1 packets)"),
        "{net:?}"
    );
}

// --- P4 (issue 17): a consent tap the app ignored
#[test]
fn an_ignored_consent_tap_leaves_the_screen_unanswered_and_later_accesses_before_consent() {
    let logcat = [
        proc_start(0, 10050, 4242),
        line(100, "shell", 7000, 'I', "prior", "prior:consent:begin:1"),
        line(110, "shell", 7000, 'I', "prior", "prior:consent:end:1"),
        line(900, "1000", 1234, 'I', "WifiService", "startScan uid=10050"),
    ]
    .concat();
    let ineffective = HarnessRecord::ConsentTapIneffective {
        action: prior_model::bundle::ConsentAction::Accept,
        device_us: T0 + 2_000_000,
        ui_file: "ui/0003.xml".into(),
    };
    // The same bundle without the record: accepted, the scan after consent.
    let m = mini(Some(10050), &logcat, vec![tap(1)]);
    let r = run(&m.dir, "cn-miit");
    assert_eq!(r.consent.outcome, prior_model::ConsentOutcome::Accepted);
    assert!(r.findings.iter().all(|f| f.rule != "pre-consent-access"));
    let m = mini(Some(10050), &logcat, vec![tap(1), ineffective]);
    let r = run(&m.dir, "cn-miit");
    assert_eq!(r.consent.outcome, prior_model::ConsentOutcome::Unanswered);
    assert_eq!(
        r.consent.method,
        crate::report::ConsentMethod::TapIneffective
    );
    assert!(r.consent.answered.is_none());
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert_eq!(r.findings[0].rule, "pre-consent-access");
    assert_eq!(r.verdict, Verdict::Fail);
}
