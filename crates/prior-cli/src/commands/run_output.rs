//! What `prior run` prints and writes once scenarios have been recorded and analysed
//! (`docs/reports.md`, "prior run"): per scenario, the judged summary (text) and the
//! `--report` files beside the bundle; after several scenarios, ONE JSON batch document, a
//! summary table (scenario, verdict, exit code and reason, bundle) and, with `--report junit`,
//! one combined JUnit file for the whole run.

use super::analyze::Format;
use super::judge;
use super::report::{self, Analysed, ReportFormat};
use crate::exit::{Outcome, code_of};
use crate::{CliError, CliResult};
use prior_analyze::Report;
use std::path::{Path, PathBuf};

/// The output options of `prior run`.
pub(crate) struct Options<'a> {
    /// `--format`.
    pub format: Format,
    /// `--report`.
    pub reports: &'a [ReportFormat],
    /// `--out-report`.
    pub out_report: Option<&'a Path>,
    /// `--out` (where the bundles go).
    pub out: &'a Path,
    /// `--baseline`.
    pub baseline: Option<&'a Path>,
    /// More than one scenario was given.
    pub several: bool,
    /// `--lang`: the language of the text and HTML reports.
    pub lang: super::analyze::ReportLang,
}

/// How one scenario of the run ended.
pub(crate) struct Finished {
    /// The scenario file, as given.
    pub scenario: PathBuf,
    /// The judged bundle, or the error that stopped the scenario before there was one.
    pub result: Result<Analysed, CliError>,
}

impl Finished {
    fn outcome(&self) -> Outcome {
        match &self.result {
            Ok(a) => a.outcome(),
            Err(e) => e.outcome(),
        }
    }
}

/// After one scenario was recorded and analysed: judges it (the scenario's `expect:` and the
/// baseline), prints its summary (text; JSON too when it is the only scenario), writes its
/// `--report` files and the baseline comparison (stderr).
pub(crate) fn after_one(
    bundle_dir: &Path,
    report: Report,
    opts: &Options<'_>,
) -> Result<Analysed, CliError> {
    let diff = match opts.baseline {
        Some(b) => Some(report::load_baseline(b)?.compare(&[&report])),
        None => None,
    };
    // The analyzer judged the scenario's expect: block (recorded in the bundle).
    let judgement = judge::judge(&report, diff.as_ref());
    let analysed = Analysed {
        dir: bundle_dir.to_path_buf(),
        report,
        judgement,
    };
    match opts.format {
        Format::Text => {
            let mut text = prior_report::render_text_judged(
                &analysed.report,
                &analysed.judgement,
                opts.lang.into(),
            );
            text.push_str(&format!("\nbundle: {}\n", bundle_dir.display()));
            super::out(&text)?;
        }
        // Several scenarios give one batch document at the end.
        Format::Json if !opts.several => {
            super::out(&prior_report::render_json(&analysed.report))?;
        }
        Format::Json => {}
    }
    report::write_reports(
        std::slice::from_ref(&analysed),
        opts.reports,
        |f| report::report_path(bundle_dir, f, opts.out_report),
        opts.lang,
    )?;
    if let Some(diff) = &diff {
        crate::term::err(&diff.render_text());
    }
    Ok(analysed)
}

/// Where the combined JUnit file of a multi-scenario run goes: `prior-run.junit.xml` in
/// `--out-report DIR`, else in `--out` (beside the bundles).
pub(crate) fn combined_junit_path(opts: &Options<'_>) -> PathBuf {
    opts.out_report
        .unwrap_or(opts.out)
        .join("prior-run.junit.xml")
}

