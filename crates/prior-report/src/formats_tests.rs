//! Tests of the HTML, JUnit, SARIF and baseline renderers over the example bundles.

use crate::{Baseline, HtmlRun, SarifRun, fingerprint, render_html, render_junit, render_sarif};
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
use prior_model::Timing;
use prior_model::bundle::Bundle;
use std::path::Path;

/// An example bundle of `tests/data/bundles`, analysed under cn-miit (also used by
/// `lang_tests`).
pub(crate) fn report(bundle: &str) -> Report {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/bundles")
        .join(bundle);
    let b = Bundle::open(dir).unwrap();
    analyze(
        &b,
        &Catalog::builtin().unwrap(),
        &Profile::builtin("cn-miit").unwrap(),
    )
    .unwrap()
}

fn html(r: &Report) -> String {
    render_html(&[HtmlRun {
        report: r,
        screenshots: Vec::new(),
        suppressed: Vec::new(),
    }])
    .unwrap()
}

const EVIL: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>&amp;";

#[test]
fn html_escapes_every_app_string() {
    let mut r = report("leaky");
    r.app.package = EVIL.to_string();
    r.bundle.scenario = Some(EVIL.to_string());
    r.device.model = Some(EVIL.to_string());
    r.findings[0].evidence[0].text = EVIL.to_string();
    r.findings[0].message = EVIL.to_string();
    r.timeline[0].event.detail = EVIL.to_string();
    r.incomplete.push(EVIL.to_string());
    let h = html(&r);
    assert!(!h.contains("<script>alert"), "raw script");
    assert!(!h.contains("<img src=x"), "raw img");
    assert_eq!(h.matches("<script>").count(), 1, "only Prior's own script");
    let escaped = h
        .matches("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
        .count();
    // package (title + heading), scenario, model, evidence, message, timeline title, incomplete.
    assert!(escaped >= 7, "escaped copies: {escaped}");
    assert!(
        h.contains("&amp;amp;"),
        "an entity is shown literally, not decoded"
    );
}

#[test]
fn html_has_header_timeline_findings_and_checked_list() {
    let r = report("leaky");
    let h = html(&r);
    assert!(h.contains("verdict-fail"));
    assert!(h.contains(r.app.apk_sha256.as_deref().unwrap()));
    assert!(h.contains("Asia&#x2f;Shanghai"), "minijinja escapes / too");
    assert!(
        !h.contains("id=\"simulated-banner\""),
        "a real-device report has no banner"
    );
    // Instants are marks; windows (IPC traces) are hatched spans drawn before them.
    let marks = h.matches("<rect class=\"mark ").count();
    let windows = h.matches("<rect class=\"window ").count();
    assert_eq!(marks + windows, r.timeline.len());
    assert_eq!(
        windows, 4,
        "three IPC-window events and the consent tap window"
    );
    assert_eq!(
        h.matches("<rect class=\"finding ").count(),
        r.findings.len()
    );
    assert_eq!(h.matches("class=\"finding-card ").count(), r.findings.len());
    assert!(h.contains("<rect class=\"consent consent-accepted\""));
    assert!(h.contains("raw&#x2f;ipc&#x2f;001-before-consent.txt:4"));
    assert_eq!(
        h.matches("<td><span class=\"swatch").count(),
        r.checked.categories.len()
    );
    assert!(h.contains("@media print"));
    assert!(
        !h.contains("http://")
            || h.matches("http://").count() == h.matches("http://www.w3.org/2000/svg").count()
    );

    let mut sim = r.clone();
    sim.device.simulated = true;
    assert!(html(&sim).contains("id=\"simulated-banner\""));
}

#[test]
fn html_says_who_collected_what_before_consent() {
    let r = report("leaky");
    let h = html(&r);
    let table = h
        .split("Who collected what before consent")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("the actors table");
    // One row per actor of a finding before or at consent, with its categories and APIs.
    let before: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.phase != prior_model::Phase::AfterConsent)
        .collect();
    assert!(!before.is_empty());
    for f in &before {
        let name = f
            .actor
            .as_ref()
            .map_or("not determined", |a| a.name.as_str());
        assert!(
            table.contains(name),
            "{name} missing from the actors table:\n{table}"
        );
        if let Some(c) = f.category {
            assert!(table.contains(c.label()), "{} missing", c.label());
        }
    }
    // A clean report has no such table.
    assert!(!html(&report("clean")).contains("Who collected what before consent"));
}

