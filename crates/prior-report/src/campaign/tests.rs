//! The campaign summary and its renderers over the example bundles.

use super::*;
use crate::formats_tests::report;

const HOSTILE_NAME: &str = "=cmd|' /C calc'!A0 <script>document.title='pwned'</script>";

fn app(slug: &str, name: Option<&str>) -> AppInput {
    AppInput {
        slug: slug.into(),
        apk: format!("/apks/{slug}.apk"),
        name: name.map(str::to_string),
        ..AppInput::default()
    }
}

fn pair<'a>(
    app: usize,
    scenario: usize,
    state: PairStateView,
    r: Option<&'a Report>,
) -> PairInput<'a> {
    PairInput {
        id: format!("a{app}--s{scenario}"),
        app,
        scenario,
        state,
        report: r,
        reasons: if state == PairStateView::Done {
            Vec::new()
        } else {
            vec![format!("why {app}/{scenario}")]
        },
        rejected: Vec::new(),
        bundle: None,
        report_href: r.map(|_| format!("pairs/a{app}--s{scenario}.html")),
    }
}

/// Four apps × two scenarios: a leaky one, a clean one, one with an incomplete pair and
/// no violation, one never run; plus a tampered pair on the clean-looking one.
fn summary<'a>(leaky: &'a Report, clean: &'a Report, truncated: &'a Report) -> CampaignSummary {
    let input = CampaignInput {
        name: "Sweep".into(),
        campaign_sha256: "abc".into(),
        apps: vec![
            AppInput {
                extra: [("=region".to_string(), "north".to_string())].into(),
                ..app("leaky", Some(HOSTILE_NAME))
            },
            app("clean", None),
            app("half", Some("Half")),
            app("never", Some("Never")),
            app("tamper", Some("Tamper")),
        ],
        scenarios: vec!["accept".into(), "reject".into()],
        pairs: vec![
            pair(0, 0, PairStateView::Done, Some(leaky)),
            pair(0, 1, PairStateView::Done, Some(clean)),
            pair(1, 0, PairStateView::Done, Some(clean)),
            pair(1, 1, PairStateView::Done, Some(clean)),
            pair(2, 0, PairStateView::Done, Some(clean)),
            pair(2, 1, PairStateView::Incomplete, Some(truncated)),
            pair(3, 0, PairStateView::NotRun, None),
            pair(3, 1, PairStateView::NotRun, None),
            pair(4, 0, PairStateView::Done, Some(clean)),
            PairInput {
                rejected: vec![("pairs/x/b1".into(), "its files do not match".into())],
                ..pair(4, 1, PairStateView::Tampered, None)
            },
        ],
        shards: Vec::new(),
        warnings: Vec::new(),
    };
    CampaignSummary::build(&input)
}

#[test]
fn headline_counts_never_call_an_incomplete_app_clean() {
    let (l, c, t) = (report("leaky"), report("clean"), report("truncated"));
    assert_eq!(l.verdict, Verdict::Fail);
    assert_eq!(c.verdict, Verdict::Pass);
    assert_ne!(t.verdict, Verdict::Pass);
    let s = summary(&l, &c, &t);
    let h = &s.headline;
    assert_eq!(h.apps, 5);
    assert_eq!(h.apps_tested, 4, "the never-run app is not tested");
    assert_eq!(h.apps_collecting_before_consent, 1);
    assert_eq!(h.percent_collecting_before_consent, 25.0);
    assert_eq!(
        h.apps_clean, 1,
        "only the app whose every pair is done and passes"
    );
    assert_eq!(h.apps_with_violations, 1);
    assert_eq!(h.apps_not_fully_tested, 3);
    assert_eq!(
        (
            h.pairs.total,
            h.pairs.done,
            h.pairs.incomplete,
            h.pairs.tampered,
            h.pairs.not_run
        ),
        (10, 6, 1, 1, 2)
    );
    assert_eq!(s.apps[0].status, AppStatus::Violation);
    assert_eq!(s.apps[1].status, AppStatus::Clean);
    assert_eq!(
        s.apps[1].name, c.app.package,
        "no name: the analysed package"
    );
    for i in 2..5 {
        assert_eq!(s.apps[i].status, AppStatus::NotFullyTested, "app {i}");
    }
    // The leaky app: the categories and the SDK its findings before consent name.
    let cats: Vec<DataCategory> = l
        .violations()
        .filter(|f| f.phase == Phase::BeforeConsent)
        .filter_map(|f| f.category)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(!cats.is_empty());
    assert_eq!(s.apps[0].categories_before_consent, cats);
    assert_eq!(h.by_category.len(), cats.len());
    assert!(
        h.by_category
            .iter()
            .all(|c| c.apps == 1 && c.percent == 25.0)
    );
    assert!(
        s.apps[0]
            .sdks_before_consent
            .iter()
            .any(|n| n.to_lowercase().contains("umeng")),
        "{:?}",
        s.apps[0].sdks_before_consent
    );
    assert_eq!(h.by_sdk.len(), s.apps[0].sdks_before_consent.len());
}

