//! Tests of the report languages and of the timeline's wording over the example bundles:
//! no English word of Prior's own is left on a Chinese page or text report, and the
//! consent answer is named by what it was (accepted or rejected).

use crate::formats_tests::report;
use crate::i18n::EN;
use crate::{HtmlRun, Lang, render_html_lang, render_text_lang};
use prior_analyze::Report;

fn html(r: &Report, lang: Lang) -> String {
    render_html_lang(
        &[HtmlRun {
            report: r,
            screenshots: Vec::new(),
            suppressed: Vec::new(),
        }],
        lang,
    )
    .unwrap()
}

/// minijinja's HTML escaping, to find a table string as it appears in a page.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// English strings of the table worth searching for: long enough not to occur inside data by
/// chance, without placeholders (their fixed parts are checked through the other keys).
fn searchable(prefixes: &[&str]) -> Vec<(&'static str, &'static str)> {
    EN.iter()
        .filter(|(k, v)| {
            prefixes.iter().any(|p| k.starts_with(p))
                && !v.contains('{')
                && v.trim().len() >= 10
                && v.trim().contains(' ')
                && !crate::i18n::SAME_IN_BOTH.contains(k)
        })
        .copied()
        .collect()
}

const BUNDLES: [&str; 6] = [
    "leaky",
    "clean",
    "no-consent",
    "permission-first",
    "rejected",
    "truncated",
];

#[test]
fn a_chinese_page_keeps_none_of_the_english_page_strings() {
    let strings = searchable(&["html.", "phase.", "outcome.", "method.", "rel.", "kind."]);
    assert!(strings.len() > 40, "{}", strings.len());
    for b in BUNDLES {
        let r = report(b);
        let en = html(&r, Lang::En);
        let zh = html(&r, Lang::Zh);
        assert!(zh.contains("<html lang=\"zh-CN\">"));
        for (k, v) in &strings {
            assert!(
                !zh.contains(&escaped(v)),
                "{b}: English {k} ({v:?}) on the Chinese page"
            );
        }
        // The English page is really made of those strings (the check above can fail).
        assert!(
            strings
                .iter()
                .filter(|(_, v)| en.contains(&escaped(v)))
                .count()
                >= 10,
            "{b}"
        );
        for f in &r.findings {
            assert!(
                !zh.contains(&escaped(&f.message)),
                "{b}: analyzer's English message"
            );
        }
    }
}

#[test]
fn a_chinese_text_report_keeps_none_of_the_english_strings() {
    let strings = searchable(&[
        "text.",
        "phase.",
        "outcome.",
        "method.",
        "headline.",
        "group.",
    ]);
    for b in BUNDLES {
        let r = report(b);
        let zh = render_text_lang(&r, Lang::Zh);
        assert!(zh.starts_with("Prior 隐私政策同意检测："), "{zh}");
        for (k, v) in &strings {
            assert!(
                !zh.contains(v),
                "{b}: English {k} ({v:?}) in the Chinese text"
            );
        }
        assert_eq!(
            crate::render_text(&r),
            render_text_lang(&r, Lang::En),
            "English is the default"
        );
    }
}

#[test]
fn a_rejection_is_never_called_consent_on_the_page() {
    let r = report("rejected");
    let h = html(&r, Lang::En);
    assert!(h.contains("<rect class=\"consent consent-rejected\""));
    assert!(!h.contains("class=\"consent consent-accepted\""));
    assert!(h.contains(">consent REJECTED</text>"));
    assert!(h.contains("<th>consent rejected</th>"), "session table");
    assert!(!h.contains("after consent"));
    assert_eq!(h.matches("<b>phase</b> after rejection").count(), 2);
    assert!(
        h.contains("<th>after rejection</th>"),
        "checked table column"
    );
    let t = crate::render_text(&r);
    assert!(t.contains("after rejection · ipc"), "{t}");
    assert!(!t.contains("after consent"), "{t}");
    assert!(t.contains("No access before the rejection seen for"), "{t}");

    let a = report("leaky");
    let h = html(&a, Lang::En);
    assert!(h.contains("<rect class=\"consent consent-accepted\""));
    assert!(h.contains(">consent accepted</text>"));
    assert!(!h.contains("after rejection"));
}

#[test]
fn the_chinese_incomplete_list_names_the_blind_source_in_chinese() {
    let r = report("rejected");
    let lines = crate::i18n::incomplete_lines(Lang::Zh, &r);
    assert_eq!(lines.len(), r.incomplete.len(), "{lines:?}");
    assert!(
        lines[0].starts_with("必需的数据来源 appops 不可用（未录制）"),
        "{lines:?}"
    );
    assert_eq!(crate::i18n::incomplete_lines(Lang::En, &r), r.incomplete);
}

#[test]
fn windows_stay_hatched_spans_when_the_instants_are_binned() {
    let mut r = report("leaky");
    let windows: Vec<_> = r
        .timeline
        .iter()
        .filter(|t| t.event.timing.latest() - t.event.timing.earliest() >= 1000)
        .cloned()
        .collect();
    assert_eq!(windows.len(), 4, "three IPC windows and the consent tap");
    let base = r.timeline[0].clone();
    let start = base.event.timing.earliest();
    let mut timeline: Vec<_> = (0..5_000)
        .map(|i| {
            let mut t = base.clone();
            t.event.timing = prior_model::Timing::instant(start + i as i64 * 4_000);
            t
        })
        .collect();
    timeline.extend(windows.iter().cloned());
    r.timeline = timeline;
    let h = html(&r, Lang::En);
    assert!(h.contains("events in "), "instants binned");
    assert_eq!(h.matches("<rect class=\"window ").count(), 4);
    assert_eq!(h.matches(">somewhere in this window</text>").count(), 3);

    // Hundreds of windows are binned too.
    let mut many = Vec::new();
    for i in 0..600 {
        let mut t = windows[0].clone();
        t.event.timing = prior_model::Timing::Window {
            from_us: start + i * 30_000,
            to_us: start + i * 30_000 + 5_000_000,
        };
        many.push(t);
    }
    r.timeline.extend(many);
    let h = html(&r, Lang::En);
    let binned = h
        .split("<rect class=\"window ")
        .skip(1)
        .filter(|w| w.contains(" events in "))
        .count();
    assert!(binned >= 600, "windows binned: {binned}");
    assert!(!h.contains(">somewhere in this window</text>"));
}
