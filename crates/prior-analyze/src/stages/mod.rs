//! The analysis as named stages, each a short function with its inputs passed explicitly.
//!
//! ```text
//! load ─► read sources ─► consent & UI ─► place ─► attribute ─► accesses & rules ─► coverage ─► report
//! (verify,  (logcat first,   (boundary,     (device   (SDK          (rules::apply)      (collector
//!  package,  then SOURCES:    harness        clock,    catalogue)                        records,
//!  harness)  appops, ipc,     events)        phases)                                     profile)
//!            net)
//! ```
//!
//! - [`load`]: verify the bundle against its manifest, name the app, read the harness log
//!   into a [`Ctx`] (what every source may read: bundle, [`AnalysisInputs`], harness refs).
//! - sources: [`sources::read_logcat`] first (its uid, pids and markers are needed by the
//!   consent stage), then every [`SourceFn`] of [`SOURCES`] in order. Each returns one
//!   [`SourceOutcome`]: its coverage [`State`], its line of `checked.sources` and its typed
//!   [`Incomplete`] reasons; its events go to the shared, capped [`EventSink`] (the cap of
//!   [`crate::sources::MAX_EVENTS`] holds across all sources, in source order).
//! - [`harness::consent_and_ui`]: the consent boundary and the harness's own observations
//!   (launch, consent screen, permission dialogs, missing consent screen).
//! - [`place`]: the events on the device clock, sorted, each with its phase.
//! - [`attribute`]: actors from the SDK catalogue of the inputs.
//! - [`findings`]: signals grouped into accesses and the profile's rules applied
//!   ([`crate::rules`]).
//! - [`assemble::coverage`], [`assemble::summary`]: what was checked, the counts, the verdict.
//! - [`expect::stage`]: the scenario's `expect:` block judged once (when asked for).
//! - [`assemble::report`]: the report.
//!
//! **Adding a source** (e.g. `raw/http.jsonl`): write a `fn(&Ctx, &mut EventSink) ->
//! Result<SourceOutcome, AnalyzeError>` that pushes its events into the sink, and append it to
//! [`SOURCES`]; a rule that reads its events goes in [`crate::rules::apply`]. Nothing else
//! changes: coverage, the collector records and the profile's `required_sources` are applied
//! to every outcome alike.

pub(crate) mod assemble;
pub(crate) mod expect;
pub(crate) mod harness;
pub(crate) mod incomplete;
pub(crate) mod sources;

use crate::analysis::{AnalysisInputs, AnalyzeOptions};
use crate::consent;
use crate::coverage::State;
use crate::report::{ConsentReport, ReportFinding, SourceCheck};
use crate::rules::{self, MissingConsent, RuleInput};
use crate::sources::harness::HarnessLines;
use crate::sources::{EventSink, appops, ipc};
use crate::{AnalyzeError, describe_problems};
pub(crate) use incomplete::Incomplete;
use prior_model::bundle::{Bundle, HarnessRecord, Meta};
use prior_model::{Event, EventKind, Micros, Phase, Signal, Source, format_micros_utc};

/// What every stage after [`load`] may read.
pub(crate) struct Ctx<'a> {
    pub bundle: &'a Bundle,
    pub meta: &'a Meta,
    pub inputs: &'a AnalysisInputs<'a>,
    /// The app (trimmed, never empty).
    pub package: &'a str,
    /// Year for logcat layouts without one.
    pub default_year: i32,
    /// Device UTC offset (s).
    pub utc_offset_s: i32,
    /// `harness.jsonl` line numbers, for evidence.
    pub lines: HarnessLines,
    /// App-op snapshots the harness names.
    pub snapshots: Vec<appops::SnapshotRef>,
    /// IPC dumps the harness names.
    pub dumps: Vec<ipc::DumpRef>,
    /// Marker messages to look for in logcat (the harness's, the consent tap's).
    pub markers: Vec<String>,
    /// The bundle does not match its manifest (analysed under `allow_modified`).
    pub mismatch: bool,
}

/// What one source contributed besides its events (they are in the sink).
#[derive(Debug)]
pub(crate) struct SourceOutcome {
    /// Its coverage state, before the recorder's `collector` records are applied.
    pub state: State,
    /// Its line of `checked.sources` (status and reason are filled in from `state`).
    pub check: SourceCheck,
    /// Why the analysis is incomplete because of it.
    pub incomplete: Vec<Incomplete>,
}