#[test]
fn csv_is_rfc4180_with_a_bom_and_defused_formulas() {
    let (l, c, t) = (report("leaky"), report("clean"), report("truncated"));
    let s = summary(&l, &c, &t);
    let csv = render_csv(&s, Lang::En);
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.ends_with("\r\n"));
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 5 + 1, "header, five apps, the empty tail");
    assert!(lines[0].starts_with("#,App,Developer,Package,Status,"));
    assert!(lines[0].contains(",accept,reject,"));
    // The hostile name: quoted (it has a quote), doubled quotes, and a leading ' so no
    // spreadsheet reads it as a formula.
    assert!(
        lines[1].starts_with("1,'=cmd|' /C calc'!A0 <script>"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",violation,yes,"));
    // The campaign file's extra column, last, its name defused too.
    assert!(lines[0].ends_with(",Notes,'=region"), "{}", lines[0]);
    assert!(lines[1].ends_with(",north"), "{}", lines[1]);
    assert!(lines[2].ends_with(','), "no value for another app");
    assert!(lines[3].contains("not fully tested"), "{}", lines[3]);
    assert!(lines[4].contains("not run"), "{}", lines[4]);
    assert!(lines[5].contains("tampered"), "{}", lines[5]);
    for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1"] {
        assert!(csv::field(cell).starts_with('\''), "{cell:?}");
    }
    assert_eq!(csv::field("a,b"), "\"a,b\"");
    assert_eq!(csv::field("a\"b"), "\"a\"\"b\"");
    assert_eq!(csv::field("plain"), "plain");
}

#[test]
fn csv_and_xlsx_follow_the_language() {
    let (l, c, t) = (report("leaky"), report("clean"), report("truncated"));
    let s = summary(&l, &c, &t);
    let csv = render_csv(&s, Lang::Zh);
    assert!(
        csv.contains("序号,应用,开发者,包名,状态"),
        "{}",
        &csv[..200]
    );
    assert!(csv.contains("未运行"));
}

#[test]
fn xlsx_opens_and_holds_the_same_table() {
    use calamine::{Reader, Xlsx};
    let (l, c, t) = (report("leaky"), report("clean"), report("truncated"));
    let s = summary(&l, &c, &t);
    let bytes = render_xlsx(&s, Lang::En).expect("xlsx");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
    assert_eq!(wb.sheet_names(), vec!["Apps", "Pairs", "Summary"]);
    let apps = wb.worksheet_range("Apps").expect("apps sheet");
    assert_eq!(apps.height(), 6);
    let (head, rows) = csv::table(&s, Lang::En);
    for (c, h) in head.iter().enumerate() {
        assert_eq!(
            apps.get((0, c)).map(|d| d.to_string()),
            Some(csv::defuse(h))
        );
    }
    let name = apps.get((1, 1)).map(|d| d.to_string()).unwrap_or_default();
    assert_eq!(name, csv::defuse(HOSTILE_NAME), "a string cell, defused");
    assert_eq!(rows.len(), 5);
    let pairs = wb.worksheet_range("Pairs").expect("pairs sheet");
    assert_eq!(pairs.height(), 11);
    let summary = wb.worksheet_range("Summary").expect("summary sheet");
    let text: Vec<String> = summary.rows().flatten().map(|d| d.to_string()).collect();
    assert!(text.contains(&"1 (25.0%)".to_string()), "{text:?}");
}