/// After every scenario: with several, the JSON batch or the summary table (stdout); with
/// `--report junit`, the combined JUnit file (also for one scenario, so CI can always point at
/// it); returns the run's outcome (the worst).
pub(crate) fn after_all(finished: &[Finished], opts: &Options<'_>) -> CliResult {
    let outcome = Outcome::Batch(finished.iter().map(Finished::outcome).collect());
    let items: Vec<&Analysed> = finished
        .iter()
        .filter_map(|f| f.result.as_ref().ok())
        .collect();
    if opts.several {
        match opts.format {
            Format::Json => super::out(&json_batch(&items, finished, opts)?)?,
            Format::Text => super::out(&summary_table(finished))?,
        }
    }
    if opts.reports.contains(&ReportFormat::Junit) {
        let runs: Vec<(&Report, &prior_report::Judgement)> =
            items.iter().map(|a| (&a.report, &a.judgement)).collect();
        let errors: Vec<prior_report::RunError> = finished
            .iter()
            .filter_map(|f| {
                f.result.as_ref().err().map(|e| prior_report::RunError {
                    scenario: f.scenario.display().to_string(),
                    kind: match e.kind {
                        crate::exit::ErrorKind::Input => "input".to_string(),
                        crate::exit::ErrorKind::Device => "device".to_string(),
                    },
                    message: error_text(e),
                })
            })
            .collect();
        let xml = prior_report::render_junit_run(&runs, &errors)
            .map_err(|e| CliError::input_msg(format!("failed to {e}")))?;
        let path = combined_junit_path(opts);
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent).map_err(CliError::io)?;
        }
        fs_err::write(&path, xml).map_err(CliError::io)?;
        note!(
            "report: {} (all {} scenario{} of this run)",
            path.display(),
            finished.len(),
            if finished.len() == 1 { "" } else { "s" }
        );
    }
    Ok(outcome)
}

/// The batch JSON of the run (the `prior report --format json` batch shape; with a baseline,
/// the comparison over all bundles under `"baseline"`), plus `"errors"` listing the scenarios
/// that ended without a bundle, when there are any.
fn json_batch(
    items: &[&Analysed],
    finished: &[Finished],
    opts: &Options<'_>,
) -> Result<String, CliError> {
    let reports: Vec<&Report> = items.iter().map(|a| &a.report).collect();
    let diff = match opts.baseline {
        Some(b) => Some(report::load_baseline(b)?.compare(&reports)),
        None => None,
    };
    let mut v = report::batch_json(items, diff.as_ref())?;
    let errors: Vec<serde_json::Value> = finished
        .iter()
        .filter_map(|f| {
            f.result.as_ref().err().map(|e| {
                serde_json::json!({
                    "scenario": f.scenario.display().to_string(),
                    "exit_code": code_of(&e.outcome()),
                    "error": error_text(e),
                })
            })
        })
        .collect();
    if !errors.is_empty() {
        v["errors"] = serde_json::Value::Array(errors);
    }
    report::pretty(&v)
}

/// The table that ends a multi-scenario text run.
fn summary_table(finished: &[Finished]) -> String {
    let mut rows: Vec<[String; 5]> = vec![[
        "scenario".into(),
        "verdict".into(),
        "exit".into(),
        "reason".into(),
        "bundle".into(),
    ]];
    for f in finished {
        let scenario = plain(&f.scenario.display().to_string());
        rows.push(match &f.result {
            Ok(a) => [
                scenario,
                match a.report.verdict {
                    prior_model::Verdict::Pass => "PASS",
                    prior_model::Verdict::Fail => "FAIL",
                    prior_model::Verdict::Inconclusive => "INCONCLUSIVE",
                }
                .to_string(),
                code_of(&a.outcome()).to_string(),
                report::exit_reason(a),
                plain(&a.dir.display().to_string()),
            ],
            Err(e) => [
                scenario,
                "-".into(),
                code_of(&e.outcome()).to_string(),
                match e.kind {
                    crate::exit::ErrorKind::Input => "input error (see above)".to_string(),
                    crate::exit::ErrorKind::Device => "device error (see above)".to_string(),
                },
                "-".into(),
            ],
        });
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let total = code_of(&Outcome::Batch(
        finished.iter().map(Finished::outcome).collect(),
    ));
    let mut o = format!("\nSummary of {} scenarios:\n", finished.len());
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c == 4 {
                    cell.clone()
                } else {
                    format!("{cell:<w$}", w = widths[c])
                }
            })
            .collect();
        o.push_str(&format!("  {}\n", line.join("  ").trim_end()));
    }
    o.push_str(&format!(
        "exit code {total} (the worst: errors 2/3 over violations 1 over incomplete 4 over 0)\n"
    ));
    o
}

/// An error in one line for a file (JUnit, JSON): its message and, when it has one, its help,
/// without the terminal drawing of the diagnostic.
fn error_text(e: &CliError) -> String {
    let mut text = e.report.to_string();
    if let Some(help) = e.report.help() {
        text.push_str(&format!(" (help: {help})"));
    }
    plain(&text)
}

/// Text from scenario files and error reports, without control characters, bidirectional
/// overrides or terminal colours, for a terminal table or JSON.
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else if (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