/// A finding that is one access seen by several collectors says so on its card, as the text
/// report does (issue 14); a finding seen by one collector has no such line.
#[test]
fn html_cards_say_which_collectors_saw_one_access() {
    let r = report("leaky");
    let h = html(&r);
    let several: Vec<_> = r.findings.iter().filter(|f| f.seen_by.len() > 1).collect();
    assert!(
        !several.is_empty(),
        "leaky has an access seen by several collectors"
    );
    assert_eq!(h.matches("<span class=\"seen-by\">").count(), several.len());
    for f in several {
        let names: Vec<&str> = f.seen_by.iter().map(|s| s.as_str()).collect();
        let line = format!(
            "seen by: {} ({} signals, one access)",
            names.join(", "),
            f.signals
        );
        assert!(h.contains(&line), "{line} missing");
    }
}

/// `leaky` plus a tracker contact seen in a network capture (a timeline event and a finding).
fn with_net(r: &mut Report) {
    let evidence = prior_model::Evidence {
        file: "raw/net.pcap".into(),
        line: 3,
        text: "byte offset 130: tls-sni ulogs.umeng.com 10.0.2.15:40715 → 203.0.113.133:443".into(),
    };
    let mut t = r.timeline[0].clone();
    t.event.source = prior_model::Source::Net;
    t.event.kind = prior_model::EventKind::NetworkContact;
    t.event.category = None;
    t.event.api = Some("host:ulogs.umeng.com".into());
    t.event.detail = "TLS ClientHello with SNI ulogs.umeng.com".into();
    t.event.evidence = evidence.clone();
    r.timeline.push(t);
    let mut f = r.findings[0].clone();
    f.rule = "tracker-contact-before-consent".into();
    f.category = None;
    f.source = prior_model::Source::Net;
    f.api = Some("host:ulogs.umeng.com".into());
    f.evidence = vec![evidence];
    f.evidence_omitted = 0;
    r.findings.push(f);
}

