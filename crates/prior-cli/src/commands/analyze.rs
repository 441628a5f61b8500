//! `prior analyze BUNDLE`: re-analyse a recorded session bundle (after verifying its
//! manifest), under the scenario's profile or another one.

use crate::{CliError, CliResult, exit::Outcome};
use prior_analyze::{AnalysisInputs, AnalyzeOptions, Catalog, Origin, Profile, Report};
use prior_model::bundle::Bundle;
use std::path::{Path, PathBuf};

/// Output formats of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A terminal summary.
    Text,
    /// The analyzer's JSON report (`docs/report-json.md`).
    Json,
}

/// Language of the human-readable reports (text and HTML); machine formats (JSON, SARIF,
/// JUnit) are always English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportLang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese (简体中文).
    Zh,
}

impl From<ReportLang> for prior_report::Lang {
    fn from(l: ReportLang) -> Self {
        match l {
            ReportLang::En => prior_report::Lang::En,
            ReportLang::Zh => prior_report::Lang::Zh,
        }
    }
}

/// Arguments of `prior analyze`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session bundle directory.
    #[arg(value_name = "BUNDLE")]
    bundle: PathBuf,
    /// Rule profile: `cn-miit`, `gdpr` or a profile file (default: the built-in profile the
    /// bundle names, else cn-miit; a bundle can never name a file).
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// A personal-data catalog file to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// An SDK catalogue file (prior-apk's format, `docs/sdks.md`) to name actors with instead
    /// of the built-in one.
    #[arg(long = "sdk-catalog", alias = "sdk-catalogue", value_name = "FILE")]
    sdk_catalogue: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Language of the text report (JSON is always English).
    #[arg(long, value_enum, default_value = "en")]
    lang: ReportLang,
    /// Write the report here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Analyse even if files do not match MANIFEST.sha256 (the report then says so and
    /// cannot pass).
    #[arg(long)]
    allow_modified: bool,
}

/// The analysis inputs named on the command line (each `None`: the built-in one; the
/// profile: the one the bundle names, else cn-miit).
#[derive(Debug, Clone, Copy, Default)]
pub struct InputArgs<'a> {
    /// `--profile NAME|FILE`.
    pub profile: Option<&'a str>,
    /// `--catalog FILE`.
    pub catalog: Option<&'a Path>,
    /// `--sdk-catalog FILE`.
    pub sdk_catalogue: Option<&'a Path>,
    /// Judge the `expect:` block recorded in the bundle on this day (`prior run`, `prior
    /// report` without `--ignore-expect`); `None`: not judged.
    pub judge_expect_on: Option<prior_model::expect::Date>,
}

/// Loads and analyses a bundle with the built-in SDK catalogue.
pub fn analyze_bundle(
    dir: &Path,
    profile: Option<&str>,
    catalog: Option<&Path>,
    allow_modified: bool,
) -> Result<Report, CliError> {
    let args = InputArgs {
        profile,
        catalog,
        sdk_catalogue: None,
        judge_expect_on: None,
    };
    analyze_bundle_with(dir, &args, allow_modified)
}

/// Loads the inputs and analyses a bundle.
pub fn analyze_bundle_with(
    dir: &Path,
    args: &InputArgs<'_>,
    allow_modified: bool,
) -> Result<Report, CliError> {
    let bundle = Bundle::open(dir)
        .map_err(|e| CliError::input_msg(format!("{}: failed to {e}", dir.display())))?;
    let catalog = match args.catalog {
        Some(p) => Catalog::from_file(p),
        None => Catalog::builtin(),
    }
    .map_err(|e| CliError::input_msg(format!("failed to {e}")))?;
    let sdks = super::inspect::load_catalogue(args.sdk_catalogue)?;
    let sdks_origin = match args.sdk_catalogue {
        Some(p) => Origin::File(p.display().to_string()),
        None => Origin::Builtin,
    };
    let profile = select_profile(args.profile, &bundle)?;
    let opts = AnalyzeOptions {
        allow_modified,
        judge_expect_on: args.judge_expect_on,
        ..AnalyzeOptions::default()
    };
    let inputs = AnalysisInputs {
        catalog: &catalog,
        sdks: &sdks,
        sdks_origin: &sdks_origin,
        profile: &profile,
    };
    let report = prior_analyze::analyze_with(&bundle, &inputs, &opts)
        .map_err(|e| CliError::input_msg(format!("{}: failed to {e}", dir.display())))?;
    if let Some(why) = &report.expectations_not_read {
        note!(
            "{}: {}",
            dir.display(),
            prior_model::text::escape_controls(why)
        );
    }
    Ok(report)
}

/// The profile to apply: the command line's (`--profile NAME|FILE`: the operator's choice, the
/// only way a profile file is read), else the built-in profile the bundle names (never a file:
/// `Profile::named_in_bundle`), else cn-miit.
pub fn select_profile(arg: Option<&str>, bundle: &Bundle) -> Result<Profile, CliError> {
    match (arg, bundle.meta.profile.as_deref()) {
        (Some(a), _) => Profile::resolve(a),
        (None, Some(named)) => Profile::named_in_bundle(named),
        (None, None) => Profile::builtin("cn-miit"),
    }
    .map_err(|e| CliError::input_msg(format!("failed to {e}")))
}

/// What `prior run` seals in `meta.json` about the profile it records for
/// (`--profile NAME|FILE` or the scenario's, else cn-miit): its name, file and content sha256.
pub fn profile_record(arg: Option<&str>) -> Result<prior_model::bundle::ProfileRecord, CliError> {
    let p = match arg {
        Some(a) => Profile::resolve(a),
        None => Profile::builtin("cn-miit"),
    }
    .map_err(|e| CliError::input_msg(format!("failed to {e}")))?;
    Ok(prior_model::bundle::ProfileRecord {
        name: p.name,
        file: match p.origin {
            prior_analyze::Origin::File(f) => Some(f),
            prior_analyze::Origin::Builtin => None,
        },
        sha256: p.sha256,
    })
}

/// The outcome of a report: its verdict (`exit::code_of` maps it to the exit code).
pub fn outcome_of(report: &Report) -> Outcome {
    Outcome::Verdict(report.verdict)
}

/// Renders a report (the text in `lang`).
pub fn render(report: &Report, format: Format, lang: ReportLang) -> String {
    match format {
        Format::Text => prior_report::render_text_lang(report, lang.into()),
        Format::Json => prior_report::render_json(report),
    }
}

/// Runs `prior analyze`.
pub fn run(args: Args) -> CliResult {
    let inputs = InputArgs {
        profile: args.profile.as_deref(),
        catalog: args.catalog.as_deref(),
        sdk_catalogue: args.sdk_catalogue.as_deref(),
        judge_expect_on: None,
    };
    let report = analyze_bundle_with(&args.bundle, &inputs, args.allow_modified)?;
    let text = render(&report, args.format, args.lang);
    match &args.output {
        Some(path) => fs_err::write(path, text).map_err(CliError::io)?,
        None => super::out(&text)?,
    }
    Ok(outcome_of(&report))
}
