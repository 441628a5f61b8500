//! `prior campaign merge DIR…` (issue 17, `docs/campaigns.md`, "Results back"): collect the campaign
//! directories of one campaign's shards, pick one bundle per pair (`prior_campaign::merge`),
//! analyse each picked bundle exactly as `prior analyze` does (manifest verified, the bundle's
//! built-in profile or `--profile`), write each pair's own HTML report under `OUT/pairs/`, and
//! the campaign report (`campaign.html`, `.csv`, `.xlsx`, `.json`, `.junit.xml`) in OUT.
//!
//! Exit code (docs/exit-codes.md, "Campaigns"): the worst over every pair of the campaign by
//! the batch rule, each pair judged as `prior campaign run` judges it
//! (`campaign::pair_outcome`): its verdict and its scenario's `expect:` block recorded in the
//! bundle, judged today (unless `--ignore-expect`) — a violation or an unmet `expect:` 1; a
//! pair incomplete, inconclusive or not run 4; a pair whose only bundles are altered (manifest
//! mismatch) or that cannot be analysed 2, as `prior analyze` gives for such a bundle.

use super::analyze::{self, ReportLang};
use crate::exit::{ErrorKind, Outcome};
use crate::{CliError, CliResult};
use prior_analyze::Report;
use prior_campaign::merge::{self, Collected, PairState};
use prior_model::Verdict;
use prior_report::campaign::{
    AppInput, CampaignInput, CampaignSummary, PairInput, PairStateView, ShardView,
};
use std::path::{Path, PathBuf};

/// The campaign report's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MergeFormat {
    /// `campaign.html`: the self-contained overview.
    Html,
    /// `campaign.csv`: one row per app (UTF-8 with BOM).
    Csv,
    /// `campaign.xlsx`: apps, pairs and the headline numbers.
    Xlsx,
    /// `campaign.json` (docs/campaigns.md, "Files in OUT").
    Json,
    /// `campaign.junit.xml`: one suite per app, one case per scenario.
    Junit,
}

impl MergeFormat {
    fn file(self) -> &'static str {
        match self {
            MergeFormat::Html => "campaign.html",
            MergeFormat::Csv => "campaign.csv",
            MergeFormat::Xlsx => "campaign.xlsx",
            MergeFormat::Json => "campaign.json",
            MergeFormat::Junit => "campaign.junit.xml",
        }
    }
}

/// Arguments of `prior campaign merge`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign directories (`prior campaign run --out`): one whole campaign, or several
    /// shards of the same campaign.
    #[arg(value_name = "DIR", required = true)]
    dirs: Vec<PathBuf>,
    /// Where to write the campaign report (default: prior-campaign/<name>-report). Must not be
    /// one of the campaign directories.
    #[arg(long, value_name = "OUT")]
    out: Option<PathBuf>,
    /// Formats to write (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "html,csv,xlsx,json,junit"
    )]
    format: Vec<MergeFormat>,
    /// Language of the HTML page, the CSV and the XLSX (JSON and JUnit are always English).
    #[arg(long, value_enum, default_value = "en")]
    lang: ReportLang,
    /// Rule profile for every pair: `cn-miit`, `gdpr` or a profile file (default: the built-in
    /// profile each bundle names, as `prior analyze`).
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// A personal-data catalog file to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Judge each pair by its verdict only: ignore the `expect:` block its scenario recorded
    /// (by default it is judged today, as `prior campaign run` and `prior report` do).
    #[arg(long)]
    ignore_expect: bool,
}

/// `prior-campaign/<slug of the name>-report`: beside the campaign directories `prior campaign
/// run` makes by default (`prior-campaign/<slug>`), never inside one.
fn default_out(name: &str) -> PathBuf {
    let slug = prior_campaign::slug(name);
    let slug = if slug.is_empty() {
        "campaign".to_string()
    } else {
        slug
    };
    PathBuf::from("prior-campaign").join(format!("{slug}-report"))
}

/// One pair after analysis.
struct Analysed {
    report: Option<Report>,
    /// Why the analysis failed.
    error: Option<String>,
}

