//! The consent boundary on the device clock, from harness records and logcat markers
//! (`docs/bundle.md`, "The consent boundary").

use crate::report::{ConsentMethod, ConsentReport};
use crate::sources::harness::HarnessLines;
use prior_model::bundle::{ConsentAction, HarnessEntry, HarnessRecord};
use prior_model::{ConsentOutcome, Evidence, Micros, Timing};
use std::collections::BTreeMap;

/// The marker messages of the first `consent_tap` record, if any (to look for in logcat).
pub(crate) fn tap_markers(harness: &[HarnessEntry]) -> Option<(String, String)> {
    harness.iter().find_map(|e| match &e.record {
        HarnessRecord::ConsentTap {
            begin_marker,
            end_marker,
            ..
        } => Some((
            begin_marker.trim().to_string(),
            end_marker.trim().to_string(),
        )),
        _ => None,
    })
}

/// Establishes the boundary. `markers` are the logcat lines found per marker message;
/// `last_time` is the latest device time seen in logcat (closes a window whose end marker is
/// missing). Returns the report part and, when something is off, a reason the analysis is
/// incomplete.
pub(crate) fn boundary(
    harness: &[HarnessEntry],
    lines: &HarnessLines,
    markers: &BTreeMap<String, (Micros, Evidence)>,
    last_time: Option<Micros>,
) -> (ConsentReport, Option<String>) {
    let shown = harness.iter().find_map(|e| match &e.record {
        HarnessRecord::ConsentShown { device_us, .. } => Some((e.seq, *device_us)),
        _ => None,
    });
    let shown_us = shown.map(|(_, t)| t);
    let mut evidence: Vec<Evidence> = shown
        .map(|(seq, _)| lines.evidence(seq))
        .into_iter()
        .collect();
    let outcome_of = |a: ConsentAction| match a {
        ConsentAction::Accept => ConsentOutcome::Accepted,
        ConsentAction::Reject => ConsentOutcome::Rejected,
    };
    let report = |outcome, answered, method, placed, evidence: Vec<Evidence>| ConsentReport {
        outcome,
        shown_us,
        answered,
        method,
        placed,
        evidence,
    };

    for e in harness {
        match &e.record {
            HarnessRecord::ConsentTap {
                action,
                begin_marker,
                end_marker,
                ..
            } => {
                evidence.push(lines.evidence(e.seq));
                // The recorder saw the same consent screen still up after the tap: the app
                // ignored it, so the screen was never answered.
                if let Some(later) = harness.iter().find(|l| {
                    l.seq > e.seq
                        && matches!(&l.record, HarnessRecord::ConsentTapIneffective { action: a, .. } if a == action)
                }) {
                    evidence.push(lines.evidence(later.seq));
                    return (
                        report(
                            ConsentOutcome::Unanswered,
                            None,
                            ConsentMethod::TapIneffective,
                            true,
                            evidence,
                        ),
                        None,
                    );
                }
                let begin = markers.get(begin_marker.trim());
                let end = markers.get(end_marker.trim());
                let outcome = outcome_of(*action);
                for (_, ev) in [begin, end].into_iter().flatten() {
                    evidence.push(ev.clone());
                }
                return match (begin, end) {
                    (Some((b, _)), Some((en, _))) => (
                        report(
                            outcome,
                            Some(Timing::window(*b, *en)),
                            ConsentMethod::LogcatMarkers,
                            true,
                            evidence,
                        ),
                        None,
                    ),
                    (Some((b, _)), None) => {
                        let to = last_time.unwrap_or(*b).max(*b);
                        (
                            report(
                                outcome,
                                Some(Timing::window(*b, to)),
                                ConsentMethod::BeginMarkerOnly,
                                true,
                                evidence,
                            ),
                            Some(format!(
                                "the consent tap's end marker {end_marker:?} is not in raw/logcat.txt; the answer window was \
                                 taken to run from the begin marker to the end of the capture"
                            )),
                        )
                    }
                    _ => (
                        report(
                            outcome,
                            None,
                            ConsentMethod::MarkersNotFound,
                            false,
                            evidence,
                        ),
                        Some(format!(
                            "the consent tap's marker {begin_marker:?} is not in raw/logcat.txt, so the moment of consent \
                             is unknown; accesses were not placed before or after it"
                        )),
                    ),
                };
            }
            HarnessRecord::ConsentObserved {
                action,
                from_us,
                to_us,
            } => {
                evidence.push(lines.evidence(e.seq));
                return (
                    report(
                        outcome_of(*action),
                        Some(Timing::window(*from_us, *to_us)),
                        ConsentMethod::UiObservation,
                        true,
                        evidence,
                    ),
                    None,
                );
            }
            HarnessRecord::ConsentMissing { .. } => {
                evidence.push(lines.evidence(e.seq));
                return (
                    report(
                        ConsentOutcome::NeverShown,
                        None,
                        ConsentMethod::ConsentMissing,
                        true,
                        evidence,
                    ),
                    None,
                );
            }
            _ => {}
        }
    }
    if shown.is_some() {
        (
            report(
                ConsentOutcome::Unanswered,
                None,
                ConsentMethod::NotAnswered,
                true,
                evidence,
            ),
            None,
        )
    } else {
        (
            report(
                ConsentOutcome::NeverShown,
                None,
                ConsentMethod::NoRecord,
                true,
                evidence,
            ),
            None,
        )
    }
}
