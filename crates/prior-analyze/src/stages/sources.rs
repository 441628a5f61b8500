//! The source stages: each reads one collector's raw output into a [`SourceOutcome`] (events
//! into the sink). [`read_logcat`] runs first and also returns what the later stages need
//! from logcat (uid, pids, markers).

use super::{Ctx, Incomplete, SourceOutcome, count_accesses};
use crate::AnalyzeError;
use crate::coverage::{self, State};
use crate::report::{CoverageReason, SourceCheck, SourceStatus};
use crate::sources::logcat::{self, LOGCAT_FILE, LogcatInput, LogcatResult};
use crate::sources::net::{self, NET_FILE};
use crate::sources::{EventSink, appops, ipc};
use prior_model::Source;
use prior_model::bundle::HARNESS_FILE;

/// `raw/logcat.txt`: events, the app's uid and pids, the markers' lines.
pub(crate) fn read_logcat(
    ctx: &Ctx<'_>,
    sink: &mut EventSink,
) -> Result<(SourceOutcome, LogcatResult), AnalyzeError> {
    let (catalog, package, meta) = (ctx.inputs.catalog, ctx.package, ctx.meta);
    let rules = logcat::build_rules(catalog, package, &ctx.markers).map_err(|message| {
        AnalyzeError::Patterns {
            package: package.to_string(),
            message,
        }
    })?;
    let input = LogcatInput {
        catalog,
        package,
        meta_uid: meta.app.uid,
        default_year: ctx.default_year,
        utc_offset_s: ctx.utc_offset_s,
    };
    let mut unreadable = None;
    let (lc, present) = match ctx.bundle.open_file(LOGCAT_FILE) {
        Ok(Some((f, _))) => {
            let r = tracing::info_span!("logcat")
                .in_scope(|| logcat::run(&input, &rules, f, sink))
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
            unreadable = Some(format!("failed to {e}"));
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
    let mut incomplete = Vec::new();
    let mut state = State::analysed();
    if let Some(why) = &unreadable {
        incomplete.push(Incomplete::LogcatUnread { why: why.clone() });
        state = state.and(State::new(
            SourceStatus::Failed,
            CoverageReason::Unreadable,
            why.clone(),
        ));
    } else if !present {
        incomplete.push(Incomplete::LogcatMissing);
        state = state.and(State::new(
            SourceStatus::Failed,
            CoverageReason::FilesMissing,
            format!("{LOGCAT_FILE} is missing"),
        ));
    }
    if let Some(n) = lc.stats.cut_last_line {
        incomplete.push(Incomplete::LogcatCutOff { line: n });
        state = state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::CutOff,
            format!("{LOGCAT_FILE} was cut off mid-line at line {n}"),
        ));
    }
    if lc.uid.is_none() {
        incomplete.push(Incomplete::UidUnknown {
            package: package.to_string(),
            unattributed: lc.unattributed,
        });
    }
    if lc.pending_dropped > 0 {
        incomplete.push(Incomplete::UidPendingDropped {
            count: lc.pending_dropped,
        });
    }
    let mut note = vec![format!("{} candidate lines parsed", lc.stats.candidates)];
    if lc.untimed > 0 {
        let t = format!(
            "{} matching lines had no device-clock time and were not placed",
            lc.untimed
        );
        state = state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unplaced,
            t.clone(),
        ));
        note.push(t);
    }
    if lc.stats.overlong > 0 {
        let t = format!(
            "{} over-long lines were searched only in their first MiB",
            lc.stats.overlong
        );
        state = state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unplaced,
            t.clone(),
        ));
        note.push(t);
    }
    if lc.pending_dropped > 0 {
        state = state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unplaced,
            format!(
                "{} matches arrived before the app's uid was known and were not kept",
                lc.pending_dropped
            ),
        ));
    }
    let check = SourceCheck {
        source: Source::Logcat,
        status: SourceStatus::Analysed,
        reason: None,
        detail: None,
        required: false,
        files: if present {
            vec![LOGCAT_FILE.to_string()]
        } else {
            Vec::new()
        },
        items: lc.stats.lines,
        events: lc.access_events,
        note: Some(note.join("; ")),
    };
    Ok((
        SourceOutcome {
            state,
            check,
            incomplete,
        },
        lc,
    ))
}

