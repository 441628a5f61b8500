//! [`analyze`]: the whole pass from a bundle to a [`Report`].

use crate::catalog::Catalog;
use crate::consent;
use crate::coverage::{self, State};
use crate::profile::Profile;
use crate::report::{
    AppFacts, BundleFacts, CatalogFacts, CategoryCheck, Checked, CoverageReason, DeviceFacts,
    IntegrityReport, ProfileFacts, REPORT_FORMAT, Report, SignalCounts, SourceCheck, SourceStatus,
    Summary, TimelineEntry, ToolVersion,
};
use crate::rules::{self, MissingConsent, RuleInput};
use crate::sources::harness::HarnessLines;
use crate::sources::logcat::{self, LOGCAT_FILE, LogcatInput, LogcatResult};
use crate::sources::net::{self, NET_FILE};
use crate::sources::{EventSink, MAX_EVENTS, appops, ipc};
use crate::{ANALYZER_VERSION, AnalyzeError, Origin, describe_problems};
use prior_model::bundle::{Bundle, HARNESS_FILE, HarnessRecord, MANIFEST_FILE, RecordingState};
use prior_model::{
    ConsentOutcome, DataCategory, Event, EventKind, Micros, Phase, Severity, Source, Timing,
    Verdict, format_micros_utc,
};

/// Options of [`analyze_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzeOptions {
    /// Analyse a bundle that does not match its `MANIFEST.sha256` (the report then carries
    /// the mismatch and cannot pass). Off by default: a mismatch is an error.
    pub allow_modified: bool,
    /// At most this many events in [`Report::timeline`] (the total is always counted).
    pub timeline_limit: usize,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            allow_modified: false,
            timeline_limit: 2000,
        }
    }
}

