//! Applying a profile: placed events → findings.
//!
//! Events of the same rule, category, api and actor (kind and name: see
//! [`crate::attribution`]) are grouped into one finding that carries every piece of evidence
//! (earliest first, capped at [`MAX_EVIDENCE`]), so findings split by who collected the data.

use crate::catalog::Catalog;
use crate::profile::{Profile, RuleId};
use crate::report::{ConsentReport, MAX_EVIDENCE, OutcomeCounts, ReportFinding};
use prior_model::{
    ActorKind, ConsentOutcome, DataCategory, Event, EventKind, Evidence, Outcome, Phase, Source,
    Timing,
};
use std::collections::{BTreeMap, BTreeSet};

/// The harness said no consent screen appeared.
pub(crate) struct MissingConsent {
    pub timeout_ms: u64,
    pub evidence: Evidence,
    pub timing: Timing,
}

/// Everything the rules look at.
pub(crate) struct RuleInput<'a> {
    pub events: &'a [Event],
    /// Phase of each event (`None` when the boundary could not be placed).
    pub phases: &'a [Option<Phase>],
    pub consent: &'a ConsentReport,
    pub missing: Option<MissingConsent>,
    pub profile: &'a Profile,
    pub catalog: &'a Catalog,
    pub package: &'a str,
}

type Key = (
    RuleId,
    Option<DataCategory>,
    Option<String>,
    Option<(ActorKind, String)>,
);

/// Runs every rule; findings come out sorted (phase, earliest time, rule, category, api).
pub(crate) fn apply(input: &RuleInput<'_>) -> Vec<ReportFinding> {
    let mut groups: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    let rejected = input.consent.outcome == ConsentOutcome::Rejected;
    for (i, (ev, phase)) in input.events.iter().zip(input.phases).enumerate() {
        let Some(phase) = *phase else { continue };
        let rule = match (ev.kind, phase) {
            (EventKind::DataAccess, Phase::BeforeConsent) => RuleId::PreConsentAccess,
            (EventKind::DataAccess, Phase::AtConsent) => RuleId::AtConsentAccess,
            (EventKind::DataAccess, Phase::AfterConsent) if rejected => RuleId::AccessAfterReject,
            (EventKind::PermissionPrompt, Phase::BeforeConsent) => {
                RuleId::PermissionPromptBeforeConsent
            }
            (EventKind::NetworkContact, Phase::BeforeConsent) => {
                let tracked = ev
                    .api
                    .as_deref()
                    .and_then(|a| a.strip_prefix("host:"))
                    .and_then(|h| input.catalog.tracker_of_host(h));
                if tracked.is_none() {
                    continue;
                }
                RuleId::TrackerContactBeforeConsent
            }
            _ => continue,
        };
        let Some(cfg) = input.profile.rule(rule) else {
            continue;
        };
        if ev.outcome == Some(Outcome::Denied) && !cfg.count_denied {
            continue;
        }
        groups
            .entry((
                rule,
                ev.category,
                ev.api.clone(),
                ev.actor.as_ref().map(|a| (a.kind, a.name.clone())),
            ))
            .or_default()
            .push(i);
    }

    let mut findings = Vec::new();
    if let (Some(m), Some(cfg)) = (&input.missing, input.profile.rule(RuleId::NoConsentScreen))
        && let Some(severity) = cfg.severity_for(None, false)
    {
        findings.push(ReportFinding {
            rule: RuleId::NoConsentScreen.as_str().to_string(),
            severity,
            category: None,
            phase: Phase::BeforeConsent,
            source: Source::Harness,
            timing: m.timing,
            api: None,
            actor: None,
            message: format!(
                "No consent screen appeared within {} s of the launch: the app never asked for consent, so every \
                 access in this session happened without it.",
                m.timeout_ms.div_ceil(1000)
            ),
            events: 1,
            outcomes: OutcomeCounts::default(),
            evidence: vec![m.evidence.clone()],
            evidence_omitted: 0,
        });
    }

    for ((rule, category, api, _actor), idx) in groups {
        let Some(cfg) = input.profile.rule(rule) else {
            continue;
        };
        let evs: Vec<&Event> = idx.iter().map(|&i| &input.events[i]).collect();
        let mut outcomes = OutcomeCounts::default();
        for e in &evs {
            match e.outcome.unwrap_or(Outcome::Unknown) {
                Outcome::Granted => outcomes.granted += 1,
                Outcome::Denied => outcomes.denied += 1,
                Outcome::Unknown => outcomes.unknown += 1,
            }
        }
        let all_denied = outcomes.denied == evs.len() as u64;
        let Some(severity) = cfg.severity_for(category, all_denied) else {
            continue;
        };
        // Events are sorted by time already; the first is the earliest.
        let first = evs[0];
        let phase = input.phases[idx[0]].unwrap_or(Phase::BeforeConsent);
        let actor = evs.iter().find_map(|e| e.actor.clone());
        let mut evidence: Vec<Evidence> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut distinct = 0u64;
        for e in &evs {
            if seen.insert((e.evidence.file.as_str(), e.evidence.line)) {
                distinct += 1;
                if evidence.len() < MAX_EVIDENCE {
                    evidence.push(e.evidence.clone());
                }
            }
        }
        let omitted = distinct - evidence.len() as u64;
        let message = message(rule, category, api.as_deref(), &outcomes, evs.len(), input);
        findings.push(ReportFinding {
            rule: rule.as_str().to_string(),
            severity,
            category,
            phase,
            source: first.source,
            timing: first.timing,
            api,
            actor,
            message,
            events: evs.len() as u64,
            outcomes,
            evidence,
            evidence_omitted: omitted,
        });
    }
    findings.sort_by(|a, b| {
        (
            a.phase,
            a.timing.earliest(),
            a.timing.latest(),
            &a.rule,
            a.category,
            &a.api,
        )
            .cmp(&(
                b.phase,
                b.timing.earliest(),
                b.timing.latest(),
                &b.rule,
                b.category,
                &b.api,
            ))
    });
    findings
}

