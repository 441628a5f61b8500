//! `prior report BUNDLE…`: analyse one or more recorded bundles and write one report in a
//! chosen format (`docs/reports.md`). Several bundles make a batch: one HTML page, one JUnit
//! file with a suite per bundle, one SARIF log with a run per bundle, or a JSON batch.

use super::analyze::{self, analyze_bundle};
use crate::{CliError, CliResult, exit::Outcome};
use prior_analyze::Report;
use std::path::{Path, PathBuf};

/// Report formats of `prior report` (and `prior run --report`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// A self-contained HTML page with a timeline.
    Html,
    /// The analyzer's JSON report; several bundles give a batch with a summary.
    Json,
    /// A terminal summary.
    Text,
    /// JUnit XML: a suite per bundle, a test case per rule.
    Junit,
    /// SARIF 2.1.0: a run per bundle, a result per finding.
    Sarif,
}

impl ReportFormat {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
            ReportFormat::Text => "txt",
            ReportFormat::Junit => "junit.xml",
            ReportFormat::Sarif => "sarif",
        }
    }
}

/// Arguments of `prior report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Session bundle directories.
    #[arg(required = true, value_name = "BUNDLE")]
    bundles: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "html")]
    format: ReportFormat,
    /// Language of the text and HTML reports (JSON, JUnit and SARIF are always English).
    #[arg(long, value_enum, default_value = "en")]
    lang: analyze::ReportLang,
    /// Write the report here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Rule profile: `cn-miit`, `gdpr` or a profile file (default: each scenario's).
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// A personal-data catalog file to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Analyse even if files do not match MANIFEST.sha256.
    #[arg(long)]
    allow_modified: bool,
    /// Compare with a baseline (`prior baseline save`): findings are marked new, unchanged
    /// or fixed, and the exit code is 1 only when there are new ones.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
}

/// One analysed bundle.
pub struct Analysed {
    /// Its directory.
    pub dir: PathBuf,
    /// The analysis.
    pub report: Report,
}

/// Loads a baseline file.
pub fn load_baseline(path: &Path) -> Result<prior_report::Baseline, CliError> {
    prior_report::Baseline::from_file(path)
        .map_err(|e| CliError::input_msg(format!("failed to {e}")))
}

/// The outcome under a baseline: `exit::code_of` gives 1 when there are new findings,
/// otherwise the code without violations (incomplete stays 4).
pub fn with_baseline(diff: &prior_report::BaselineDiff, without: Outcome) -> Outcome {
    Outcome::Baseline {
        new: diff.new.len(),
        without: Box::new(without),
    }
}

/// After `prior run` analysed a bundle: writes the `--report` formats (into `out_dir`, or the
/// bundle directory as `report.<ext>`), applies `--baseline` and returns the outcome.
pub fn after_run(
    bundle_dir: &Path,
    report: &Report,
    formats: &[ReportFormat],
    out_dir: Option<&Path>,
    baseline: Option<&Path>,
    outcome: Outcome,
    lang: analyze::ReportLang,
) -> CliResult {
    let items = [Analysed {
        dir: bundle_dir.to_path_buf(),
        report: report.clone(),
    }];
    let diff = match baseline {
        Some(b) => Some(load_baseline(b)?.compare(&[report])),
        None => None,
    };
    for &f in formats {
        let text = render(&items, f, diff.as_ref(), lang)?;
        let path = match out_dir {
            Some(d) => {
                fs_err::create_dir_all(d).map_err(CliError::io)?;
                let stem = bundle_dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "report".to_string());
                d.join(format!("{stem}.{}", f.extension()))
            }
            None => bundle_dir.join(format!("report.{}", f.extension())),
        };
        fs_err::write(&path, text).map_err(CliError::io)?;
        note!("report: {}", path.display());
    }
    match diff {
        Some(diff) => {
            crate::term::err(&diff.render_text());
            Ok(with_baseline(&diff, outcome))
        }
        None => Ok(outcome),
    }
}

/// Renders analysed bundles in a format.
pub fn render(
    items: &[Analysed],
    format: ReportFormat,
    diff: Option<&prior_report::BaselineDiff>,
    lang: analyze::ReportLang,
) -> Result<String, CliError> {
    let fail = |e: prior_report::RenderError| CliError::input_msg(format!("failed to {e}"));
    match format {
        ReportFormat::Text => Ok(items
            .iter()
            .map(|a| analyze::render(&a.report, analyze::Format::Text, lang))
            .collect::<Vec<_>>()
            .join("\n")),
        ReportFormat::Json => {
            if let [one] = items {
                Ok(prior_report::render_json(&one.report))
            } else {
                let reports: Vec<&Report> = items.iter().map(|a| &a.report).collect();
                Ok(prior_report::render_json_batch(&reports))
            }
        }
        ReportFormat::Junit => {
            let sups: Vec<Vec<prior_report::Suppression>> = items
                .iter()
                .map(|a| suppressions(&a.dir, &a.report))
                .collect();
            let runs: Vec<(&Report, &[prior_report::Suppression])> = items
                .iter()
                .zip(&sups)
                .map(|(a, s)| (&a.report, s.as_slice()))
                .collect();
            prior_report::render_junit_with(&runs).map_err(fail)
        }
        ReportFormat::Sarif => {
            let runs: Vec<_> = items
                .iter()
                .map(|a| prior_report::SarifRun {
                    report: &a.report,
                    scenario_uri: scenario_uri(&a.dir),
                    baseline: diff,
                    suppressed: suppressions(&a.dir, &a.report),
                })
                .collect();
            Ok(prior_report::render_sarif(&runs))
        }
        ReportFormat::Html => {
            let mut runs = Vec::new();
            for a in items {
                runs.push(prior_report::HtmlRun {
                    report: &a.report,
                    screenshots: prior_report::bundle_screenshots(&a.dir).map_err(fail)?,
                    suppressed: suppressions(&a.dir, &a.report),
                });
            }
            prior_report::render_html_lang(&runs, lang.into()).map_err(fail)
        }
    }
}

