//! `campaign.xlsx` (rust_xlsxwriter): sheet 1 the apps (the same table as the CSV, frozen
//! header row, autofilter), sheet 2 one row per pair, sheet 3 the headline numbers and the
//! counts by category and by SDK. Every cell of app data is written as a string cell: a
//! spreadsheet never evaluates a string cell, so app names such as `=cmd|…` stay text (the CSV
//! needs its leading `'`; the XLSX carries the same defused text so both files read alike).

use super::CampaignSummary;
use crate::RenderError;
use crate::i18n::{Lang, t};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

fn err(e: XlsxError) -> RenderError {
    RenderError::Xml(format!("the XLSX workbook: {e}"))
}

fn put_row(
    ws: &mut Worksheet,
    row: u32,
    cells: &[String],
    fmt: Option<&Format>,
) -> Result<(), RenderError> {
    for (c, v) in cells.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| RenderError::Xml("too many columns".into()))?;
        let v = super::csv::defuse(v);
        match fmt {
            Some(f) => ws.write_string_with_format(row, col, v, f),
            None => ws.write_string(row, col, v),
        }
        .map_err(err)?;
    }
    Ok(())
}

fn sheet_name(lang: Lang, key: &'static str) -> String {
    // Excel's rules: at most 31 characters, none of []:*?/\.
    t(lang, key)
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

/// Renders `campaign.xlsx`.
pub fn render_xlsx(s: &CampaignSummary, lang: Lang) -> Result<Vec<u8>, RenderError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let (head, rows) = super::csv::table(s, lang);

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(lang, "campaign.sheet_apps"))
        .map_err(err)?;
    put_row(ws, 0, &head, Some(&bold))?;
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| RenderError::Xml("too many rows".into()))?;
        put_row(ws, row, r, None)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    let last_col = u16::try_from(head.len().saturating_sub(1)).unwrap_or(0);
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    ws.autofilter(0, 0, last_row, last_col).map_err(err)?;
    ws.autofit();

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(lang, "campaign.sheet_pairs"))
        .map_err(err)?;
    let head: Vec<String> = [
        "campaign.col_pair",
        "campaign.col_app",
        "campaign.col_scenario",
        "campaign.col_result",
        "campaign.col_violations",
        "campaign.col_categories",
        "campaign.col_sdks",
        "campaign.col_reports",
        "campaign.col_notes",
    ]
    .iter()
    .map(|k| t(lang, k).to_string())
    .collect();
    put_row(ws, 0, &head, Some(&bold))?;
    let mut row = 1u32;
    for a in &s.apps {
        for p in &a.pairs {
            let notes: Vec<String> = p
                .reasons
                .iter()
                .cloned()
                .chain(
                    p.rejected
                        .iter()
                        .map(|x| format!("{} ({})", x.reason, x.path)),
                )
                .collect();
            let cells = vec![
                p.id.clone(),
                a.name.clone(),
                p.scenario_stem.clone(),
                p.cell(lang),
                p.violations.to_string(),
                p.categories_before_consent
                    .iter()
                    .map(|c| crate::i18n::category(lang, *c))
                    .collect::<Vec<_>>()
                    .join(", "),
                p.sdks_before_consent.join(", "),
                p.report.clone().unwrap_or_default(),
                notes.join("; "),
            ];
            put_row(ws, row, &cells, None)?;
            row = row.saturating_add(1);
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofit();

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(lang, "campaign.sheet_summary"))
        .map_err(err)?;
    let h = &s.headline;
    // (label, value); an empty label is a blank row between blocks.
    let mut lines: Vec<(String, String)> = vec![
        (t(lang, "campaign.campaign").into(), s.name.clone()),
        (t(lang, "campaign.h_apps").into(), h.apps.to_string()),
        (
            t(lang, "campaign.h_tested").into(),
            h.apps_tested.to_string(),
        ),
        (
            t(lang, "campaign.h_collecting").into(),
            format!(
                "{} ({:.1}%)",
                h.apps_collecting_before_consent, h.percent_collecting_before_consent
            ),
        ),
        (
            t(lang, "campaign.h_violations").into(),
            h.apps_with_violations.to_string(),
        ),
        (t(lang, "campaign.h_clean").into(), h.apps_clean.to_string()),
        (
            t(lang, "campaign.h_not_fully_tested").into(),
            h.apps_not_fully_tested.to_string(),
        ),
        (
            t(lang, "campaign.h_pairs").into(),
            format!(
                "{} / {} / {} / {} / {}",
                h.pairs.total, h.pairs.done, h.pairs.incomplete, h.pairs.tampered, h.pairs.not_run
            ),
        ),
        (String::new(), String::new()),
    ];
    for c in &h.by_category {
        lines.push((
            crate::i18n::category(lang, c.category).into(),
            format!("{} ({:.1}%)", c.apps, c.percent),
        ));
    }
    lines.push((String::new(), String::new()));
    for c in &h.by_sdk {
        lines.push((c.sdk.clone(), format!("{} ({:.1}%)", c.apps, c.percent)));
    }
    for (i, (label, value)) in lines.iter().enumerate() {
        if label.is_empty() {
            continue;
        }
        let row = u32::try_from(i).map_err(|_| RenderError::Xml("too many rows".into()))?;
        ws.write_string_with_format(row, 0, super::csv::defuse(label), &bold)
            .map_err(err)?;
        ws.write_string(row, 1, super::csv::defuse(value))
            .map_err(err)?;
    }
    ws.autofit();
    wb.save_to_buffer().map_err(err)
}