#[test]
fn network_events_get_their_own_lane_and_packet_numbers() {
    let mut r = report("leaky");
    with_net(&mut r);
    let h = html(&r);
    assert_eq!(h.matches(">network (device-wide)</text>").count(), 1);
    // The lane sits above "other events"; the net mark and the finding outline are in it.
    let lane_y = |label: &str| -> f64 {
        let at = h.find(&format!(">{label}</text>")).unwrap();
        let text = &h[..at];
        let y = text.rfind("<text x=\"4\" y=\"").unwrap();
        text[y + 15..]
            .split('"')
            .next()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            - 13.0
    };
    let (net, other) = (lane_y("network (device-wide)"), lane_y("other events"));
    assert_eq!(other - net, 18.0);
    let mark = h
        .split("<rect class=\"mark kind-network_contact ")
        .nth(1)
        .expect("a network mark");
    let y_of = |el: &str| -> f64 {
        el.split(" y=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(y_of(mark), net + 3.0, "the net mark is in its lane");
    let outline = h
        .split("<rect class=\"finding ")
        .last()
        .expect("the last finding's outline");
    assert_eq!(
        y_of(outline),
        net + 1.0,
        "the net finding is outlined in the lane"
    );
    assert!(h.contains("<div class=\"loc\">raw&#x2f;net.pcap packet #3</div>"));
    assert!(!h.contains("raw&#x2f;net.pcap:3"));
    let t = crate::render_text(&r);
    assert!(
        t.contains("raw/net.pcap packet #3  byte offset 130: tls-sni"),
        "{t}"
    );
    let j = render_junit(&[&r]).unwrap();
    assert!(
        j.contains("raw/net.pcap packet #3: byte offset 130: tls-sni"),
        "{j}"
    );
    // Text files keep file:line; a report without network events has no network lane.
    assert!(h.contains("raw&#x2f;ipc&#x2f;001-before-consent.txt:4"));
    assert!(!html(&report("leaky")).contains("network (device-wide)"));
}

#[test]
fn html_bins_long_timelines() {
    let mut r = report("leaky");
    let base = r.timeline.clone();
    let start = base[0].event.timing.earliest();
    r.timeline = (0..20_000)
        .map(|i| {
            let mut t = base[i % base.len()].clone();
            t.event.timing = Timing::instant(start + i as i64 * 90_000);
            t
        })
        .collect();
    let h = html(&r);
    let marks = h.matches("<rect class=\"mark ").count();
    assert!(marks > 100 && marks <= 1000 * 8, "binned marks: {marks}");
    assert!(h.contains("events in "), "bins carry counts");
    assert!(h.len() < 2_000_000, "{} bytes", h.len());
}

#[test]
fn screenshots_are_inlined_as_data_uris_only_when_png() {
    let r = report("leaky");
    let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
    let h = render_html(&[HtmlRun {
        report: &r,
        screenshots: vec![
            crate::Screenshot {
                name: "001-consent.png".into(),
                png,
            },
            crate::Screenshot {
                name: "<b>.png".into(),
                png: b"<svg onload=alert(1)>".to_vec(),
            },
        ],
        suppressed: Vec::new(),
    }])
    .unwrap();
    assert!(h.contains("src=\"data:image&#x2f;png;base64,iVBORw0KGgpyZXN0\""));
    assert!(h.contains("&lt;b&gt;.png"));
    assert!(h.contains("<figure id=\"shot-1-1\">"));
    assert_eq!(
        h.matches("<a href=\"#shot-1-1\">Screenshot of the consent screen</a>")
            .count(),
        r.findings.len(),
        "every finding links the consent screenshot"
    );
    assert!(!h.contains("onload=alert"));
}

#[test]
fn fingerprints_ignore_time_and_follow_rule_category_api_actor() {
    let r = report("leaky");
    let f = &r.findings[0];
    let fp = fingerprint(&r.app.package, f);
    assert_eq!(fp.len(), 32);
    let mut moved = f.clone();
    moved.timing = Timing::instant(f.timing.earliest() + 5_000_000);
    moved.events += 3;
    moved.evidence.clear();
    assert_eq!(fingerprint(&r.app.package, &moved), fp);
    let mut other = f.clone();
    other.api = Some("something.else".into());
    assert_ne!(fingerprint(&r.app.package, &other), fp);
    assert_ne!(fingerprint("another.app", f), fp);
    let all: std::collections::BTreeSet<String> = r
        .findings
        .iter()
        .map(|f| fingerprint(&r.app.package, f))
        .collect();
    assert_eq!(
        all.len(),
        r.findings.len(),
        "distinct findings, distinct prints"
    );
}

#[test]
fn baseline_compare_marks_new_unchanged_fixed_within_the_runs_apps() {
    let r = report("leaky");
    let clean = report("clean");
    let b = Baseline::from_reports(&[&r]);
    assert_eq!(b.findings.len(), r.violations().count());
    let back = Baseline::from_json(&b.to_json()).unwrap();
    assert_eq!(back, b);

    let same = b.compare(&[&r]);
    assert!(same.new.is_empty() && same.fixed.is_empty());
    assert_eq!(same.unchanged.len(), b.findings.len());

    let mut changed = r.clone();
    let gone = changed.findings.remove(0);
    let mut added = changed.findings[0].clone();
    added.api = Some("INewService.read".into());
    changed.findings.push(added);
    let d = b.compare(&[&changed]);
    assert_eq!(d.new.len(), 1);
    assert_eq!(d.new[0].api.as_deref(), Some("INewService.read"));
    assert_eq!(d.fixed.len(), 1);
    assert_eq!(d.fixed[0].fingerprint, fingerprint(&r.app.package, &gone));
    assert_eq!(
        d.state_of(&changed.app.package, &changed.findings[0]),
        Some("unchanged")
    );
    assert!(d.render_text().starts_with("Baseline: 1 new, "));

    // Another app's run says nothing about this app's findings.
    let other = b.compare(&[&clean]);
    assert!(other.fixed.is_empty() && other.new.is_empty());

    assert!(Baseline::from_json("{\"baseline_format\": 9, \"findings\": []}").is_err());
}

/// Issue 14: fingerprints are of the normalised access, and a format-1 baseline (one
/// fingerprint per signal, whole API) is read with its fingerprints recomputed.
#[test]
fn baseline_fingerprints_are_accesses_and_format_1_files_are_mapped() {
    let r = report("leaky");
    let imei = &r.findings[0];
    assert_eq!(imei.api, Some("ITelephony.getImeiForSlot".into()));
    let mut other_collector = imei.clone();
    other_collector.api = Some("getImeiForSlot".into());
    other_collector.source = prior_model::Source::Logcat;
    assert_eq!(
        crate::fingerprint(&r.app.package, imei),
        crate::fingerprint(&r.app.package, &other_collector)
    );
    let mut other_access = imei.clone();
    other_access.api = Some("ITelephony.getDeviceId".into());
    assert_ne!(
        crate::fingerprint(&r.app.package, imei),
        crate::fingerprint(&r.app.package, &other_access)
    );
    let old = format!(
        r#"{{"baseline_format": 1, "findings": [
          {{"fingerprint": "00112233445566778899aabbccddeeff", "package": "{}",
            "rule": "pre-consent-access", "category": "device_identifiers",
            "api": "ITelephony.getImeiForSlot", "actor": "Umeng", "severity": "high",
            "message": "old"}},
          {{"fingerprint": "ffeeddccbbaa99887766554433221100", "package": "{}",
            "rule": "pre-consent-access", "category": "device_identifiers",
            "api": "appop:READ_DEVICE_IDENTIFIERS", "severity": "high", "message": "old"}}]}}"#,
        r.app.package, r.app.package
    );
    let b = Baseline::from_json(&old).unwrap();
    assert_eq!(b.migrated_from, Some(1));
    assert!(b.migration_note().unwrap().contains("prior baseline save"));
    let d = b.compare(&[&r]);
    assert_eq!(d.state_of(&r.app.package, imei), Some("unchanged"));
    // The old app-op entry is now evidence of the IMEI access: it shows as fixed.
    assert_eq!(d.fixed.len(), 1, "{d:?}");
    assert_eq!(
        d.fixed[0].api.as_deref(),
        Some("appop:READ_DEVICE_IDENTIFIERS")
    );
    // A baseline saved now is format 2 and has no note.
    let now = Baseline::from_json(&Baseline::from_reports(&[&r]).to_json()).unwrap();
    assert_eq!((now.baseline_format, now.migrated_from), (2, None));
    assert!(Baseline::from_json("not json").is_err());
}