#[test]
fn junit_has_a_suite_per_app_and_a_case_per_scenario() {
    let (l, c, t) = (report("leaky"), report("clean"), report("truncated"));
    let s = summary(&l, &c, &t);
    let xml = render_junit(&s).expect("junit");
    let doc = roxml(&xml);
    assert_eq!(doc.matches("<testsuite ").count(), 5, "{xml}");
    assert_eq!(doc.matches("<testcase ").count(), 10);
    assert_eq!(doc.matches("<failure").count(), 1, "the leaky pair");
    // incomplete + tampered + 2 not run
    assert_eq!(doc.matches("<error").count(), 4, "{xml}");
    assert!(xml.contains("type=\"tampered\""));
    assert!(xml.contains("type=\"not_run\""));
    assert!(!xml.contains("<script>"), "escaped");
}

fn roxml(xml: &str) -> String {
    // Only a well-formedness check: quick-junit writes the document.
    assert!(xml.starts_with("<?xml"));
    xml.to_string()
}

#[test]
fn json_round_trips_and_names_states() {
    let (l, c, t) = (report("leaky"), report("clean"), report("truncated"));
    let s = summary(&l, &c, &t);
    let v: serde_json::Value = serde_json::from_str(&s.to_json()).expect("json");
    assert_eq!(v["format"], 1);
    assert_eq!(v["headline"]["apps_collecting_before_consent"], 1);
    assert_eq!(v["apps"][3]["pairs"][0]["state"], "not_run");
    assert_eq!(v["apps"][4]["pairs"][1]["state"], "tampered");
    assert_eq!(
        v["apps"][4]["pairs"][1]["rejected"][0]["reason"],
        "its files do not match"
    );
    assert_eq!(v["apps"][0]["status"], "violation");
}

#[test]
fn html_escapes_everything_and_allows_only_its_own_script() {
    let (l, c, t) = (report("leaky"), report("clean"), report("truncated"));
    let s = summary(&l, &c, &t);
    for lang in [Lang::En, Lang::Zh] {
        let page = render_html(&s, lang).expect("html");
        assert_eq!(page.matches("<script>").count(), 1, "only our script");
        assert!(page.contains("&lt;script&gt;document.title="));
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "no external resource"
        );
        assert!(page.contains("script-src 'sha256-"), "{}", &page[..400]);
        assert!(
            page.contains("href=\"pairs&#x2f;a0--s0.html\"")
                || page.contains("href=\"pairs/a0--s0.html\"")
        );
        assert!(
            page.contains("id=\"controls\" hidden"),
            "controls hidden without JS"
        );
    }
}

#[test]
fn html_links_only_plain_relative_paths_and_web_store_pages() {
    let (l, c, t) = (report("leaky"), report("clean"), report("truncated"));
    let mut s = summary(&l, &c, &t);
    s.apps[0].pairs[0].report = Some("javascript:alert(1)".into());
    s.apps[0].pairs[1].report = Some("../../etc/passwd".into());
    s.apps[0].store_url = Some("javascript:alert(1)".into());
    s.apps[1].store_url = Some("https://store.example/app?id=1&x=\"y\"".into());
    let page = render_html(&s, Lang::En).expect("html");
    assert!(!page.contains("javascript:"), "no javascript: link");
    assert!(!page.contains("etc/passwd") && !page.contains("etc&#x2f;passwd"));
    assert!(page.contains("store.example"));
    assert!(!page.contains("\"y\""), "quotes in a URL are escaped");
}

/// Every key the campaign renderers use is in the tables.
#[test]
fn every_campaign_key_exists() {
    let en: BTreeSet<&str> = crate::i18n::EN.iter().map(|(k, _)| *k).collect();
    let mut used = BTreeSet::new();
    for src in [
        include_str!("mod.rs"),
        include_str!("csv.rs"),
        include_str!("xlsx.rs"),
        include_str!("html.rs"),
        include_str!("campaign.html"),
    ] {
        for part in src.split("\"campaign.").skip(1) {
            if let Some(end) = part.find('"') {
                used.insert(format!("campaign.{}", &part[..end]));
            }
        }
    }
    used.remove("campaign.html");
    assert!(used.len() > 40, "{used:?}");
    let unknown: Vec<_> = used.iter().filter(|k| !en.contains(k.as_str())).collect();
    assert!(unknown.is_empty(), "keys not in the tables: {unknown:?}");
}