/// A source read after logcat.
pub(crate) type SourceFn = fn(&Ctx<'_>, &mut EventSink) -> Result<SourceOutcome, AnalyzeError>;

/// The sources read after logcat, in order (the order of `checked.sources` and of the event
/// cap). Append a new source here.
pub(crate) const SOURCES: &[SourceFn] =
    &[sources::read_appops, sources::read_ipc, sources::read_net];

/// Load and verify: the manifest check, the app, the harness refs.
pub(crate) fn load<'a>(
    bundle: &'a Bundle,
    inputs: &'a AnalysisInputs<'a>,
    opts: &AnalyzeOptions,
) -> Result<(Ctx<'a>, Vec<Incomplete>), AnalyzeError> {
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
    let mut incomplete: Vec<Incomplete> = bundle
        .incomplete
        .iter()
        .cloned()
        .map(Incomplete::Bundle)
        .collect();
    if mismatch {
        incomplete.push(Incomplete::Modified {
            problems: describe_problems(
                &integ.modified,
                &integ.missing,
                &integ.unlisted,
                &integ.irregular,
                &integ.implausible,
            ),
        });
    }
    let lines = HarnessLines::read(bundle)?;
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
    Ok((
        Ctx {
            bundle,
            meta,
            inputs,
            package,
            default_year: year_of(meta.started_host_us),
            utc_offset_s: meta.device.utc_offset_s,
            lines,
            snapshots,
            dumps,
            markers,
            mismatch,
        },
        incomplete,
    ))
}

/// The events on the device clock: network contacts before the app's launch are marked (a
/// capture is device-wide and an emulator's starts at boot: that traffic is the system's; it
/// stays on the timeline outside every phase, so no rule counts it), then sorted; each gets
/// its phase (`None` when the boundary could not be placed, or before the launch).
pub(crate) fn place(
    mut events: Vec<Event>,
    consent: &ConsentReport,
    launch_us: Option<Micros>,
) -> (Vec<Event>, Vec<Option<Phase>>) {
    let pre_launch = |e: &Event| {
        e.kind == EventKind::NetworkContact && launch_us.is_some_and(|l| e.timing.latest() < l)
    };
    for e in events.iter_mut().filter(|e| pre_launch(e)) {
        e.detail
            .push_str(" (before the app's launch: device traffic, not counted)");
    }
    events.sort_by(|a, b| event_key(a).cmp(&event_key(b)));
    let boundary = consent.boundary();
    let phases = events
        .iter()
        .map(|e| (consent.placed && !pre_launch(e)).then(|| boundary.phase_of(&e.timing)))
        .collect();
    (events, phases)
}

/// Actors of the events that have none, from the SDK catalogue of the inputs (sorting does
/// not depend on actors, so this may run before or after [`place`]).
pub(crate) fn attribute(ctx: &Ctx<'_>, events: &mut [Event]) {
    crate::attribution::attribute_events(events, ctx.inputs.sdks, ctx.package);
}

/// Signals grouped into accesses and the profile's rules applied.
pub(crate) fn findings(
    ctx: &Ctx<'_>,
    events: &[Event],
    phases: &[Option<Phase>],
    consent: &ConsentReport,
    missing: Option<MissingConsent>,
) -> Vec<ReportFinding> {
    let _span = tracing::info_span!("rules").entered();
    rules::apply(&RuleInput {
        events,
        phases,
        consent,
        missing,
        profile: ctx.inputs.profile,
        catalog: ctx.inputs.catalog,
        package: ctx.package,
    })
}

/// Kept for the source lists' count of access events of one source.
pub(crate) fn count_accesses(events: &[Event], source: Source) -> u64 {
    events
        .iter()
        .filter(|e| e.source == source && e.kind == EventKind::DataAccess)
        .count() as u64
}

type EventKey<'a> = (
    Micros,
    Micros,
    Source,
    &'a str,
    u64,
    EventKind,
    Option<&'a Signal>,
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
        e.api.as_ref(),
        e.detail.as_str(),
    )
}

/// The UTC year of a µs timestamp (for logcat layouts without a year).
fn year_of(us: i64) -> i32 {
    format_micros_utc(us)
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(1970)
}

#[cfg(test)]
mod tests;