#[test]
fn junit_has_a_case_per_rule_and_no_root_skipped() {
    let r = report("leaky");
    let x = render_junit(&[&r]).unwrap();
    assert!(
        x.contains("<testsuites name=\"prior\" tests=\"9\" failures=\"1\" errors=\"0\">"),
        "{x}"
    );
    assert!(x.contains("<testsuite name=\"com.example.leakyshop · "));
    // One case per rule (7) plus sources-analysed and session-complete.
    assert_eq!(x.matches("<testcase ").count(), 9);
    assert_eq!(x.matches("<failure ").count(), 1);
    assert!(
        x.contains("raw/ipc/001-before-consent.txt:4: Count: 1"),
        "{x}"
    );
    let t = report("truncated");
    let x = render_junit(&[&t]).unwrap();
    assert!(x.contains("<error message=\"the session or its analysis is incomplete"));
}

#[test]
fn sarif_results_say_which_collectors_saw_each_access() {
    let r = report("leaky");
    let grouped = r
        .findings
        .iter()
        .position(|f| f.seen_by.len() > 1)
        .expect("the leaky bundle has an access seen by two collectors");
    let s = render_sarif(&[SarifRun {
        report: &r,
        scenario_uri: "s.yaml".into(),
        judgement: no_judgement(),
    }]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    for (res, f) in results.iter().zip(&r.findings) {
        let seen: Vec<&str> = res["properties"]["seenBy"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        let want: Vec<&str> = f.seen_by.iter().map(|s| s.as_str()).collect();
        assert_eq!(seen, want);
        assert_eq!(res["properties"]["signals"], f.signals);
    }
    let p = &results[grouped]["properties"];
    assert!(p["seenBy"].as_array().unwrap().len() > 1, "{p}");
    assert!(p["signals"].as_u64().unwrap() > 1, "{p}");
}

#[test]
fn sarif_levels_rule_indexes_and_locations() {
    let r = report("leaky");
    let s = render_sarif(&[SarifRun {
        report: &r,
        scenario_uri: "scenarios/leakyshop.yaml".into(),
        judgement: no_judgement(),
    }]);
    let mut known = r.clone();
    known.findings.remove(0);
    let diff = Baseline::from_reports(&[&known]).compare(&[&r]);
    let with = render_sarif(&[SarifRun {
        report: &r,
        scenario_uri: "s.yaml".into(),
        judgement: &crate::Judgement {
            baseline: Some(diff.clone()),
            ..crate::Judgement::default()
        },
    }]);
    let w: serde_json::Value = serde_json::from_str(&with).unwrap();
    let states: Vec<&str> = w["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(
        states.iter().filter(|s| **s == "new").count(),
        1,
        "{states:?}"
    );
    assert_eq!(states[0], "new");
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let run = &v["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), r.findings.len());
    for (res, f) in results.iter().zip(&r.findings) {
        assert_eq!(res["level"], "error", "high maps to error");
        let i = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][i]["id"], f.rule.as_str());
        assert_eq!(
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "scenarios/leakyshop.yaml"
        );
        assert_eq!(
            res["properties"]["evidence"].as_array().unwrap().len(),
            f.evidence.len()
        );
    }
    assert_eq!(run["properties"]["simulated"], false);
}

#[test]
fn relative_times_and_tick_steps() {
    assert_eq!(
        crate::timefmt::rel(crate::Lang::En, 1_500_000, 0),
        "+1.500 s"
    );
    assert_eq!(
        crate::timefmt::rel(crate::Lang::En, 0, 2_250_000),
        "-2.250 s"
    );
    assert_eq!(crate::html::nice_step(1800.0), 200.0);
    assert_eq!(crate::html::nice_step(6.9), 1.0);
    assert_eq!(crate::html::nice_step(22.0), 5.0);
}

const ALL: [&str; 6] = [
    "leaky",
    "clean",
    "no-consent",
    "permission-first",
    "rejected",
    "truncated",
];

#[test]
fn snapshots_of_every_format_over_the_example_bundles() {
    let reports: Vec<Report> = ALL.iter().map(|b| report(b)).collect();
    let refs: Vec<&Report> = reports.iter().collect();
    insta::assert_snapshot!("junit_batch", render_junit(&refs).unwrap());
    let runs: Vec<SarifRun<'_>> = reports
        .iter()
        .map(|r| SarifRun {
            report: r,
            scenario_uri: "scenarios/example.yaml".into(),
            judgement: no_judgement(),
        })
        .collect();
    insta::assert_snapshot!("sarif_batch", render_sarif(&runs));
    insta::assert_snapshot!("json_batch", crate::render_json_batch(&refs));
    let pages: Vec<HtmlRun<'_>> = reports
        .iter()
        .map(|r| HtmlRun {
            report: r,
            screenshots: Vec::new(),
            suppressed: Vec::new(),
        })
        .collect();
    insta::assert_snapshot!("html_batch", render_html(&pages).unwrap());
}

#[test]
fn bundle_screenshots_reads_pngs_in_order_and_skips_huge_ones() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(crate::bundle_screenshots(tmp.path()).unwrap().is_empty());
    let dir = tmp.path().join("raw/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("002-home.png"), b"\x89PNGb").unwrap();
    std::fs::write(dir.join("001-consent.png"), b"\x89PNGa").unwrap();
    std::fs::write(dir.join("notes.txt"), b"x").unwrap();
    let big = vec![0u8; crate::html::MAX_SCREENSHOT_BYTES + 1];
    std::fs::write(dir.join("003-big.png"), big).unwrap();
    let shots = crate::bundle_screenshots(tmp.path()).unwrap();
    let names: Vec<&str> = shots.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["001-consent.png", "002-home.png", "003-big.png"]);
    assert_eq!(shots[0].png, b"\x89PNGa");
    assert!(shots[2].png.is_empty(), "too large: not read");
}

