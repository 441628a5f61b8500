//! The consent stage: the consent boundary (from harness records and the logcat markers) and
//! the harness's own observations as events and as the `ui` source.

use super::{Ctx, Incomplete, SourceOutcome};
use crate::consent;
use crate::coverage::State;
use crate::report::{ConsentReport, CoverageReason, SourceCheck, SourceStatus};
use crate::rules::MissingConsent;
use crate::sources::EventSink;
use crate::sources::logcat::LogcatResult;
use prior_model::bundle::HarnessRecord;
use prior_model::{ConsentOutcome, Event, EventKind, Micros, Source, Timing};

/// What the consent stage found.
pub(crate) struct ConsentStage {
    pub consent: ConsentReport,
    /// The `ui` source.
    pub ui: SourceOutcome,
    /// Device time of the app's first launch.
    pub launch_us: Option<Micros>,
    /// The recorder watched and saw no consent screen: (timeout ms, harness seq, host µs).
    missing: Option<(u64, u64, Micros)>,
}

impl ConsentStage {
    /// The missing-consent observation, placed at the launch (else the first event, else the
    /// record's host time on the device clock).
    pub fn missing_consent(&self, ctx: &Ctx<'_>, events: &[Event]) -> Option<MissingConsent> {
        self.missing.map(|(timeout_ms, seq, host_us)| {
            let at = self
                .launch_us
                .or_else(|| events.first().map(|e| e.timing.earliest()))
                .unwrap_or(host_us + ctx.meta.device.clock_offset_us.unwrap_or(0));
            MissingConsent {
                timeout_ms,
                evidence: ctx.lines.evidence(seq),
                timing: Timing::instant(at),
            }
        })
    }
}

/// Establishes the consent boundary and pushes the harness's events (launch, consent screen,
/// permission dialogs, the consent answer).
pub(crate) fn consent_and_ui(
    ctx: &Ctx<'_>,
    lc: &LogcatResult,
    sink: &mut EventSink,
) -> ConsentStage {
    let harness = &ctx.bundle.harness;
    let lines = &ctx.lines;
    let (consent, consent_note) = tracing::info_span!("consent")
        .in_scope(|| consent::boundary(harness, lines, &lc.markers, lc.max_time));
    let mut ui_records = 0u64;
    let mut prompts = 0u64;
    let mut launch_us: Option<Micros> = None;
    let mut missing = None;
    for e in harness {
        let evidence = || lines.evidence(e.seq);
        let event = |source, kind, timing, api: Option<&str>, detail: String| Event {
            source,
            kind,
            category: None,
            timing,
            api: api.map(|a| prior_model::Signal::Api(a.to_string())),
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
                missing = Some((*timeout_ms, e.seq, e.host_us));
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
    let ui = SourceOutcome {
        state: if ui_records > 0 {
            State::analysed()
        } else {
            State::new(
                SourceStatus::Unavailable,
                CoverageReason::NotStarted,
                "no UI observation (UI dump, consent screen, permission dialog, missing consent \
                 screen) in the bundle",
            )
        },
        check: SourceCheck {
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
        incomplete: consent_note.into_iter().map(Incomplete::Consent).collect(),
    };
    ConsentStage {
        consent,
        ui,
        launch_us,
        missing,
    }
}
