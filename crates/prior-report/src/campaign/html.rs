//! `campaign.html`: one self-contained page (no external resource; CSS and a small script
//! inline). The headline numbers, the counts by category and by SDK, and one row per app:
//! status, categories collected before consent, responsible SDKs, one cell per scenario
//! linking to that pair's own HTML report.
//!
//! Rendered with minijinja from `campaign.html` beside this file: the template name ends in
//! `.html`, so every value is escaped, and nothing is marked `|safe`. The script is a constant
//! of the template (it reads the table, never app data as code); the page's
//! Content-Security-Policy allows that one script by its sha256 and nothing else, so even a
//! string that escaped escaping could not run. Without JavaScript the full table shows (the
//! filter controls are `hidden` until the script reveals them).

use super::{AppRow, CampaignSummary};
use crate::RenderError;
use crate::i18n::{self, Lang, t, tf};
use base64::Engine;
use serde::Serialize;
use sha2::Digest;
use std::collections::BTreeMap;

const TEMPLATE: &str = include_str!("campaign.html");

#[derive(Serialize)]
struct Page {
    lang: &'static str,
    t: BTreeMap<&'static str, &'static str>,
    script_hash: String,
    name: String,
    headline: String,
    numbers: Vec<(String, String)>,
    by_category: Vec<(String, String)>,
    by_sdk: Vec<(String, String)>,
    warnings: Vec<String>,
    scenarios: Vec<String>,
    apps: Vec<AppView>,
    footer: String,
}

#[derive(Serialize)]
struct AppView {
    index: usize,
    status: &'static str,
    status_rank: u8,
    status_text: &'static str,
    name: String,
    package: String,
    developer: String,
    store_url: Option<String>,
    collects: bool,
    categories: String,
    responsible: String,
    cells: Vec<CellView>,
}

#[derive(Serialize)]
struct CellView {
    class: &'static str,
    text: String,
    href: Option<String>,
    notes: Vec<String>,
}

/// A link target we write ourselves: a relative path of plain names (no scheme, no `..`).
fn safe_href(h: &str) -> bool {
    !h.is_empty() && !h.starts_with('/') && h.split('/').all(crate::campaign::plain_name)
}

fn web_url(u: &str) -> Option<String> {
    let l = u.trim().to_ascii_lowercase();
    (l.starts_with("https://") || l.starts_with("http://")).then(|| u.trim().to_string())
}

/// The base64 sha256 of the template's one inline script (for `script-src 'sha256-…'`).
fn script_hash() -> Result<String, RenderError> {
    let start = TEMPLATE
        .find("<script>")
        .ok_or_else(|| RenderError::Template("the campaign template has no script".into()))?
        + "<script>".len();
    let len = TEMPLATE[start..]
        .find("</script>")
        .ok_or_else(|| RenderError::Template("the campaign script is not closed".into()))?;
    let digest = sha2::Sha256::digest(&TEMPLATE.as_bytes()[start..start + len]);
    Ok(base64::engine::general_purpose::STANDARD.encode(digest))
}

fn app_view(a: &AppRow, scenarios: usize, lang: Lang) -> AppView {
    let cells = (0..scenarios)
        .map(|j| match a.pairs.iter().find(|p| p.scenario == j) {
            Some(p) => CellView {
                class: p.class(),
                text: p.cell(lang),
                href: p.report.clone().filter(|h| safe_href(h)),
                notes: p
                    .reasons
                    .iter()
                    .cloned()
                    .chain(p.rejected.iter().map(|x| {
                        tf(
                            lang,
                            "campaign.rejected",
                            &[("path", &x.path), ("reason", &x.reason)],
                        )
                    }))
                    .collect(),
            },
            None => CellView {
                class: "not_run",
                text: t(lang, "campaign.state_not_run").to_string(),
                href: None,
                notes: Vec::new(),
            },
        })
        .collect();
    AppView {
        index: a.index + 1,
        status: match a.status {
            super::AppStatus::Violation => "violation",
            super::AppStatus::NotFullyTested => "not_fully_tested",
            super::AppStatus::Clean => "clean",
        },
        status_rank: a.status as u8,
        status_text: a.status_text(lang),
        name: a.name.clone(),
        package: a.package.clone().unwrap_or_default(),
        developer: a.developer.clone().unwrap_or_default(),
        store_url: a.store_url.as_deref().and_then(web_url),
        collects: a.collects_before_consent,
        categories: a.categories_text(lang),
        responsible: a.responsible_text(lang),
        cells,
    }
}

/// Renders `campaign.html`.
pub fn render_html(s: &CampaignSummary, lang: Lang) -> Result<String, RenderError> {
    let mut env = minijinja::Environment::new();
    env.add_template("campaign.html", TEMPLATE)
        .map_err(|e| RenderError::Template(e.to_string()))?;
    let tmpl = env
        .get_template("campaign.html")
        .map_err(|e| RenderError::Template(e.to_string()))?;
    let h = &s.headline;
    let pct = |n: usize, p: f64| format!("{n} ({p:.1}%)");
    let numbers = vec![
        (t(lang, "campaign.h_apps").to_string(), h.apps.to_string()),
        (
            t(lang, "campaign.h_tested").to_string(),
            h.apps_tested.to_string(),
        ),
        (
            t(lang, "campaign.h_collecting").to_string(),
            pct(
                h.apps_collecting_before_consent,
                h.percent_collecting_before_consent,
            ),
        ),
        (
            t(lang, "campaign.h_violations").to_string(),
            h.apps_with_violations.to_string(),
        ),
        (
            t(lang, "campaign.h_clean").to_string(),
            h.apps_clean.to_string(),
        ),
        (
            t(lang, "campaign.h_not_fully_tested").to_string(),
            h.apps_not_fully_tested.to_string(),
        ),
        (
            t(lang, "campaign.h_pairs_done").to_string(),
            format!("{} / {}", h.pairs.done, h.pairs.total),
        ),
        (
            t(lang, "campaign.h_pairs_incomplete").to_string(),
            h.pairs.incomplete.to_string(),
        ),
        (
            t(lang, "campaign.h_pairs_tampered").to_string(),
            h.pairs.tampered.to_string(),
        ),
        (
            t(lang, "campaign.h_pairs_not_run").to_string(),
            h.pairs.not_run.to_string(),
        ),
    ];
    let ctx = Page {
        lang: lang.tag(),
        t: i18n::all(lang),
        script_hash: script_hash()?,
        name: s.name.clone(),
        headline: super::headline_sentence(s, lang),
        numbers,
        by_category: h
            .by_category
            .iter()
            .map(|c| {
                (
                    i18n::category(lang, c.category).to_string(),
                    pct(c.apps, c.percent),
                )
            })
            .collect(),
        by_sdk: h
            .by_sdk
            .iter()
            .map(|c| (c.sdk.clone(), pct(c.apps, c.percent)))
            .collect(),
        warnings: s.warnings.clone(),
        scenarios: s.scenarios.clone(),
        apps: s
            .apps
            .iter()
            .map(|a| app_view(a, s.scenarios.len(), lang))
            .collect(),
        footer: tf(
            lang,
            "html.footer",
            &[("version", env!("CARGO_PKG_VERSION"))],
        ),
    };
    tmpl.render(minijinja::value::Serde(&ctx))
        .map_err(|e| RenderError::Template(e.to_string()))
}