#[test]
fn bundle_screenshots_never_follow_links_or_open_fifos() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside.png");
    std::fs::write(&outside, b"\x89PNGoutside").unwrap();
    let b = tmp.path().join("b");
    let dir = b.join("raw/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("001-ok.png"), b"\x89PNGok").unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("002-link.png")).unwrap();
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        dir.join("003-fifo.png"),
        rustix::fs::Mode::from_raw_mode(0o600),
    )
    .unwrap();
    let shots = crate::bundle_screenshots(&b).unwrap();
    let names: Vec<&str> = shots.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["001-ok.png"]);
    // A linked screenshots directory is not listed at all.
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::rename(&dir, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
    assert!(crate::bundle_screenshots(&b).unwrap().is_empty());
}

// ---- coverage: every format says which source was not analysed and why ----------------

/// The clean bundle's report as if recorded on a user build: IPC unavailable, with a detail
/// that carries markup (it can hold the recorder's words), the verdict inconclusive — what
/// the analyzer gives for such a session (`prior-analyze` tests that part).
fn blind_ipc() -> Report {
    let mut r = report("clean");
    assert_eq!(r.verdict, prior_model::Verdict::Pass);
    let ipc = r
        .checked
        .sources
        .iter_mut()
        .find(|s| s.source == prior_model::Source::Ipc)
        .unwrap();
    ipc.status = prior_analyze::report::SourceStatus::Unavailable;
    ipc.reason = Some(prior_analyze::report::CoverageReason::UserBuild);
    ipc.detail = Some(
        "the device is a user build <b>&</b>: am trace-ipc traces only debuggable processes".into(),
    );
    let sentence = ipc.incomplete_sentence("cn-miit");
    r.incomplete.push(sentence);
    r.verdict = prior_model::Verdict::Inconclusive;
    r
}

