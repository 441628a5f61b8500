//! The last stages: what was checked (coverage), the verdict and the report.

use super::{Ctx, Incomplete, SourceOutcome};
use crate::analysis::AnalyzeOptions;
use crate::coverage;
use crate::report::{
    AppFacts, BundleFacts, CatalogFacts, CategoryCheck, Checked, ConsentReport, CoverageReason,
    InputFacts, Inputs, IntegrityReport, ProfileFacts, REPORT_FORMAT, Report, ReportFinding,
    SignalCounts, SourceCheck, SourceStatus, Summary, TimelineEntry, ToolVersion,
};
use crate::sources::logcat::LogcatResult;
use crate::{ANALYZER_VERSION, AnalyzeError, Origin};
use prior_model::bundle::{HARNESS_FILE, HarnessRecord, MANIFEST_FILE, RecordingState};
use prior_model::{DataCategory, Event, EventKind, Phase, Severity, Verdict};

/// Coverage: each source's state with the recorder's own word on its collector (`collector`
/// harness records), the profile's requirement, then the harness log itself; sorted in
/// [`prior_model::Source`] order. A source that keeps the report from passing adds its
/// sentence to `incomplete`.
pub(crate) fn coverage(
    ctx: &Ctx<'_>,
    outcomes: Vec<SourceOutcome>,
    incomplete: &mut Vec<Incomplete>,
) -> Vec<SourceCheck> {
    let bundle = ctx.bundle;
    let profile = ctx.inputs.profile;
    let mut sources: Vec<SourceCheck> = outcomes
        .into_iter()
        .map(|o| {
            let (mut state, mut check) = (o.state, o.check);
            for e in &bundle.harness {
                if let HarnessRecord::Collector {
                    source,
                    state: cs,
                    cause,
                    reason,
                } = &e.record
                    && *source == check.source
                {
                    state = state.and(coverage::from_collector(*cs, *cause, reason));
                }
            }
            check.status = state.status;
            check.reason = state.reason;
            check.detail = state.detail_text();
            check.required = profile.requires(check.source);
            check
        })
        .collect();
    sources.sort_by_key(|s| s.source);
    // Without harness.jsonl there is nothing analysed to list: the harness failed.
    sources.push(if bundle.harness_present {
        SourceCheck {
            source: prior_model::Source::Harness,
            status: SourceStatus::Analysed,
            reason: None,
            detail: None,
            required: false,
            files: vec![HARNESS_FILE.to_string()],
            items: bundle.harness.len() as u64,
            events: 0,
            note: None,
        }
    } else {
        SourceCheck {
            source: prior_model::Source::Harness,
            status: SourceStatus::Failed,
            reason: Some(CoverageReason::FilesMissing),
            detail: Some(format!("{HARNESS_FILE} is missing")),
            required: false,
            files: Vec::new(),
            items: 0,
            events: 0,
            note: None,
        }
    });
    for s in sources.iter().filter(|s| s.blocks_pass()) {
        incomplete.push(Incomplete::Source(s.incomplete_sentence(&profile.name)));
    }
    sources
}

/// Per category: the catalog's signals and the access events in each phase.
pub(crate) fn categories(
    ctx: &Ctx<'_>,
    events: &[Event],
    phases: &[Option<Phase>],
    findings: &[ReportFinding],
) -> Vec<CategoryCheck> {
    DataCategory::ALL
        .into_iter()
        .map(|c| {
            let (a, b, l) = ctx.inputs.catalog.signal_counts(c);
            let mut counts = [0u64; 3];
            for (e, p) in events.iter().zip(phases) {
                if e.kind == EventKind::DataAccess && e.category == Some(c) {
                    match p {
                        Some(Phase::BeforeConsent) => counts[0] += 1,
                        Some(Phase::AtConsent) => counts[1] += 1,
                        Some(Phase::AfterConsent) => counts[2] += 1,
                        None => {}
                    }
                }
            }
            CategoryCheck {
                category: c,
                signals: SignalCounts {
                    appops: a as u64,
                    binder: b as u64,
                    logcat: l as u64,
                },
                before_consent: counts[0],
                at_consent: counts[1],
                after_consent: counts[2],
                clean: !findings
                    .iter()
                    .any(|f| f.category == Some(c) && f.severity.is_violation()),
            }
        })
        .collect()
}

