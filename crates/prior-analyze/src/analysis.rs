//! [`analyze`]: the whole pass from a bundle to a [`Report`].

use crate::catalog::Catalog;
use crate::profile::Profile;
use crate::report::Report;
use crate::sources::EventSink;
use crate::sources::logcat;
use crate::stages::{self, Incomplete, SOURCES, assemble, harness, sources};
use crate::{AnalyzeError, Origin};
use prior_apk::SdkCatalog;
use prior_model::bundle::Bundle;

/// Everything an analysis depends on besides the bundle, passed explicitly and named in the
/// report's `inputs` block: the same bundle and inputs give the same report, byte for byte.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisInputs<'a> {
    /// The personal-data catalog (`--catalog FILE` or built in).
    pub catalog: &'a Catalog,
    /// The SDK catalogue that names actors (`--sdk-catalogue FILE` or built in).
    pub sdks: &'a SdkCatalog,
    /// Where [`AnalysisInputs::sdks`] came from.
    pub sdks_origin: &'a Origin,
    /// The rule profile.
    pub profile: &'a Profile,
}

impl<'a> AnalysisInputs<'a> {
    /// Inputs with a built-in SDK catalogue (`sdks` as loaded by `SdkCatalog::builtin`).
    pub fn new(catalog: &'a Catalog, sdks: &'a SdkCatalog, profile: &'a Profile) -> Self {
        AnalysisInputs {
            catalog,
            sdks,
            sdks_origin: &Origin::Builtin,
            profile,
        }
    }
}

/// Options of [`analyze_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzeOptions {
    /// Analyse a bundle that does not match its `MANIFEST.sha256` (the report then carries
    /// the mismatch and cannot pass). Off by default: a mismatch is an error.
    pub allow_modified: bool,
    /// At most this many events in [`Report::timeline`] (the total is always counted).
    pub timeline_limit: usize,
    /// Judge the scenario's `expect:` block recorded in the bundle, on this day (allow
    /// entries expire by it), into [`Report::expectations`]. `None` (the default): not judged.
    pub judge_expect_on: Option<prior_model::expect::Date>,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            allow_modified: false,
            timeline_limit: 2000,
            judge_expect_on: None,
        }
    }
}

/// Analyses a bundle with default options (a manifest mismatch is an error).
pub fn analyze(bundle: &Bundle, inputs: &AnalysisInputs<'_>) -> Result<Report, AnalyzeError> {
    analyze_with(bundle, inputs, &AnalyzeOptions::default())
}

/// The logcat patterns the analysis uses for `package`, one regex per line, in a form `rg`
/// accepts (placeholders substituted; `{uid}` as `uid` when given): the catalog's patterns,
/// the `markers`, and the process/activity lines. Used to compare with `rg` in the benchmark
/// and to show users what is searched.
pub fn effective_logcat_patterns(
    catalog: &Catalog,
    package: &str,
    uid: Option<u32>,
    markers: &[String],
) -> Vec<String> {
    logcat::patterns_for_grep(catalog, package, uid, markers)
}

/// The literal texts the logcat pass searches for before parsing a line (one of them is in
/// every line it looks at): what `rg -F` would need to find the same candidate lines.
pub fn logcat_prefilter_literals(
    catalog: &Catalog,
    package: &str,
    markers: &[String],
) -> Result<Vec<String>, AnalyzeError> {
    let rules = logcat::build_rules(catalog, package, markers).map_err(|message| {
        AnalyzeError::Patterns {
            package: package.to_string(),
            message,
        }
    })?;
    Ok(rules
        .literals
        .iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect())
}

/// Analyses a bundle: the stages of [`crate::stages`], in order.
pub fn analyze_with(
    bundle: &Bundle,
    inputs: &AnalysisInputs<'_>,
    opts: &AnalyzeOptions,
) -> Result<Report, AnalyzeError> {
    let (ctx, mut incomplete) = stages::load(bundle, inputs, opts)?;
    let _analyze = tracing::info_span!("analyze", package = ctx.package).entered();

    // Sources: logcat first (the consent stage needs its markers), then the others.
    let mut sink = EventSink::default();
    let (logcat, lc) = sources::read_logcat(&ctx, &mut sink)?;
    let mut outcomes = vec![logcat];
    for read in SOURCES {
        outcomes.push(read(&ctx, &mut sink)?);
    }
    let mut cs = harness::consent_and_ui(&ctx, &lc, &mut sink);
    for o in outcomes.iter_mut().chain([&mut cs.ui]) {
        incomplete.append(&mut o.incomplete);
    }
    if sink.dropped > 0 {
        incomplete.push(Incomplete::EventsDropped {
            count: sink.dropped,
        });
    }

    // Place, attribute, group and judge.
    let mut events = std::mem::take(&mut sink.events);
    stages::attribute(&ctx, &mut events);
    let (events, phases) = stages::place(events, &cs.consent, cs.launch_us);
    let missing = cs.missing_consent(&ctx, &events);
    let findings = stages::findings(&ctx, &events, &phases, &cs.consent, missing);

    // Coverage, counts, verdict, report.
    outcomes.push(cs.ui);
    let sources = assemble::coverage(&ctx, outcomes, &mut incomplete);
    let categories = assemble::categories(&ctx, &events, &phases, &findings);
    let (summary, verdict) = assemble::summary(&events, sink.dropped, &findings, &incomplete);
    let (expectations, expectations_not_read) =
        stages::expect::stage(&ctx, &findings, verdict, opts.judge_expect_on);
    assemble::report(
        &ctx,
        assemble::Parts {
            lc,
            consent: cs.consent,
            findings,
            sources,
            categories,
            summary,
            verdict,
            incomplete,
            events,
            phases,
            dropped: sink.dropped,
            expectations,
            expectations_not_read,
        },
        opts,
    )
}