#[test]
fn json_carries_the_state_reason_and_requirement_of_each_source() {
    let v: serde_json::Value = serde_json::from_str(&crate::render_json(&blind_ipc())).unwrap();
    assert_eq!(v["report_format"], 2);
    assert_eq!(v["verdict"], "inconclusive");
    let ipc = &v["checked"]["sources"][2];
    assert_eq!(ipc["source"], "ipc");
    assert_eq!(ipc["status"], "unavailable");
    assert_eq!(ipc["reason"], "user_build");
    assert_eq!(ipc["required"], true);
    assert!(ipc["detail"].as_str().unwrap().contains("am trace-ipc"));
    let logcat = &v["checked"]["sources"][0];
    assert_eq!(logcat["status"], "analysed");
    assert!(logcat.get("reason").is_none() && logcat.get("detail").is_none());
    assert!(v["incomplete"][0].as_str().unwrap().starts_with(
        "required source ipc is unavailable (user build): the device is a user build"
    ));
}

#[test]
fn html_shows_the_blind_source_and_its_reason_escaped() {
    let page = html(&blind_ipc());
    assert!(page.contains("INCONCLUSIVE, no violation found but not every source was analysed: ipc unavailable (user build)"), "headline");
    assert!(
        page.contains("<tr class=\"blind\"><td>ipc</td><td><span class=\"dirty\">unavailable</span></td><td><b>user build</b>: the device is a user build &lt;b&gt;&amp;&lt;&#x2f;b&gt;: am trace-ipc"),
        "{}",
        page.lines().find(|l| l.contains("<td>ipc</td>")).unwrap_or("")
    );
    assert!(!page.contains("user build <b>&</b>"));
    assert!(page.contains(
        "<li>required source ipc is unavailable (user build): the device is a user build &lt;b&gt;"
    ));
}

#[test]
fn junit_errors_a_sources_case_with_the_reason_and_lists_every_source() {
    let x = render_junit(&[&blind_ipc()]).unwrap();
    assert!(
        x.contains("<error message=\"a source was not analysed, so the verdict is inconclusive: ipc (required): unavailable (user build): the device is a user build &lt;b&gt;&amp;&lt;/b&gt;: am trace-ipc traces only debuggable processes\" type=\"inconclusive\"/>"),
        "{x}"
    );
    assert!(
        x.contains("<property name=\"source.ipc\" value=\"unavailable (user build): the device is a user build &lt;b&gt;&amp;&lt;/b&gt;: am trace-ipc traces only debuggable processes; required\"/>"),
        "{x}"
    );
    assert!(
        x.contains("<property name=\"source.logcat\" value=\"analysed; required\"/>"),
        "{x}"
    );
    assert!(
        x.contains("<property name=\"verdict\" value=\"inconclusive\"/>"),
        "{x}"
    );
    // The blind source has its own case: session-complete stays green.
    assert!(
        x.contains(
            "<testcase name=\"session-complete\" classname=\"prior.com.example.cleanshop\"/>"
        ),
        "{x}"
    );
    // The clean report: every case passes.
    let x = render_junit(&[&report("clean")]).unwrap();
    assert!(
        x.contains(
            "<testcase name=\"sources-analysed\" classname=\"prior.com.example.cleanshop\"/>"
        ),
        "{x}"
    );
    assert!(!x.contains("<error"), "{x}");
}