/// Analyses a bundle with default options (a manifest mismatch is an error).
pub fn analyze(
    bundle: &Bundle,
    catalog: &Catalog,
    profile: &Profile,
) -> Result<Report, AnalyzeError> {
    analyze_with(bundle, catalog, profile, &AnalyzeOptions::default())
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

/// Analyses a bundle: see the crate documentation for the steps.
pub fn analyze_with(
    bundle: &Bundle,
    catalog: &Catalog,
    profile: &Profile,
    opts: &AnalyzeOptions,
) -> Result<Report, AnalyzeError> {
    let integ = &bundle.integrity;
    let mismatch = (integ.manifest_present && !integ.is_intact()) || !integ.is_sound();
    if mismatch && !opts.allow_modified {
        return Err(AnalyzeError::Tampered {
            modified: integ.modified.clone(),
            missing: integ.missing.clone(),
            unlisted: integ.unlisted.clone(),
            irregular: integ.irregular.clone(),
            implausible: integ.implausible.clone(),
        });
    }
    let meta = &bundle.meta;
    let package = meta.app.package.trim();
    if package.is_empty() {
        return Err(AnalyzeError::NoPackage);
    }
    let mut incomplete = bundle.incomplete.clone();
    if mismatch {
        incomplete.push(format!(
            "the bundle does not match its MANIFEST.sha256 or is not sound ({}); it was analysed only because \
             modification was explicitly allowed, so neither its findings nor their absence can be relied on",
            describe_problems(
                &integ.modified,
                &integ.missing,
                &integ.unlisted,
                &integ.irregular,
                &integ.implausible
            )
        ));
    }
    let _analyze = tracing::info_span!("analyze", package).entered();
    let default_year = year_of(meta.started_host_us);
    let utc_offset_s = meta.device.utc_offset_s;
    let lines = HarnessLines::read(bundle)?;

    // What the harness names.
    let mut snapshots = Vec::new();
    let mut dumps = Vec::new();
    let mut markers = Vec::new();
    for e in &bundle.harness {
        match &e.record {
            HarnessRecord::AppopsSnapshot {
                file,
                label,
                device_us,
            } => snapshots.push(appops::SnapshotRef {
                file: file.clone(),
                label: label.clone(),
                device_us: *device_us,
            }),
            HarnessRecord::IpcDump {
                file,
                from_us,
                to_us,
                label,
            } => dumps.push(ipc::DumpRef {
                file: file.clone(),
                from_us: *from_us,
                to_us: *to_us,
                label: label.clone(),
            }),
            HarnessRecord::Marker { message } => markers.push(message.clone()),
            _ => {}
        }
    }
    if let Some((b, e)) = consent::tap_markers(&bundle.harness) {
        markers.extend([b, e]);
    }
    markers.sort();
    markers.dedup();

    let mut sink = EventSink::default();

    // logcat
    let rules = logcat::build_rules(catalog, package, &markers).map_err(|message| {
        AnalyzeError::Patterns {
            package: package.to_string(),
            message,
        }
    })?;
    let input = LogcatInput {
        catalog,
        package,
        meta_uid: meta.app.uid,
        default_year,
        utc_offset_s,
    };
    let mut logcat_unreadable = None;
    let (lc, logcat_present) = match bundle.open_file(LOGCAT_FILE) {
        Ok(Some((f, _))) => {
            let r = tracing::info_span!("logcat")
                .in_scope(|| logcat::run(&input, &rules, f, &mut sink))
                .map_err(|source| AnalyzeError::Read {
                    file: LOGCAT_FILE.to_string(),
                    source,
                })?;
            (r, true)
        }
        Ok(None) => (
            LogcatResult {
                uid: meta.app.uid,
                ..Default::default()
            },
            false,
        ),
        // Only with --allow-modified: the entry is reported, never read.
        Err(e @ prior_model::bundle::BundleError::NotRegular { .. }) => {
            logcat_unreadable = Some(format!("failed to {e}"));
            (
                LogcatResult {
                    uid: meta.app.uid,
                    ..Default::default()
                },
                false,
            )
        }
        Err(e) => return Err(AnalyzeError::Bundle(e)),
    };
    if let Some(why) = &logcat_unreadable {
        incomplete.push(format!(
            "{LOGCAT_FILE} was not read ({why}): no logcat signal, marker or process line could be checked"
        ));
    } else if !logcat_present {
        incomplete.push(format!(
            "{LOGCAT_FILE} is missing: no logcat signal, marker or process line could be checked"
        ));
    }
    if let Some(n) = lc.stats.cut_last_line {
        incomplete.push(format!(
            "{LOGCAT_FILE} was cut off mid-line at line {n}; that line was dropped"
        ));
    }
    if lc.uid.is_none() {
        incomplete.push(format!(
            "the app's uid is unknown (not in meta.json, and no process-start line for {package} in logcat): \
             lines that name the app only by uid could not be attributed{}",
            if lc.unattributed > 0 { format!(" ({} such lines)", lc.unattributed) } else { String::new() }
        ));
    }
    if lc.pending_dropped > 0 {
        incomplete.push(format!(
            "{} logcat matches arrived before the app's uid was known and could not be held for attribution",
            lc.pending_dropped
        ));
    }

    // app-ops and IPC
    let ao = tracing::info_span!("appops").in_scope(|| {
        appops::run(
            bundle,
            catalog,
            package,
            utc_offset_s,
            default_year,
            &snapshots,
            &mut sink,
        )
    })?;
    let ip = tracing::info_span!("ipc")
        .in_scope(|| ipc::run(bundle, catalog, package, &dumps, &mut sink))?;
    for f in ao.missing.iter().chain(&ip.missing) {
        incomplete.push(format!("{f}, named by {HARNESS_FILE}, is missing"));
    }
    for n in ao.notes.iter().chain(&ip.notes) {
        incomplete.push(n.clone());
    }

    // Network capture (device-wide; host clock mapped to the device clock).
    let nt = tracing::info_span!("net")
        .in_scope(|| net::run(bundle, catalog, meta.device.clock_offset_us, &mut sink))?;
    if let Some(e) = &nt.error {
        incomplete.push(format!(
            "{NET_FILE}: failed to {e}; only the {} packets before that point were analysed for tracker contacts",
            nt.packets
        ));
    }
    if nt.dropped_trackers > 0 {
        incomplete.push(format!(
            "{NET_FILE}: more than {} network events for tracker hosts: {} later ones were not kept, so the \
             event counts of tracker findings may be low",
            net::MAX_NET_EVENTS,
            nt.dropped_trackers
        ));
    }

    // Consent and the harness's own observations.
    let (consent, consent_note) = tracing::info_span!("consent")
        .in_scope(|| consent::boundary(&bundle.harness, &lines, &lc.markers, lc.max_time));
    incomplete.extend(consent_note);
    let mut ui_records = 0u64;
    let mut prompts = 0u64;
    let mut launch_us: Option<Micros> = None;
    let mut missing_consent = None;
    for e in &bundle.harness {
        let evidence = || lines.evidence(e.seq);
        let event = |source, kind, timing, api: Option<&str>, detail: String| Event {
            source,
            kind,
            category: None,
            timing,
            api: api.map(str::to_string),
            outcome: None,
            pid: None,
            uid: None,
            actor: None,
            detail,
            evidence: evidence(),
        };
        match &e.record {
            HarnessRecord::Launch {
                device_us: Some(t),
                component,
            } => {
                launch_us = launch_us.or(Some(*t));
                sink.push(event(
                    Source::Harness,
                    EventKind::Marker,
                    Timing::instant(*t),
                    None,
                    format!("launch of {component}"),
                ));
            }
            HarnessRecord::ConsentShown { device_us, ui_file } => {
                ui_records += 1;
                sink.push(event(
                    Source::Ui,
                    EventKind::ConsentShown,
                    Timing::instant(*device_us),
                    None,
                    format!("consent screen on screen ({ui_file})"),
                ));
            }
            HarnessRecord::PermissionPrompt {
                device_us,
                ui_file,
                text,
            } => {
                ui_records += 1;
                prompts += 1;
                sink.push(event(
                    Source::Ui,
                    EventKind::PermissionPrompt,
                    Timing::instant(*device_us),
                    Some("GrantPermissionsActivity"),
                    format!(
                        "runtime-permission dialog on screen ({ui_file}){}",
                        text.as_deref()
                            .map(|t| format!(": {t:?}"))
                            .unwrap_or_default()
                    ),
                ));
            }
            HarnessRecord::UiDump { .. } => ui_records += 1,
            HarnessRecord::ConsentMissing { timeout_ms } => {
                // The recorder watched the screen and saw no consent screen: an observation.
                ui_records += 1;
                missing_consent = Some((*timeout_ms, e.seq, e.host_us));
            }
            _ => {}
        }
    }
    if let Some(Timing::Window { from_us, to_us }) = consent.answered {
        let kind = match consent.outcome {
            ConsentOutcome::Rejected => EventKind::ConsentRejected,
            _ => EventKind::ConsentAccepted,
        };
        let evidence = consent
            .evidence
            .last()
            .cloned()
            .unwrap_or_else(|| lines.evidence(0));
        sink.push(Event {
            source: Source::Harness,
            kind,
            category: None,
            timing: Timing::window(from_us, to_us),
            api: None,
            outcome: None,
            pid: None,
            uid: None,
            actor: None,
            detail: format!(
                "consent {} ({:?})",
                if kind == EventKind::ConsentRejected {
                    "rejected"
                } else {
                    "accepted"
                },
                consent.method
            ),
            evidence,
        });
    }
    if sink.dropped > 0 {
        incomplete.push(format!(
            "more than {MAX_EVENTS} events: {} later ones were not kept, so findings may lack some of them",
            sink.dropped
        ));
    }

    let mut events = std::mem::take(&mut sink.events);
    // A capture is device-wide and an emulator's starts at boot: traffic before the app was
    // launched is the system's, not the app's (an app cannot run before its first launch).
    // It stays on the timeline, outside every phase, so no rule counts it.
    let pre_launch = |e: &Event| {
        e.kind == EventKind::NetworkContact && launch_us.is_some_and(|l| e.timing.latest() < l)
    };
    for e in events.iter_mut().filter(|e| pre_launch(e)) {
        e.detail
            .push_str(" (before the app's launch: device traffic, not counted)");
    }
    crate::attribution::attribute_events(&mut events, package);
    events.sort_by(|a, b| event_key(a).cmp(&event_key(b)));
    let boundary = consent.boundary();
    let phases: Vec<Option<Phase>> = events
        .iter()
        .map(|e| (consent.placed && !pre_launch(e)).then(|| boundary.phase_of(&e.timing)))
        .collect();

    let missing = missing_consent.map(|(timeout_ms, seq, host_us)| {
        let at = launch_us
            .or_else(|| events.first().map(|e| e.timing.earliest()))
            .unwrap_or(host_us + meta.device.clock_offset_us.unwrap_or(0));
        MissingConsent {
            timeout_ms,
            evidence: lines.evidence(seq),
            timing: Timing::instant(at),
        }
    });
    let rules_span = tracing::info_span!("rules").entered();
    let findings = rules::apply(&RuleInput {
        events: &events,
        phases: &phases,
        consent: &consent,
        missing,
        profile,
        catalog,
        package,
    });
    drop(rules_span);
    // Intercepted traffic (issue 18): transmissions join the accesses they prove.
    let (findings, ht) = crate::transmission::run(
        bundle,
        &crate::transmission::HttpInput {
            catalog,
            profile,
            consent: &consent,
            package,
            clock_offset_us: meta.device.clock_offset_us,
            launch_us,
        },
        findings,
    )?;

    // What was checked.
    let count_access = |source: Source| {
        events
            .iter()
            .filter(|e| e.source == source && e.kind == EventKind::DataAccess)
            .count() as u64
    };
    let mut sources = Vec::new();
    let mut logcat_state = State::analysed();
    if let Some(why) = &logcat_unreadable {
        logcat_state = logcat_state.and(State::new(
            SourceStatus::Failed,
            CoverageReason::Unreadable,
            why.clone(),
        ));
    } else if !logcat_present {
        logcat_state = logcat_state.and(State::new(
            SourceStatus::Failed,
            CoverageReason::FilesMissing,
            format!("{LOGCAT_FILE} is missing"),
        ));
    }
    if let Some(n) = lc.stats.cut_last_line {
        logcat_state = logcat_state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::CutOff,
            format!("{LOGCAT_FILE} was cut off mid-line at line {n}"),
        ));
    }
    let mut logcat_note = vec![format!("{} candidate lines parsed", lc.stats.candidates)];
    if lc.untimed > 0 {
        let t = format!(
            "{} matching lines had no device-clock time and were not placed",
            lc.untimed
        );
        logcat_state = logcat_state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unplaced,
            t.clone(),
        ));
        logcat_note.push(t);
    }
    if lc.stats.overlong > 0 {
        let t = format!(
            "{} over-long lines were searched only in their first MiB",
            lc.stats.overlong
        );
        logcat_state = logcat_state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unplaced,
            t.clone(),
        ));
        logcat_note.push(t);
    }
    if lc.pending_dropped > 0 {
        logcat_state = logcat_state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unplaced,
            format!(
                "{} matches arrived before the app's uid was known and were not kept",
                lc.pending_dropped
            ),
        ));
    }
    sources.push((
        logcat_state,
        SourceCheck {
            source: Source::Logcat,
            status: SourceStatus::Analysed,
            reason: None,
            detail: None,
            required: false,
            files: if logcat_present {
                vec![LOGCAT_FILE.to_string()]
            } else {
                Vec::new()
            },
            items: lc.stats.lines,
            events: lc.access_events,
            note: Some(logcat_note.join("; ")),
        },
    ));
    sources.push((
        appops_state(&snapshots, &ao),
        SourceCheck {
            source: Source::Appops,
            status: SourceStatus::Analysed,
            reason: None,
            detail: None,
            required: false,
            files: sorted(ao.files.clone()),
            items: ao.entries,
            events: count_access(Source::Appops),
            note: (ao.baseline_entries > 0).then(|| {
                format!(
                    "{} entries already in the baseline snapshot were left out",
                    ao.baseline_entries
                )
            }),
        },
    ));
    sources.push((
        ipc_state(meta, &dumps, &ip),
        SourceCheck {
            source: Source::Ipc,
            status: SourceStatus::Analysed,
            reason: None,
            detail: None,
            required: false,
            files: sorted(ip.files.clone()),
            items: ip.traces,
            events: count_access(Source::Ipc),
            note: None,
        },
    ));
    sources.push((
        if ui_records > 0 {
            State::analysed()
        } else {
            State::new(
                SourceStatus::Unavailable,
                CoverageReason::NotStarted,
                "no UI observation (UI dump, consent screen, permission dialog, missing consent \
                 screen) in the bundle",
            )
        },
        SourceCheck {
            source: Source::Ui,
            status: SourceStatus::Analysed,
            reason: None,
            detail: None,
            required: false,
            files: Vec::new(),
            items: ui_records,
            events: prompts,
            note: Some("UI observations are read from harness records".to_string()),
        },
    ));
    sources.push(net_check(&nt));
    sources.push(crate::transmission::http_check(&ht));
    // The recorder's own word on each collector, then the profile's requirement.
    let mut sources: Vec<SourceCheck> = sources
        .into_iter()
        .map(|(mut state, mut check)| {
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
    // Without harness.jsonl there is nothing analysed to list: the harness failed.
    sources.push(if bundle.harness_present {
        SourceCheck {
            source: Source::Harness,
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
            source: Source::Harness,
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
        incomplete.push(s.incomplete_sentence(&profile.name));
    }
    let categories = DataCategory::ALL
        .into_iter()
        .map(|c| {
            let (a, b, l) = catalog.signal_counts(c);
            let mut counts = [0u64; 3];
            for (e, p) in events.iter().zip(&phases) {
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
        .collect();

    let mut summary = Summary {
        findings: findings.len() as u64,
        data_access_events: events
            .iter()
            .filter(|e| e.kind == EventKind::DataAccess)
            .count() as u64
            + sink.dropped,
        ..Summary::default()
    };
    for f in &findings {
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

    let manifest_sha256 = if integ.manifest_present {
        bundle.sha256_of(MANIFEST_FILE)?
    } else {
        None
    };
    let timeline_total = events.len() as u64 + sink.dropped;
    let timeline = events
        .into_iter()
        .zip(phases)
        .take(opts.timeline_limit)
        .map(|(event, phase)| TimelineEntry {
            phase: phase.unwrap_or(Phase::BeforeConsent),
            event,
        })
        .collect();

    Ok(Report {
        report_format: REPORT_FORMAT,
        analyzer: ToolVersion {
            name: "prior-analyze".into(),
            version: ANALYZER_VERSION.into(),
        },
        verdict,
        summary,
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
            package: package.to_string(),
            version_name: meta.app.version_name.clone(),
            version_code: meta.app.version_code.clone(),
            apk_sha256: meta.app.apk_sha256.clone(),
            uid: lc.uid,
            uid_source: lc
                .uid
                .map(|_| if lc.uid_from_logcat { "logcat" } else { "meta" }.to_string()),
            pids: lc.pids.into_iter().collect(),
        },
        device: DeviceFacts {
            serial: meta.device.serial.clone(),
            model: meta.device.model.clone(),
            api_level: meta.device.api_level,
            fingerprint: meta.device.fingerprint.clone(),
            timezone: meta.device.timezone.clone(),
            utc_offset_s,
            emulator: meta.device.emulator,
            simulated: meta.device.simulated,
        },
        profile: ProfileFacts {
            name: profile.name.clone(),
            title: profile.title.clone(),
            origin: origin_word(&profile.origin),
            file: match &profile.origin {
                Origin::File(f) => Some(f.clone()),
                Origin::Builtin => None,
            },
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
        consent,
        findings,
        checked: Checked {
            sources,
            categories,
        },
        integrity: IntegrityReport {
            manifest_present: integ.manifest_present,
            intact: integ.is_intact(),
            modified: integ.modified.clone(),
            missing: integ.missing.clone(),
            unlisted: integ.unlisted.clone(),
            irregular: integ.irregular.clone(),
            implausible: integ.implausible.clone(),
            analysed_despite_mismatch: mismatch,
        },
        incomplete,
        timeline,
        timeline_total,
        transmission: ht.report,
    })
}

type EventKey<'a> = (
    Micros,
    Micros,
    Source,
    &'a str,
    u64,
    EventKind,
    Option<&'a str>,
    &'a str,
);

fn event_key(e: &Event) -> EventKey<'_> {
    (
        e.timing.earliest(),
        e.timing.latest(),
        e.source,
        e.evidence.file.as_str(),
        e.evidence.line,
        e.kind,
        e.api.as_deref(),
        e.detail.as_str(),
    )
}

/// The app-op snapshots' state: named, present, readable, a dump rather than an error reply,
/// and at least one taken after the launch (the baseline alone shows nothing of the session).
fn appops_state(snapshots: &[appops::SnapshotRef], ao: &appops::AppopsResult) -> State {
    if snapshots.is_empty() {
        return State::new(
            SourceStatus::Unavailable,
            CoverageReason::NotStarted,
            format!("no app-ops snapshot is named by {HARNESS_FILE}"),
        );
    }
    let mut state = State::analysed();
    let bad = |f: &str| {
        ao.missing.iter().any(|m| m == f)
            || ao.refused.iter().any(|(r, _)| r == f)
            || ao.empty.iter().any(|e| e == f)
            || !ao.files.iter().any(|r| r == f)
    };
    let usable_after = snapshots
        .iter()
        .filter(|s| s.label != appops::BASELINE_LABEL && !bad(&s.file))
        .count();
    // Anything wrong with a snapshot leaves a gap: partial while a usable snapshot after the
    // launch remains, failed when none does.
    let gap = if usable_after > 0 {
        SourceStatus::Partial
    } else {
        SourceStatus::Failed
    };
    for (file, reply) in &ao.refused {
        state = state.and(State::new(
            gap,
            CoverageReason::CommandRefused,
            format!("{file} holds the device's error reply {reply:?} instead of a dump"),
        ));
    }
    for file in &ao.empty {
        state = state.and(State::new(
            gap,
            CoverageReason::NoOutput,
            format!("{file} is empty"),
        ));
    }
    for file in &ao.missing {
        state = state.and(State::new(
            gap,
            CoverageReason::FilesMissing,
            format!("{file}, named by {HARNESS_FILE}, is missing"),
        ));
    }
    for note in &ao.notes {
        state = state.and(State::new(gap, CoverageReason::Unreadable, note.clone()));
    }
    if usable_after == 0 && state.status == SourceStatus::Analysed {
        state = State::new(
            SourceStatus::Unavailable,
            CoverageReason::NotStarted,
            "only the baseline snapshot (before the launch) was recorded: no app-op access of \
             the session could be seen",
        );
    }
    state
}

/// The IPC dumps' state: the device and app facts first (a user build with a release app
/// cannot be traced), then the dumps: named, present, readable, and holding a section for
/// the app's processes (docs/device-behaviour.md (a): a process that was not traced has no
/// section, and a dump where no process was traced is empty).
fn ipc_state(
    meta: &prior_model::bundle::Meta,
    dumps: &[ipc::DumpRef],
    ip: &ipc::IpcResult,
) -> State {
    let mut state = State::analysed();
    // A dump that shows the app's processes proves they were traced, whatever meta.json says.
    if ip.traced == 0
        && let Some(why) = coverage::ipc_not_traceable(meta)
    {
        state = state.and(State::new(
            SourceStatus::Unavailable,
            CoverageReason::UserBuild,
            why,
        ));
    }
    if dumps.is_empty() {
        return state.and(State::new(
            SourceStatus::Unavailable,
            CoverageReason::NotStarted,
            format!("no am trace-ipc dump is named by {HARNESS_FILE}"),
        ));
    }
    let gap = if ip.traced > 0 {
        SourceStatus::Partial
    } else {
        SourceStatus::Failed
    };
    for file in &ip.missing {
        state = state.and(State::new(
            gap,
            CoverageReason::FilesMissing,
            format!("{file}, named by {HARNESS_FILE}, is missing"),
        ));
    }
    for note in &ip.notes {
        state = state.and(State::new(gap, CoverageReason::Unreadable, note.clone()));
    }
    if !ip.untraced.is_empty() {
        let files: Vec<String> = ip
            .untraced
            .iter()
            .map(|(f, empty)| {
                if *empty {
                    format!("{f} (empty)")
                } else {
                    f.clone()
                }
            })
            .collect();
        state = state.and(State::new(
            if ip.traced > 0 {
                SourceStatus::Partial
            } else {
                SourceStatus::Unavailable
            },
            CoverageReason::NoOutput,
            format!(
                "no section for the app's processes in {}: they were not traced (am trace-ipc \
                 skips processes that are not debuggable on a user build), which is not the \
                 same as making no binder call",
                files.join(", ")
            ),
        ));
    }
    state
}

/// The `net` line of `checked.sources` and its state: items are packets, events the
/// tracker-host events.
fn net_check(nt: &net::NetResult) -> (State, SourceCheck) {
    if !nt.present {
        return (
            State::new(
                SourceStatus::Unavailable,
                CoverageReason::NotStarted,
                format!("no {NET_FILE} in the bundle: tracker contacts were not checked"),
            ),
            SourceCheck {
                source: Source::Net,
                status: SourceStatus::Unavailable,
                reason: None,
                detail: None,
                required: false,
                files: Vec::new(),
                items: 0,
                events: 0,
                note: None,
            },
        );
    }
    if let Some(why) = &nt.unreadable {
        let t = format!("not read: failed to {why}");
        return (
            State::new(SourceStatus::Failed, CoverageReason::Unreadable, t.clone()),
            SourceCheck {
                source: Source::Net,
                status: SourceStatus::Failed,
                reason: None,
                detail: None,
                required: false,
                files: vec![NET_FILE.to_string()],
                items: 0,
                events: 0,
                note: Some(t),
            },
        );
    }
    let mut state = State::analysed();
    if !nt.unsupported_links.is_empty() {
        let links: Vec<String> = nt
            .unsupported_links
            .iter()
            .map(|(code, n)| format!("unsupported link type {code} ({n} packets)"))
            .collect();
        let t = format!(
            "{}: Prior cannot decode {} and found no host names in them",
            links.join(", "),
            if nt.unsupported_links.len() == 1 {
                "that link layer"
            } else {
                "those link layers"
            }
        );
        // Nothing decodable at all: the capture was not analysed, whatever its packet count.
        state = state.and(State::new(
            if nt.supported_packets == 0 {
                SourceStatus::Failed
            } else {
                SourceStatus::Partial
            },
            CoverageReason::Unreadable,
            t,
        ));
    }
    let mut note = vec![format!(
        "{} host names (DNS, TLS SNI, HTTP Host), {} of them to tracker hosts",
        nt.records,
        nt.tracker_events + nt.dropped_trackers
    )];
    note.push(match nt.offset_us {
        Some(o) => format!(
            "capture times placed on the device clock with meta.device.clock_offset_us ({o:+} µs)"
        ),
        None => "meta.json has no device clock offset: capture times were taken as device times"
            .to_string(),
    });
    note.push("the capture is device-wide: hosts are not tied to the app's uid".to_string());
    if nt.untimed > 0 {
        let t = format!(
            "{} host names had no capture time and were not placed",
            nt.untimed
        );
        state = state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unplaced,
            t.clone(),
        ));
        note.push(t);
    }
    let dropped = nt.dropped_trackers + nt.dropped_others;
    if dropped > 0 {
        let t = format!(
            "{dropped} later host names were not kept as events ({} per kind of host at most)",
            net::MAX_NET_EVENTS
        );
        state = state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unplaced,
            t.clone(),
        ));
        note.push(t);
    }
    if let Some(e) = &nt.error {
        let t = format!("reading stopped early: failed to {e}");
        state = state.and(State::new(
            if nt.packets > 0 {
                SourceStatus::Partial
            } else {
                SourceStatus::Failed
            },
            CoverageReason::CutOff,
            t.clone(),
        ));
        note.push(t);
    }
    (
        state,
        SourceCheck {
            source: Source::Net,
            status: SourceStatus::Analysed,
            reason: None,
            detail: None,
            required: false,
            files: vec![NET_FILE.to_string()],
            items: nt.packets,
            events: nt.tracker_events,
            note: Some(note.join("; ")),
        },
    )
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn origin_word(o: &Origin) -> String {
    match o {
        Origin::Builtin => "builtin".into(),
        Origin::File(_) => "file".into(),
    }
}

/// The UTC year of a µs timestamp (for logcat layouts without a year).
fn year_of(us: i64) -> i32 {
    format_micros_utc(us)
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(1970)
}