/// The findings the bundle's scenario accepts (`expect.allow`, judged today), from the
/// scenario text recorded in `meta.json`. A bundle without one, or whose scenario no longer
/// parses, has none (the latter is said on stderr).
fn suppressions(dir: &Path, report: &Report) -> Vec<prior_report::Suppression> {
    let meta = read_meta(dir);
    let Some(sc) = meta.as_ref().map(|m| &m["scenario"]) else {
        return Vec::new();
    };
    let text = sc["text"].as_str().unwrap_or_default();
    if text.trim().is_empty() {
        return Vec::new();
    }
    let path = PathBuf::from(sc["path"].as_str().unwrap_or("scenario.yaml"));
    let opts = prior_scenario::LoadOptions { check_files: false };
    let scenario = match prior_scenario::Scenario::parse(
        &path,
        text,
        &prior_scenario::Vars::default(),
        opts,
    ) {
        Ok(s) => s,
        Err(e) => {
            note!(
                "{}: the recorded scenario does not parse, so its expect.allow entries are not applied: {e}",
                dir.display()
            );
            return Vec::new();
        }
    };
    let allow = &scenario.expect.allow;
    if allow.is_empty() {
        return Vec::new();
    }
    let findings: Vec<prior_model::Finding> =
        report.findings.iter().map(|f| f.to_finding()).collect();
    let judged =
        scenario
            .expect
            .judge(&findings, report.verdict, prior_scenario::Date::today_utc());
    judged
        .allowed
        .iter()
        .filter_map(|&(i, a)| {
            allow.get(a).map(|entry| prior_report::Suppression {
                finding: i,
                reason: entry.reason.clone(),
                expires: entry.expires.map(|d| d.to_string()),
            })
        })
        .collect()
}

/// The bundle's `meta.json`, read like every bundle file (no link followed, no FIFO opened
/// blocking, capped); `None` when it cannot be read.
fn read_meta(dir: &Path) -> Option<serde_json::Value> {
    use prior_model::bundle::{MAX_META_BYTES, META_FILE, read_file_in};
    let bytes = read_file_in(dir, META_FILE, MAX_META_BYTES).ok()??;
    serde_json::from_slice(&bytes).ok()
}

/// The scenario file recorded in the bundle's `meta.json` (`/`-separated), else the bundle's
/// `meta.json` itself: the location SARIF results point at.
fn scenario_uri(dir: &Path) -> String {
    let meta = dir.join("meta.json");
    let recorded = read_meta(dir)
        .and_then(|v| v["scenario"]["path"].as_str().map(str::to_string))
        .filter(|p| !p.is_empty());
    recorded
        .unwrap_or_else(|| meta.display().to_string())
        .replace('\\', "/")
}

/// Writes `text` to `path`, or to stdout when `path` is `None`.
pub fn write_out(path: Option<&Path>, text: &str) -> Result<(), CliError> {
    match path {
        Some(p) => fs_err::write(p, text).map_err(CliError::io),
        None => super::out(text),
    }
}

/// The outcome of several reports (the worst counts).
pub fn batch_outcome(items: &[Analysed]) -> Outcome {
    Outcome::Batch(
        items
            .iter()
            .map(|a| analyze::outcome_of(&a.report))
            .collect(),
    )
}

/// Runs `prior report`.
pub fn run(args: Args) -> CliResult {
    let mut items = Vec::new();
    for dir in &args.bundles {
        let report = analyze_bundle(
            dir,
            args.profile.as_deref(),
            args.catalog.as_deref(),
            args.allow_modified,
        )?;
        items.push(Analysed {
            dir: dir.clone(),
            report,
        });
    }
    let outcome = batch_outcome(&items);
    let Some(baseline) = &args.baseline else {
        let text = render(&items, args.format, None, args.lang)?;
        write_out(args.output.as_deref(), &text)?;
        return Ok(outcome);
    };
    let reports: Vec<&Report> = items.iter().map(|a| &a.report).collect();
    let diff = load_baseline(baseline)?.compare(&reports);
    let text = if args.format == ReportFormat::Json {
        // With a baseline, JSON is always the batch form with the comparison added.
        let mut v: serde_json::Value =
            serde_json::from_str(&prior_report::render_json_batch(&reports)).map_err(|e| {
                CliError::input_msg(format!("failed to re-read the batch JSON: {e}"))
            })?;
        v["baseline"] = serde_json::to_value(&diff)
            .map_err(|e| CliError::input_msg(format!("failed to serialise the comparison: {e}")))?;
        let mut s = serde_json::to_string_pretty(&v)
            .map_err(|e| CliError::input_msg(format!("failed to serialise the report: {e}")))?;
        s.push('\n');
        s
    } else {
        render(&items, args.format, Some(&diff), args.lang)?
    };
    write_out(args.output.as_deref(), &text)?;
    crate::term::err(&diff.render_text());
    Ok(with_baseline(&diff, outcome))
}