#[test]
fn sarif_has_a_notification_and_invocation_properties_for_the_blind_source() {
    let r = blind_ipc();
    let s = render_sarif(&[SarifRun {
        report: &r,
        scenario_uri: "s.yaml".into(),
        judgement: no_judgement(),
    }]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(
        notes.len(),
        1,
        "the sentence in `incomplete` is not repeated: {notes:?}"
    );
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[0]["descriptor"]["id"], "prior/source-unavailable");
    assert_eq!(notes[0]["properties"]["reason"], "user_build");
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("required source ipc was not analysed, so the verdict is inconclusive: unavailable (user build): the device is a user build <b>&</b>")
    );
    assert_eq!(inv["properties"]["verdict"], "inconclusive");
    assert_eq!(
        inv["properties"]["blindSources"],
        serde_json::json!(["ipc"])
    );
    let ipc = &inv["properties"]["sources"][2];
    assert_eq!(
        (
            &ipc["source"],
            &ipc["status"],
            &ipc["reason"],
            &ipc["required"],
            &ipc["blocksPass"]
        ),
        (
            &serde_json::json!("ipc"),
            &serde_json::json!("unavailable"),
            &serde_json::json!("user_build"),
            &serde_json::json!(true),
            &serde_json::json!(true)
        )
    );
}

/// The judgement of a run without `expect:` and without a baseline.
fn no_judgement() -> &'static crate::Judgement {
    Box::leak(Box::default())
}

/// The leaky report judged three ways at once: finding 0 allowed by the scenario, finding 1
/// unchanged since a baseline that also knows a finding the run no longer has; the others new.
fn judged_leaky() -> (Report, crate::Judgement) {
    let mut r = report("leaky");
    // Since issue 14 the leaky bundle has two accesses (IMEI, location); a third, of another
    // category, is the finding the baseline does not know.
    let mut third = r.findings[1].clone();
    third.category = Some(prior_model::DataCategory::InstalledApps);
    third.api = Some("IPackageManager.getInstalledPackages".into());
    r.findings.push(third);
    r.summary.findings += 1;
    r.summary.high += 1;
    r.summary.violations += 1;
    assert!(r.violations().count() >= 3);
    let mut known = r.clone();
    known.findings.truncate(2);
    let mut gone = r.findings[0].clone();
    gone.api = Some("IGone.read".into());
    known.findings.push(gone);
    let mut j = crate::Judgement {
        baseline: Some(Baseline::from_reports(&[&known]).compare(&[&r])),
        ..crate::Judgement::default()
    };
    j.allowed.push(crate::Suppression {
        finding: 0,
        reason: "JIRA-7 \u{1b}[31mred".into(),
        expires: Some("2099-01-31".into()),
    });
    (r, j)
}

#[test]
fn text_marks_allowed_unchanged_and_new_findings() {
    let (r, j) = judged_leaky();
    let t = crate::render_text_judged(&r, &j, crate::Lang::En);
    assert_eq!(
        t.matches(
            "=> does not count: allowed by the scenario until 2099-01-31 (JIRA-7 \\u{1b}[31mred)"
        )
        .count(),
        1,
        "{t}"
    );
    assert_eq!(
        t.matches("=> does not count: unchanged since the baseline")
            .count(),
        1,
        "{t}"
    );
    let new = r.violations().count() - 2;
    assert_eq!(
        t.matches("=> NEW since the baseline: counts").count(),
        new,
        "{t}"
    );
    assert!(!t.contains('\u{1b}'), "no raw escape reaches the terminal");
    // Without a judgement, no marks.
    assert!(!crate::render_text(&r).contains("=> "));
    assert_eq!(j.new_violations(&r), Some(new));
    assert!(j.fails(&r));
}