/// The counts and the verdict: any violation fails; else an incomplete analysis is
/// inconclusive.
pub(crate) fn summary(
    events: &[Event],
    dropped: u64,
    findings: &[ReportFinding],
    incomplete: &[Incomplete],
) -> (Summary, Verdict) {
    let mut summary = Summary {
        findings: findings.len() as u64,
        data_access_events: events
            .iter()
            .filter(|e| e.kind == EventKind::DataAccess)
            .count() as u64
            + dropped,
        ..Summary::default()
    };
    for f in findings {
        match f.severity {
            Severity::High => summary.high += 1,
            Severity::Medium => summary.medium += 1,
            Severity::Low => summary.low += 1,
            Severity::Info => summary.info += 1,
        }
    }
    summary.violations = summary.high + summary.medium + summary.low;
    let verdict = if summary.violations > 0 {
        Verdict::Fail
    } else if !incomplete.is_empty() {
        Verdict::Inconclusive
    } else {
        Verdict::Pass
    };
    (summary, verdict)
}

/// Everything the report is made of, after the analysis stages.
pub(crate) struct Parts {
    pub lc: LogcatResult,
    pub consent: ConsentReport,
    pub findings: Vec<ReportFinding>,
    pub sources: Vec<SourceCheck>,
    pub categories: Vec<CategoryCheck>,
    pub summary: Summary,
    pub verdict: Verdict,
    pub incomplete: Vec<Incomplete>,
    pub events: Vec<Event>,
    pub phases: Vec<Option<Phase>>,
    pub dropped: u64,
    pub expectations: Option<crate::report::ExpectationsReport>,
    pub expectations_not_read: Option<String>,
}