fn state_view(s: PairState) -> PairStateView {
    match s {
        PairState::Done => PairStateView::Done,
        PairState::Incomplete => PairStateView::Incomplete,
        PairState::Tampered => PairStateView::Tampered,
        PairState::NotRun => PairStateView::NotRun,
    }
}

/// The outcome of one pair (the campaign's is the worst, `Outcome::Batch`).
fn pair_outcome(state: PairState, a: &Analysed) -> Outcome {
    match (&a.report, state) {
        // The rule of `prior campaign run`: a violation (or an unmet expect:) found in an
        // incomplete session still counts; otherwise it proves nothing.
        (Some(r), PairState::Done) => super::campaign::pair_outcome(r, true),
        (Some(r), _) => super::campaign::pair_outcome(r, false),
        (None, PairState::Tampered) => Outcome::Failed(ErrorKind::Input),
        (None, _) if a.error.is_some() => Outcome::Failed(ErrorKind::Input),
        (None, _) => Outcome::Verdict(Verdict::Inconclusive),
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Runs `prior campaign merge`.
pub fn run(args: Args) -> CliResult {
    let collected =
        merge::collect(&args.dirs).map_err(|e| CliError::input_msg(format!("failed to {e}")))?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&collected.name));
    if args.dirs.iter().any(|d| same_dir(d, &out)) {
        return Err(CliError::input_msg(format!(
            "{}: the report directory must not be a campaign directory (give --out)",
            out.display()
        )));
    }
    for w in &collected.warnings {
        note!("warning: {w}");
    }
    let pairs_dir = out.join("pairs");
    fs_err::create_dir_all(&pairs_dir).map_err(CliError::io)?;

    // Each pair analysed as `prior analyze` does, its recorded `expect:` judged today as
    // `prior campaign run` does (the analyzer's expect stage).
    let inputs = analyze::InputArgs {
        profile: args.profile.as_deref(),
        catalog: args.catalog.as_deref(),
        judge_expect_on: (!args.ignore_expect).then(prior_scenario::Date::today_utc),
        ..analyze::InputArgs::default()
    };
    let analysed: Vec<Analysed> = collected
        .pairs
        .iter()
        .map(|p| match &p.bundle {
            Some(b) => match analyze::analyze_bundle_with(b, &inputs, false) {
                Ok(r) => Analysed {
                    report: Some(r),
                    error: None,
                },
                Err(e) => Analysed {
                    report: None,
                    error: Some(e.report.to_string()),
                },
            },
            None => Analysed {
                report: None,
                error: None,
            },
        })
        .collect();

    // Each pair's own HTML report, the campaign page's link target.
    let mut hrefs = Vec::new();
    for (p, a) in collected.pairs.iter().zip(&analysed) {
        let href = match (&a.report, &p.bundle) {
            (Some(r), Some(b)) => {
                let fail =
                    |e: prior_report::RenderError| CliError::input_msg(format!("failed to {e}"));
                let page = prior_report::render_html_lang(
                    &[prior_report::HtmlRun {
                        report: r,
                        screenshots: prior_report::bundle_screenshots(b).map_err(fail)?,
                        suppressed: Vec::new(),
                    }],
                    args.lang.into(),
                )
                .map_err(fail)?;
                // The id is a plain name (`merge::safe_component`, checked when the plan was read).
                let file = format!("{}.html", p.id);
                fs_err::write(pairs_dir.join(&file), page).map_err(CliError::io)?;
                Some(format!("pairs/{file}"))
            }
            _ => None,
        };
        hrefs.push(href);
    }

    let summary = CampaignSummary::build(&campaign_input(&collected, &analysed, hrefs));
    write_formats(&summary, &args.format, args.lang, &out)?;

    let lang: prior_report::Lang = args.lang.into();
    say!(
        "{}",
        prior_report::campaign::headline_sentence(&summary, lang)
    );
    let h = &summary.headline;
    say!(
        "pairs: {} done, {} incomplete, {} tampered, {} not run (of {})",
        h.pairs.done,
        h.pairs.incomplete,
        h.pairs.tampered,
        h.pairs.not_run,
        h.pairs.total
    );
    for app in &summary.apps {
        for p in &app.pairs {
            for x in &p.rejected {
                note!(
                    "warning: {}: bundle not used: {}: {}",
                    p.id,
                    x.path,
                    x.reason
                );
            }
        }
    }
    note!("campaign report: {}", out.display());
    let outcomes = collected
        .pairs
        .iter()
        .zip(&analysed)
        .map(|(p, a)| pair_outcome(p.state, a))
        .collect();
    Ok(Outcome::Batch(outcomes))
}