#[test]
fn junit_passes_excused_findings_with_the_reason_and_fails_new_ones() {
    let (r, j) = judged_leaky();
    let x = crate::render_junit_judged(&[(&r, &j)]).unwrap();
    let case = x
        .split("<testcase ")
        .find(|c| c.starts_with("name=\"pre-consent-access\""))
        .unwrap();
    assert!(case.contains("<failure "), "{case}");
    assert!(case.contains("new since the baseline"), "{case}");
    assert!(case.contains("unchanged since the baseline: "), "{case}");
    assert!(
        case.contains("allowed by the scenario until 2099-01-31 (JIRA-7"),
        "{case}"
    );
    // Everything known or allowed: no failure at all, and no error for a complete session.
    let mut all = j.clone();
    all.baseline = Some(Baseline::from_reports(&[&r]).compare(&[&r]));
    assert!(!all.fails(&r));
    let x = crate::render_junit_judged(&[(&r, &all)]).unwrap();
    assert!(!x.contains("<failure") && !x.contains("<error"), "{x}");
    // Expectations that hold (verdict fail): the findings pass as expected, and a case says so.
    let met = crate::Judgement {
        expectations: Some(crate::Expectations {
            met: true,
            expected: vec!["verdict fail".into()],
            unexpected: r.violations().count(),
            ..crate::Expectations::default()
        }),
        ..crate::Judgement::default()
    };
    let x = crate::render_junit_judged(&[(&r, &met)]).unwrap();
    assert!(!x.contains("<failure"), "{x}");
    assert!(
        x.contains("expected: the scenario&apos;s expectations hold: ")
            || x.contains("expected: the scenario's expectations hold: "),
        "{x}"
    );
    assert!(x.contains("<testcase name=\"expectations\""), "{x}");
    let unmet = crate::Judgement {
        expectations: Some(crate::Expectations {
            met: false,
            problems: vec!["the verdict is fail, expected pass".into()],
            ..crate::Expectations::default()
        }),
        ..crate::Judgement::default()
    };
    let x = crate::render_junit_judged(&[(&r, &unmet)]).unwrap();
    assert!(x.contains("type=\"expectations\""), "{x}");
}

#[test]
fn sarif_baseline_states_include_absent_and_suppressions_cover_allowed_and_expected() {
    let (r, j) = judged_leaky();
    let s = render_sarif(&[SarifRun {
        report: &r,
        scenario_uri: "s.yaml".into(),
        judgement: &j,
    }]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let state = |st: &str| results.iter().filter(|x| x["baselineState"] == st).count();
    // Finding 0 is allowed but still "unchanged" against the baseline.
    assert_eq!(state("unchanged"), 2);
    assert_eq!(state("new"), r.violations().count() - 2);
    assert_eq!(state("absent"), 1);
    let absent = results
        .iter()
        .find(|x| x["baselineState"] == "absent")
        .unwrap();
    assert_eq!(absent["kind"], "pass");
    assert!(
        absent["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("fixed since the baseline: ")
    );
    assert_eq!(results[0]["suppressions"][0]["status"], "accepted");
    assert!(results[1]["suppressions"].is_null());
    let judgement = &v["runs"][0]["invocations"][0]["properties"]["judgement"];
    assert_eq!(judgement["fails"], true);
    assert_eq!(judgement["newViolations"], r.violations().count() - 2);
    let met = crate::Judgement {
        expectations: Some(crate::Expectations {
            met: true,
            expected: vec!["verdict fail".into()],
            ..crate::Expectations::default()
        }),
        ..crate::Judgement::default()
    };
    let s = render_sarif(&[SarifRun {
        report: &r,
        scenario_uri: "s.yaml".into(),
        judgement: &met,
    }]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    for res in v["runs"][0]["results"].as_array().unwrap() {
        if res["level"] != "note" {
            assert!(
                res["suppressions"][0]["justification"]
                    .as_str()
                    .unwrap()
                    .contains("expected verdict fail"),
                "{res}"
            );
        }
    }
}
