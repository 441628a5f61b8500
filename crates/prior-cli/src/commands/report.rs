//! `prior report BUNDLE…`: analyse one or more recorded bundles and write one report in a
//! chosen format (`docs/reports.md`). Several bundles make a batch: one HTML page, one JUnit
//! file with a suite per bundle, one SARIF log with a run per bundle, or a JSON batch.

use super::analyze::analyze_bundle_with;
use super::judge;
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
    lang: super::analyze::ReportLang,
    /// Write the report here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Rule profile: `cn-miit`, `gdpr` or a profile file (default: each scenario's).
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// A personal-data catalog file to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// An SDK catalogue file to name actors with instead of the built-in one.
    #[arg(long = "sdk-catalog", alias = "sdk-catalogue", value_name = "FILE")]
    sdk_catalogue: Option<PathBuf>,
    /// Analyse even if files do not match MANIFEST.sha256.
    #[arg(long)]
    allow_modified: bool,
    /// Compare with a baseline (`prior baseline save`): findings are marked new, unchanged
    /// or fixed, and the exit code is 1 only when there are new ones.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Ignore the `expect:` block (and its `allow` entries) of the scenario recorded in each
    /// bundle: every violation counts. For bundles you did not record yourself: the recorded
    /// scenario is the bundle author's, and its expectations would otherwise decide the exit
    /// code (docs/security.md).
    #[arg(long)]
    ignore_expect: bool,
}

/// One analysed and judged bundle.
pub struct Analysed {
    /// Its directory.
    pub dir: PathBuf,
    /// The analysis.
    pub report: Report,
    /// The scenario's expectations and the baseline comparison applied to it.
    pub judgement: prior_report::Judgement,
}

impl Analysed {
    /// The outcome of this bundle (`exit::code_of` gives its exit code).
    pub fn outcome(&self) -> Outcome {
        judge::outcome(&self.report, &self.judgement)
    }
}

/// Loads a baseline file.
pub fn load_baseline(path: &Path) -> Result<prior_report::Baseline, CliError> {
    let b = prior_report::Baseline::from_file(path)
        .map_err(|e| CliError::input_msg(format!("failed to {e}")))?;
    // H8 (issue 14): an old baseline's fingerprints were recomputed; say so once.
    if let Some(n) = b.migration_note() {
        note!("note: {}: {n}", path.display());
    }
    Ok(b)
}

/// Where `prior run --report` writes a bundle's report in `format`: `DIR/<bundle-name>.<ext>`
/// with `--out-report DIR`, else `report.<ext>` in the bundle directory.
pub fn report_path(bundle_dir: &Path, format: ReportFormat, out_dir: Option<&Path>) -> PathBuf {
    match out_dir {
        Some(d) => {
            let stem = bundle_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "report".to_string());
            d.join(format!("{stem}.{}", format.extension()))
        }
        None => bundle_dir.join(format!("report.{}", format.extension())),
    }
}

/// Writes `items` in each of `formats` to `path_of(format)`, saying where on stderr.
pub fn write_reports(
    items: &[Analysed],
    formats: &[ReportFormat],
    path_of: impl Fn(ReportFormat) -> PathBuf,
    lang: super::analyze::ReportLang,
) -> Result<(), CliError> {
    for &f in formats {
        let text = render(items, f, lang)?;
        let path = path_of(f);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs_err::create_dir_all(parent).map_err(CliError::io)?;
        }
        fs_err::write(&path, text).map_err(CliError::io)?;
        note!("report: {}", path.display());
    }
    Ok(())
}

/// The baseline comparison common to several bundles (`None` when they have no baseline).
fn common_diff(items: &[Analysed]) -> Option<&prior_report::BaselineDiff> {
    items.iter().find_map(|a| a.judgement.baseline.as_ref())
}

/// Renders analysed bundles in a format. With a baseline, JSON is always the batch form with
/// the comparison added as `"baseline"`.
pub fn render(
    items: &[Analysed],
    format: ReportFormat,
    lang: super::analyze::ReportLang,
) -> Result<String, CliError> {
    let fail = |e: prior_report::RenderError| CliError::input_msg(format!("failed to {e}"));
    match format {
        ReportFormat::Text => Ok(items
            .iter()
            .map(|a| prior_report::render_text_judged(&a.report, &a.judgement, lang.into()))
            .collect::<Vec<_>>()
            .join("\n")),
        ReportFormat::Json => json_doc(items, common_diff(items)),
        ReportFormat::Junit => {
            let runs: Vec<(&Report, &prior_report::Judgement)> =
                items.iter().map(|a| (&a.report, &a.judgement)).collect();
            prior_report::render_junit_judged(&runs).map_err(fail)
        }
        ReportFormat::Sarif => {
            let runs: Vec<_> = items
                .iter()
                .map(|a| prior_report::SarifRun {
                    report: &a.report,
                    scenario_uri: scenario_uri(&a.dir),
                    judgement: &a.judgement,
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
                    suppressed: a.judgement.allowed.clone(),
                });
            }
            prior_report::render_html_lang(&runs, lang.into()).map_err(fail)
        }
    }
}