fn campaign_input<'a>(
    c: &Collected,
    analysed: &'a [Analysed],
    hrefs: Vec<Option<String>>,
) -> CampaignInput<'a> {
    CampaignInput {
        name: c.name.clone(),
        campaign_sha256: c.campaign_sha256.clone(),
        apps: c
            .apps
            .iter()
            .map(|a| AppInput {
                slug: a.slug.clone(),
                apk: a.apk.clone(),
                apk_sha256: a.apk_sha256.clone(),
                name: a.name.clone(),
                developer: a.developer.clone(),
                store_url: a.store_url.clone(),
                extra: a.extra.clone(),
            })
            .collect(),
        scenarios: c.scenarios.iter().map(|s| s.stem.clone()).collect(),
        pairs: c
            .pairs
            .iter()
            .zip(analysed)
            .zip(hrefs)
            .map(|((p, a), href)| {
                let mut reasons = p.reasons.clone();
                if let Some(e) = &a.error
                    && p.state != PairState::Tampered
                {
                    reasons.push(format!("the analysis failed: {e}"));
                }
                PairInput {
                    id: p.id.clone(),
                    app: p.app,
                    scenario: p.scenario,
                    state: state_view(p.state),
                    report: a.report.as_ref(),
                    reasons,
                    rejected: p
                        .rejected
                        .iter()
                        .map(|r| (r.path.display().to_string(), r.reason.clone()))
                        .collect(),
                    bundle: p.bundle.as_ref().map(|b| b.display().to_string()),
                    report_href: href,
                }
            })
            .collect(),
        shards: c
            .shards
            .iter()
            .map(|s| ShardView {
                dir: s.dir.display().to_string(),
                index: s.shard.map(|(i, _)| i),
                total: s.shard.map(|(_, t)| t),
                pairs: s.pairs,
            })
            .collect(),
        warnings: c.warnings.clone(),
    }
}

fn write_formats(
    s: &CampaignSummary,
    formats: &[MergeFormat],
    lang: ReportLang,
    out: &Path,
) -> Result<(), CliError> {
    let lang: prior_report::Lang = lang.into();
    let fail = |e: prior_report::RenderError| CliError::input_msg(format!("failed to {e}"));
    let mut done = Vec::new();
    for &f in formats {
        if done.contains(&f) {
            continue;
        }
        done.push(f);
        let bytes = match f {
            MergeFormat::Html => prior_report::campaign::render_html(s, lang)
                .map_err(fail)?
                .into_bytes(),
            MergeFormat::Csv => prior_report::campaign::render_csv(s, lang).into_bytes(),
            MergeFormat::Xlsx => prior_report::campaign::render_xlsx(s, lang).map_err(fail)?,
            MergeFormat::Json => s.to_json().into_bytes(),
            MergeFormat::Junit => prior_report::campaign::render_junit(s)
                .map_err(fail)?
                .into_bytes(),
        };
        let path = out.join(f.file());
        fs_err::write(&path, bytes).map_err(CliError::io)?;
        note!("report: {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_report_directory_is_beside_the_campaign_directory() {
        assert_eq!(
            default_out("Province sweep 2026-12"),
            PathBuf::from("prior-campaign/province-sweep-2026-12-report")
        );
        assert_eq!(
            default_out("全省检测"),
            PathBuf::from("prior-campaign/app-report")
        );
    }
}