fn message(
    rule: RuleId,
    category: Option<DataCategory>,
    api: Option<&str>,
    o: &OutcomeCounts,
    n: usize,
    input: &RuleInput<'_>,
) -> String {
    let what = category.map_or("personal data", |c| c.label());
    let via = api.map(|a| format!(" ({a})")).unwrap_or_default();
    let times = if n == 1 {
        "once".to_string()
    } else {
        format!("{n} times")
    };
    let (verb, outcome) = if o.denied as usize == n {
        (
            "tried to access",
            " The system refused every attempt; an attempt still counts.".to_string(),
        )
    } else if o.denied > 0 {
        (
            "accessed",
            format!(
                " {} of the {n} attempts were refused by the system; refused attempts count too.",
                o.denied
            ),
        )
    } else if o.unknown as usize == n {
        (
            "accessed",
            " The signal shows the access attempt, not whether data was returned.".to_string(),
        )
    } else {
        ("accessed", String::new())
    };
    let when = match input.consent.outcome {
        ConsentOutcome::Accepted | ConsentOutcome::Rejected => {
            "before the consent screen was answered"
        }
        ConsentOutcome::Unanswered => "while the consent screen was still unanswered",
        ConsentOutcome::NeverShown => "with no consent given at all",
    };
    match rule {
        RuleId::PreConsentAccess => format!(
            "{} {verb} {what}{via} {when}, {times}.{outcome}",
            input.package
        ),
        RuleId::AtConsentAccess => format!(
            "{} {verb} {what}{via} inside the consent tap window, {times}: it cannot be told whether this came just \
             before or just after the tap.{outcome}",
            input.package
        ),
        RuleId::AccessAfterReject => {
            format!(
                "{} {verb} {what}{via} after the user rejected consent, {times}.{outcome}",
                input.package
            )
        }
        RuleId::PermissionPromptBeforeConsent => format!(
            "{} showed a runtime-permission dialog{} {when} ({times}).",
            input.package,
            category
                .map(|c| format!(" for {}", c.label()))
                .unwrap_or_default()
        ),
        RuleId::TrackerContactBeforeConsent => {
            let host = api.and_then(|a| a.strip_prefix("host:")).unwrap_or("?");
            let tracker = input
                .catalog
                .tracker_of_host(host)
                .map_or("a tracker", |t| t.name.as_str());
            let records = if n == 1 {
                "1 network record".to_string()
            } else {
                format!("{n} network records")
            };
            format!(
                "The device contacted {host}, a host of {tracker}, {when} (seen in {records}: DNS lookups, TLS \
                 SNI or HTTP Host headers). The capture is device-wide, with no uid: the host, not the app's uid, \
                 ties this traffic to {tracker} while {} was under test.",
                input.package
            )
        }
        RuleId::NoConsentScreen => "No consent screen appeared.".to_string(),
    }
}