/// JSON for analysed bundles: one bundle without a baseline is the analyzer's report; several
/// bundles, or any with a baseline, give the batch form (`docs/reports.md`) with the
/// comparison `diff` added as `"baseline"`.
fn json_doc(
    items: &[Analysed],
    diff: Option<&prior_report::BaselineDiff>,
) -> Result<String, CliError> {
    if let ([one], None) = (items, diff) {
        return Ok(prior_report::render_json(&one.report));
    }
    let refs: Vec<&Analysed> = items.iter().collect();
    pretty(&batch_json(&refs, diff)?)
}

/// The batch JSON document (`docs/reports.md`): `batch_format`, `summary`, `reports`, then
/// `judged` (per report, in the same order: its exit code, the reason, whether the scenario's
/// expectations held, new violations and the findings that count) and, with a baseline,
/// `baseline`.
pub fn batch_json(
    items: &[&Analysed],
    diff: Option<&prior_report::BaselineDiff>,
) -> Result<serde_json::Value, CliError> {
    let reports: Vec<&Report> = items.iter().map(|a| &a.report).collect();
    let batch = prior_report::render_json_batch(&reports);
    let mut v: serde_json::Value = serde_json::from_str(&batch)
        .map_err(|e| CliError::input_msg(format!("failed to re-read the batch JSON: {e}")))?;
    v["judged"] = items
        .iter()
        .map(|a| {
            serde_json::json!({
                "bundle": a.dir.display().to_string(),
                "exit_code": crate::exit::code_of(&a.outcome()),
                "reason": exit_reason(a),
                "expectations_met": a.judgement.expectations_met(),
                "new_violations": a.judgement.new_violations(&a.report),
                "counting_findings": a.judgement.counting(&a.report).len(),
            })
        })
        .collect();
    if let Some(diff) = diff {
        v["baseline"] = serde_json::to_value(diff)
            .map_err(|e| CliError::input_msg(format!("failed to serialise the comparison: {e}")))?;
    }
    Ok(v)
}

/// Pretty JSON with a final newline.
pub fn pretty(v: &serde_json::Value) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(v)
        .map_err(|e| CliError::input_msg(format!("failed to serialise the report: {e}")))?;
    s.push('\n');
    Ok(s)
}

/// Why a scenario got its exit code, in a few words.
pub fn exit_reason(a: &Analysed) -> String {
    let (r, j) = (&a.report, &a.judgement);
    let code = crate::exit::code_of(&a.outcome());
    let incomplete = prior_report::Judgement::incomplete(r);
    match code {
        1 if j.expectations_met() == Some(false) => "expectations not met".to_string(),
        1 => match j.new_violations(r) {
            Some(n) => format!("{n} new violation{}", if n == 1 { "" } else { "s" }),
            None => {
                let n = j.counting(r).len();
                format!("{n} violation{}", if n == 1 { "" } else { "s" })
            }
        },
        4 if r.blind_sources().next().is_some()
            && r.incomplete_besides_sources().next().is_none() =>
        {
            "not every source analysed".to_string()
        }
        4 if incomplete => "incomplete session".to_string(),
        4 => "inconclusive".to_string(),
        _ => {
            let mut why = Vec::new();
            if j.expectations_met() == Some(true) {
                why.push("expectations met".to_string());
            }
            if j.baseline.is_some() {
                why.push("no new violation".to_string());
            }
            if why.is_empty() {
                "no violation".to_string()
            } else {
                why.join(", ")
            }
        }
    }
}

/// The bundle's `meta.json`, read like every bundle file (no link followed, no FIFO opened
/// blocking, capped); `None` when it cannot be read.
pub(crate) fn read_meta(dir: &Path) -> Option<serde_json::Value> {
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

/// The outcome of several judged bundles (the worst counts).
pub fn batch_outcome(items: &[Analysed]) -> Outcome {
    Outcome::Batch(items.iter().map(Analysed::outcome).collect())
}

/// Runs `prior report`: every bundle is judged as `prior run` judged it (the `expect:` block
/// of the scenario recorded in it, judged today; the baseline, per bundle), so the exit code
/// is the worst of the bundles' codes and an incomplete bundle is never forgiven.
pub fn run(args: Args) -> CliResult {
    let mut analysed = Vec::new();
    for dir in &args.bundles {
        let inputs = super::analyze::InputArgs {
            profile: args.profile.as_deref(),
            catalog: args.catalog.as_deref(),
            sdk_catalogue: args.sdk_catalogue.as_deref(),
            // The recorded scenario's expect: block, judged today by the analyzer, unless
            // --ignore-expect.
            judge_expect_on: (!args.ignore_expect).then(prior_scenario::Date::today_utc),
        };
        let report = analyze_bundle_with(dir, &inputs, args.allow_modified)?;
        analysed.push((dir.clone(), report));
    }
    let diff = match &args.baseline {
        Some(b) => {
            let reports: Vec<&Report> = analysed.iter().map(|(_, r)| r).collect();
            Some(load_baseline(b)?.compare(&reports))
        }
        None => None,
    };
    let items: Vec<Analysed> = analysed
        .into_iter()
        .map(|(dir, report)| {
            let judgement = judge::judge(&report, diff.as_ref());
            Analysed {
                dir,
                report,
                judgement,
            }
        })
        .collect();
    let text = render(&items, args.format, args.lang)?;
    write_out(args.output.as_deref(), &text)?;
    if let Some(diff) = &diff {
        crate::term::err(&diff.render_text());
    }
    Ok(batch_outcome(&items))
}
