//! `campaign.csv`: one row per app, for spreadsheets (the campaign file's extra columns last). RFC 4180: comma-separated, every field
//! quoted when it holds a comma, a quote, a CR or an LF (quotes doubled), lines ending CRLF;
//! UTF-8 with a byte-order mark so that Excel reads Chinese names right.
//!
//! CSV injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab
//! or CR, which Excel skips before one of them) as a formula. Every cell of ours that starts
//! with one of those characters gets a leading `'` (the OWASP advice), so an app named
//! `=cmd|' /C calc'!A0` shows as that text. Prior's own cells never start with them.

use super::CampaignSummary;
use crate::i18n::{Lang, t};

/// Quotes one field per RFC 4180 after neutralising a formula.
pub(crate) fn field(s: &str) -> String {
    let s = defuse(s);
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A leading `'` for a cell a spreadsheet would read as a formula.
pub(crate) fn defuse(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// The header and rows as cells (shared with the XLSX sheet).
pub(crate) fn table(s: &CampaignSummary, lang: Lang) -> (Vec<String>, Vec<Vec<String>>) {
    let mut head: Vec<String> = [
        "campaign.col_index",
        "campaign.col_app",
        "campaign.col_developer",
        "campaign.col_package",
        "campaign.col_status",
        "campaign.col_collects",
        "campaign.col_categories",
        "campaign.col_sdks",
    ]
    .iter()
    .map(|k| t(lang, k).to_string())
    .collect();
    for sc in &s.scenarios {
        head.push(sc.clone());
    }
    head.push(t(lang, "campaign.col_apk").to_string());
    head.push(t(lang, "campaign.col_store_url").to_string());
    head.push(t(lang, "campaign.col_reports").to_string());
    head.push(t(lang, "campaign.col_notes").to_string());
    // The campaign file's extra CSV columns (a regulator's own: region, licence number…),
    // kept after ours, in name order.
    let extra: std::collections::BTreeSet<&String> =
        s.apps.iter().flat_map(|a| a.extra.keys()).collect();
    head.extend(extra.iter().map(|k| (*k).clone()));
    let mut rows = Vec::new();
    for a in &s.apps {
        let mut r = vec![
            (a.index + 1).to_string(),
            a.name.clone(),
            a.developer.clone().unwrap_or_default(),
            a.package.clone().unwrap_or_default(),
            a.status_text(lang).to_string(),
            t(
                lang,
                if a.collects_before_consent {
                    "campaign.yes"
                } else {
                    "campaign.no"
                },
            )
            .to_string(),
            a.categories_text(lang),
            a.responsible_text(lang),
        ];
        for (j, _) in s.scenarios.iter().enumerate() {
            r.push(
                a.pairs
                    .iter()
                    .find(|p| p.scenario == j)
                    .map(|p| p.cell(lang))
                    .unwrap_or_default(),
            );
        }
        r.push(a.apk.clone());
        r.push(a.store_url.clone().unwrap_or_default());
        r.push(
            a.pairs
                .iter()
                .filter_map(|p| p.report.clone())
                .collect::<Vec<_>>()
                .join(" "),
        );
        let notes: Vec<String> =
            a.pairs
                .iter()
                .flat_map(|p| {
                    p.reasons
                        .iter()
                        .map(move |r| format!("{}: {r}", p.scenario_stem))
                        .chain(p.rejected.iter().map(move |x| {
                            format!("{}: {} ({})", p.scenario_stem, x.reason, x.path)
                        }))
                })
                .collect();
        r.push(notes.join("; "));
        for k in &extra {
            r.push(a.extra.get(*k).cloned().unwrap_or_default());
        }
        rows.push(r);
    }
    (head, rows)
}

/// Renders `campaign.csv` (with its byte-order mark).
pub fn render_csv(s: &CampaignSummary, lang: Lang) -> String {
    let (head, rows) = table(s, lang);
    let mut out = String::from('\u{feff}');
    for row in std::iter::once(&head).chain(rows.iter()) {
        let cells: Vec<String> = row.iter().map(|c| field(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}