/// The report: facts of the bundle, app, device and inputs, and the parts.
pub(crate) fn report(
    ctx: &Ctx<'_>,
    p: Parts,
    opts: &AnalyzeOptions,
) -> Result<Report, AnalyzeError> {
    let (bundle, meta, inputs) = (ctx.bundle, ctx.meta, ctx.inputs);
    let (catalog, profile) = (inputs.catalog, inputs.profile);
    let integ = &bundle.integrity;
    let manifest_sha256 = if integ.manifest_present {
        bundle.sha256_of(MANIFEST_FILE)?
    } else {
        None
    };
    let timeline_total = p.events.len() as u64 + p.dropped;
    let timeline = p
        .events
        .into_iter()
        .zip(p.phases)
        .take(opts.timeline_limit)
        .map(|(event, phase)| TimelineEntry {
            phase: phase.unwrap_or(Phase::BeforeConsent),
            event,
        })
        .collect();
    let lc = p.lc;
    Ok(Report {
        report_format: REPORT_FORMAT,
        analyzer: ToolVersion {
            name: "prior-analyze".into(),
            version: ANALYZER_VERSION.into(),
        },
        verdict: p.verdict,
        summary: p.summary,
        bundle: BundleFacts {
            format: meta.format,
            recorded_by: format!("{} {}", meta.tool.name, meta.tool.version)
                .trim()
                .to_string(),
            status: match meta.status.state {
                RecordingState::Recording => "recording",
                RecordingState::Complete => "complete",
                RecordingState::Incomplete => "incomplete",
            }
            .into(),
            manifest_sha256,
            scenario: meta
                .scenario
                .as_ref()
                .map(|s| s.name.clone())
                .filter(|s| !s.is_empty()),
            consent_mode: meta
                .scenario
                .as_ref()
                .map(|s| s.consent_mode.clone())
                .filter(|s| !s.is_empty()),
            started_host_us: meta.started_host_us,
            ended_host_us: meta.ended_host_us,
        },
        app: AppFacts {
            package: ctx.package.to_string(),
            version_name: meta.app.version_name.clone(),
            version_code: meta.app.version_code.clone(),
            apk_sha256: meta.app.apk_sha256.clone(),
            uid: lc.uid,
            uid_source: lc
                .uid
                .map(|_| if lc.uid_from_logcat { "logcat" } else { "meta" }.to_string()),
            pids: lc.pids.into_iter().collect(),
        },
        device: prior_device_facts(meta),
        profile: ProfileFacts {
            name: profile.name.clone(),
            title: profile.title.clone(),
            origin: origin_word(&profile.origin),
            file: origin_file(&profile.origin),
            sha256: profile.sha256.clone(),
            recorded: meta.profile_used.clone(),
            differs_from_recorded: meta
                .profile_used
                .as_ref()
                .filter(|r| r.sha256 != profile.sha256)
                .map(|r| {
                    format!(
                        "the session was recorded for profile {} ({}sha256 {}), but was analysed \
                         under {} ({}sha256 {})",
                        r.name,
                        r.file
                            .as_deref()
                            .map(|f| format!("file {f}, "))
                            .unwrap_or_else(|| "built-in, ".to_string()),
                        r.sha256,
                        profile.name,
                        match &profile.origin {
                            Origin::File(f) => format!("file {f}, "),
                            Origin::Builtin => "built-in, ".to_string(),
                        },
                        profile.sha256
                    )
                }),
        },
        catalog: CatalogFacts {
            name: catalog.name.clone(),
            version: catalog.version.clone(),
            origin: origin_word(&catalog.origin),
        },
        inputs: Some(Inputs {
            catalog: InputFacts {
                name: catalog.name.clone(),
                version: Some(catalog.version.clone()),
                origin: origin_word(&catalog.origin),
                file: origin_file(&catalog.origin),
                sha256: None,
            },
            sdk_catalogue: InputFacts {
                name: inputs.sdks.name.clone(),
                version: Some(inputs.sdks.version.clone()),
                origin: origin_word(inputs.sdks_origin),
                file: origin_file(inputs.sdks_origin),
                sha256: None,
            },
            profile: InputFacts {
                name: profile.name.clone(),
                version: None,
                origin: origin_word(&profile.origin),
                file: origin_file(&profile.origin),
                sha256: Some(profile.sha256.clone()),
            },
        }),
        consent: p.consent,
        findings: p.findings,
        checked: Checked {
            sources: p.sources,
            categories: p.categories,
        },
        integrity: IntegrityReport {
            manifest_present: integ.manifest_present,
            intact: integ.is_intact(),
            modified: integ.modified.clone(),
            missing: integ.missing.clone(),
            unlisted: integ.unlisted.clone(),
            irregular: integ.irregular.clone(),
            implausible: integ.implausible.clone(),
            analysed_despite_mismatch: ctx.mismatch,
        },
        incomplete: p.incomplete.iter().map(ToString::to_string).collect(),
        expectations: p.expectations,
        expectations_not_read: p.expectations_not_read,
        timeline,
        timeline_total,
    })
}

fn prior_device_facts(meta: &prior_model::bundle::Meta) -> crate::report::DeviceFacts {
    crate::report::DeviceFacts {
        serial: meta.device.serial.clone(),
        model: meta.device.model.clone(),
        api_level: meta.device.api_level,
        fingerprint: meta.device.fingerprint.clone(),
        timezone: meta.device.timezone.clone(),
        utc_offset_s: meta.device.utc_offset_s,
        emulator: meta.device.emulator,
        simulated: meta.device.simulated,
    }
}

fn origin_word(o: &Origin) -> String {
    match o {
        Origin::Builtin => "builtin".into(),
        Origin::File(_) => "file".into(),
    }
}

fn origin_file(o: &Origin) -> Option<String> {
    match o {
        Origin::File(f) => Some(f.clone()),
        Origin::Builtin => None,
    }
}