/// The app-op snapshots the harness names, minus the baseline snapshot's entries.
pub(crate) fn read_appops(
    ctx: &Ctx<'_>,
    sink: &mut EventSink,
) -> Result<SourceOutcome, AnalyzeError> {
    let first = sink.events.len();
    let ao = tracing::info_span!("appops").in_scope(|| {
        appops::run(
            ctx.bundle,
            ctx.inputs.catalog,
            ctx.package,
            ctx.utc_offset_s,
            ctx.default_year,
            &ctx.snapshots,
            sink,
        )
    })?;
    let incomplete = named_files(&ao.missing, &ao.notes);
    Ok(SourceOutcome {
        state: appops_state(&ctx.snapshots, &ao),
        check: SourceCheck {
            source: Source::Appops,
            status: SourceStatus::Analysed,
            reason: None,
            detail: None,
            required: false,
            files: sorted(ao.files.clone()),
            items: ao.entries,
            events: count_accesses(&sink.events[first..], Source::Appops),
            note: (ao.baseline_entries > 0).then(|| {
                format!(
                    "{} entries already in the baseline snapshot were left out",
                    ao.baseline_entries
                )
            }),
        },
        incomplete,
    })
}

/// The `am trace-ipc` dumps the harness names; callers from the SDK catalogue of the inputs.
pub(crate) fn read_ipc(ctx: &Ctx<'_>, sink: &mut EventSink) -> Result<SourceOutcome, AnalyzeError> {
    let first = sink.events.len();
    let ip = tracing::info_span!("ipc").in_scope(|| {
        ipc::run(
            ctx.bundle,
            ctx.inputs.catalog,
            ctx.inputs.sdks,
            ctx.package,
            &ctx.dumps,
            sink,
        )
    })?;
    let incomplete = named_files(&ip.missing, &ip.notes);
    Ok(SourceOutcome {
        state: ipc_state(ctx.meta, &ctx.dumps, &ip),
        check: SourceCheck {
            source: Source::Ipc,
            status: SourceStatus::Analysed,
            reason: None,
            detail: None,
            required: false,
            files: sorted(ip.files.clone()),
            items: ip.traces,
            events: count_accesses(&sink.events[first..], Source::Ipc),
            note: None,
        },
        incomplete,
    })
}

/// The network capture (device-wide; host clock mapped to the device clock).
pub(crate) fn read_net(ctx: &Ctx<'_>, sink: &mut EventSink) -> Result<SourceOutcome, AnalyzeError> {
    let nt = tracing::info_span!("net").in_scope(|| {
        net::run(
            ctx.bundle,
            ctx.inputs.catalog,
            ctx.inputs.sdks,
            ctx.meta.device.clock_offset_us,
            sink,
        )
    })?;
    let mut incomplete = Vec::new();
    if let Some(e) = &nt.error {
        incomplete.push(Incomplete::NetCutOff {
            error: e.clone(),
            packets: nt.packets,
        });
    }
    if nt.dropped_trackers > 0 {
        incomplete.push(Incomplete::NetTrackersDropped {
            count: nt.dropped_trackers,
        });
    }
    let (state, check) = net_check(&nt);
    Ok(SourceOutcome {
        state,
        check,
        incomplete,
    })
}

/// Files named by the harness that are missing, then the notes of skipped ones.
fn named_files(missing: &[String], notes: &[String]) -> Vec<Incomplete> {
    missing
        .iter()
        .map(|f| Incomplete::NamedFileMissing { file: f.clone() })
        .chain(notes.iter().cloned().map(Incomplete::FileSkipped))
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
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
