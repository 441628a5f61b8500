//! Applying a profile: placed events → findings.
//!
//! Events of the same rule, category, api and actor (kind and name: see
//! [`crate::attribution`]) are grouped into one finding that carries every piece of evidence
//! (earliest first, capped at [`MAX_EVIDENCE`]), so findings split by who collected the data.

use crate::catalog::Catalog;
use crate::profile::{Profile, RuleId};
use crate::report::{ConsentReport, MAX_EVIDENCE, OutcomeCounts, ReportFinding};
use prior_model::{
    ActorKind, ConsentOutcome, DataCategory, Event, EventKind, Evidence, Micros, Outcome, Phase,
    Signal, Source, Timing,
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
    Option<Signal>,
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
            (EventKind::NetworkContact, Phase::BeforeConsent | Phase::AfterConsent) => {
                let tracked = ev
                    .api
                    .as_ref()
                    .and_then(Signal::host)
                    .and_then(|h| input.catalog.tracker_of_host(h));
                match (tracked, phase) {
                    (None, _) => continue,
                    (Some(_), Phase::BeforeConsent) => RuleId::TrackerContactBeforeConsent,
                    (Some(_), _) if rejected => RuleId::TrackerContactAfterReject,
                    (Some(_), _) => continue,
                }
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
    let mut spans = Vec::new();
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
            seen_by: vec![Source::Harness],
            signals: 1,
        });
        spans.push((m.timing.earliest(), m.timing.latest()));
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
        let message = message(rule, category, api.as_ref(), &outcomes, evs.len(), input);
        let seen_by: BTreeSet<Source> = evs.iter().map(|e| e.source).collect();
        spans.push((
            evs.iter().map(|e| e.timing.earliest()).min().unwrap_or(0),
            evs.iter().map(|e| e.timing.latest()).max().unwrap_or(0),
        ));
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
            seen_by: seen_by.into_iter().collect(),
            signals: evs.len() as u64,
        });
    }
    let mut findings = merge_corroborating(findings, &spans, input.catalog);
    sort_findings(&mut findings);
    findings
}

/// One access seen by several collectors is one finding (issue 14: findings are accesses).
///
/// A finding with no actor joins an attributed finding of the same rule, category and phase
/// when the personal-data catalog makes its signal evidence of the same access and the times
/// agree. When the catalog links the signal to binder calls (their entries' `seen_as`:
/// `appop:READ_DEVICE_IDENTIFIERS` and the denial line `getSerial` of
/// `IDeviceIdentifiersPolicyService.getSerialForPackage`), only accesses through those calls
/// (or, for a signal naming a method, a call of the same method) are candidates:
/// - a signal naming a method (the logcat denial `getImeiForSlot`, cameraserver's
///   `CameraService.connect`) joins the attributed finding whose call the catalog links to it,
///   or whose api names the same method (`ITelephony.getImeiForSlot`), whatever the time: the
///   serving process logs it once per app and method;
/// - a signal naming no method (`appop:…`, `permission:…`) joins an attributed finding whose
///   span of signals overlaps its own (the IPC window containing the app-op's time, the
///   denial line inside the window).
///
/// A signal the catalog links to no call keeps the older rule (same method, or any attributed
/// access of its category whose span overlaps), and there the candidates must agree on one
/// actor, or the signal stays on its own (which SDK it belongs to is then unknown). A linked
/// signal is explained by the known accesses whatever their actors — an app-op is noted per
/// app, not per caller — so it never becomes an access of its own: with several actors it
/// joins the first candidate without lending it an actor, and the message names the others.
/// Among the candidates a refused access wins for a refused signal, then report order. The
/// joined signal's evidence is added after the finding's own, its collector to `seen_by`, its
/// events to `signals` (not to `events`: both collectors counted the same attempts), and the
/// message says what the other collector saw and how the actor was decided. Tracker contacts
/// (`host:…`) are never joined: a contact is not an access.
fn merge_corroborating(
    mut findings: Vec<ReportFinding>,
    spans: &[(Micros, Micros)],
    catalog: &Catalog,
) -> Vec<ReportFinding> {
    let mut spans: Vec<(Micros, Micros)> = spans.to_vec();
    spans.resize(findings.len(), (0, 0));
    // Whether a refused signal is part of each finding: a refused app-op or permission check
    // prefers the access that was refused (the IMEI read whose denial logcat showed) over
    // another access in the window.
    let mut refused: Vec<bool> = findings.iter().map(|f| f.outcomes.denied > 0).collect();
    // Method-named signals first, so their refusals are known when the window signals join.
    for by_method in [true, false] {
        let mut i = 0;
        while i < findings.len() {
            let target = {
                let f = &findings[i];
                let method = f.api.as_ref().and_then(Signal::method);
                let joinable = f.actor.is_none()
                    && f.category.is_some()
                    && method.is_some() == by_method
                    && !f
                        .api
                        .as_ref()
                        .is_some_and(|a| matches!(a, Signal::Host(_) | Signal::Transmission(_)));
                if !joinable {
                    None
                } else {
                    let linked = f.api.as_ref().is_some_and(|a| catalog.is_seen_as(a));
                    let (fa, fb) = spans[i];
                    let candidates: Vec<usize> = findings
                        .iter()
                        .enumerate()
                        .filter(|(j, g)| {
                            let same_method = || {
                                method.is_some()
                                    && g.api.as_ref().and_then(Signal::method) == method
                            };
                            let by_catalog = || match (&g.api, &f.api) {
                                (Some(call), Some(sig)) => catalog.same_access(call, sig),
                                _ => false,
                            };
                            let overlaps = || spans[*j].0 <= fb && fa <= spans[*j].1;
                            *j != i
                                && g.actor.is_some()
                                && g.rule == f.rule
                                && g.category == f.category
                                && g.phase == f.phase
                                && match (method.is_some(), linked) {
                                    (true, true) => by_catalog() || same_method(),
                                    (true, false) => same_method(),
                                    (false, true) => by_catalog() && overlaps(),
                                    (false, false) => overlaps(),
                                }
                        })
                        .map(|(j, _)| j)
                        .collect();
                    let actors: BTreeSet<(ActorKind, &str)> = candidates
                        .iter()
                        .filter_map(|&j| findings[j].actor.as_ref())
                        .map(|a| (a.kind, a.name.as_str()))
                        .collect();
                    (actors.len() == 1 || (linked && !actors.is_empty())).then(|| {
                        let j = candidates
                            .iter()
                            .copied()
                            .find(|&j| f.outcomes.denied > 0 && refused[j])
                            .unwrap_or(candidates[0]);
                        let others: Vec<String> = if actors.len() > 1 {
                            let own = findings[j].actor.as_ref().map(|a| a.name.as_str());
                            actors
                                .iter()
                                .map(|(_, n)| *n)
                                .filter(|n| Some(*n) != own)
                                .map(str::to_string)
                                .collect()
                        } else {
                            Vec::new()
                        };
                        (j, others)
                    })
                }
            };
            let Some((j, others)) = target else {
                i += 1;
                continue;
            };
            join(&mut findings, &mut spans, &mut refused, i, j, &others);
        }
    }
    findings
}

/// Moves finding `i` into finding `j` (see [`merge_corroborating`]).
fn join(
    findings: &mut Vec<ReportFinding>,
    spans: &mut Vec<(Micros, Micros)>,
    refused: &mut Vec<bool>,
    i: usize,
    j: usize,
    others: &[String],
) {
    {
        let f = findings.remove(i);
        let fs = spans.remove(i);
        let fr = refused.remove(i);
        let j = if j > i { j - 1 } else { j };
        refused[j] |= fr;
        spans[j] = (spans[j].0.min(fs.0), spans[j].1.max(fs.1));
        let g = &mut findings[j];
        let refused = if f.outcomes.denied == f.events {
            if f.events == 1 {
                ", refused".to_string()
            } else {
                ", every one refused".to_string()
            }
        } else {
            String::new()
        };
        g.message.push_str(&format!(
            " {} also saw it as {} ({}{refused}).",
            f.source.as_str(),
            f.api
                .as_ref()
                .map_or_else(|| "?".to_string(), ToString::to_string),
            if f.events == 1 {
                "once".to_string()
            } else {
                format!("{} times", f.events)
            }
        ));
        if !others.is_empty() {
            g.message.push_str(&format!(
                " The {} signal names no actor and is evidence of an access of {} too: it is \
                 counted with this access, which keeps its own actor.",
                f.source.as_str(),
                others.join(", ")
            ));
        } else if f.source != g.source {
            g.message.push_str(&format!(
                " The {} signal names no actor; it inherits the one the {} signal's stack names.",
                f.source.as_str(),
                g.source.as_str()
            ));
        }
        g.severity = g.severity.max(f.severity);
        for s in f.seen_by {
            if !g.seen_by.contains(&s) {
                g.seen_by.push(s);
            }
        }
        g.seen_by.sort();
        g.signals += f.signals;
        for e in f.evidence {
            if g.evidence.len() < MAX_EVIDENCE && !g.evidence.contains(&e) {
                g.evidence.push(e);
            } else {
                g.evidence_omitted += 1;
            }
        }
        g.evidence_omitted += f.evidence_omitted;
    }
}

fn message(
    rule: RuleId,
    category: Option<DataCategory>,
    api: Option<&Signal>,
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
        RuleId::TrackerContactBeforeConsent | RuleId::TrackerContactAfterReject => {
            let when = if rule == RuleId::TrackerContactAfterReject {
                "after the user rejected consent"
            } else {
                when
            };
            let host = api.and_then(Signal::host).unwrap_or("?");
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
        // Made by crate::transmission, not from events.
        RuleId::TransmissionBeforeConsent => String::new(),
    }
}

/// The order of findings in every report: by phase, time, rule, category and API (also after
/// the transmission stage joins or adds findings).
pub(crate) fn sort_findings(findings: &mut [ReportFinding]) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use prior_model::{Actor, Severity};

    fn finding(source: Source, api: &str, actor: Option<&str>, denied: u64) -> ReportFinding {
        ReportFinding {
            rule: "pre-consent-access".into(),
            severity: Severity::Medium,
            category: Some(DataCategory::DeviceIdentifiers),
            phase: Phase::BeforeConsent,
            source,
            timing: Timing::instant(1),
            api: Some(api.into()),
            actor: actor.map(|n| Actor {
                kind: ActorKind::Sdk,
                name: n.into(),
                reason: None,
            }),
            message: "m.".into(),
            events: denied.max(1),
            outcomes: OutcomeCounts {
                denied,
                unknown: u64::from(denied == 0),
                ..OutcomeCounts::default()
            },
            evidence: vec![Evidence {
                file: format!("raw/{api}"),
                line: 1,
                text: api.into(),
            }],
            evidence_omitted: 0,
            seen_by: vec![source],
            signals: denied.max(1),
        }
    }

    /// Every finding's span is its own instant.
    fn merge(f: Vec<ReportFinding>) -> Vec<ReportFinding> {
        let spans: Vec<(Micros, Micros)> = f
            .iter()
            .map(|f| (f.timing.earliest(), f.timing.latest()))
            .collect();
        merge_corroborating(f, &spans, &Catalog::builtin().unwrap())
    }

    #[test]
    fn one_access_seen_by_two_collectors_is_one_finding() {
        let mut logcat = finding(Source::Logcat, "getImeiForSlot", None, 2);
        logcat.severity = Severity::High;
        let merged = merge(vec![
            logcat,
            finding(Source::Ipc, "ITelephony.getImeiForSlot", Some("Umeng"), 0),
            finding(Source::Appops, "appop:READ_DEVICE_IDENTIFIERS", None, 1),
        ]);
        assert_eq!(merged.len(), 1, "{merged:#?}");
        let ipc = &merged[0];
        assert_eq!(ipc.api, Some("ITelephony.getImeiForSlot".into()));
        assert_eq!(ipc.events, 1, "counts are not added");
        assert_eq!(ipc.severity, Severity::High, "the higher severity wins");
        assert_eq!(ipc.evidence.len(), 3);
        assert_eq!(ipc.signals, 4, "1 IPC call, 2 denial lines, 1 app-op");
        assert_eq!(
            ipc.seen_by,
            vec![Source::Logcat, Source::Appops, Source::Ipc]
                .into_iter()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
        );
        assert!(
            ipc.message
                .contains("logcat also saw it as getImeiForSlot (2 times, every one refused)."),
            "{}",
            ipc.message
        );
        assert!(
            ipc.message.contains(
                "appops also saw it as appop:READ_DEVICE_IDENTIFIERS (once, refused). The appops \
                 signal names no actor; it inherits the one the ipc signal's stack names."
            ),
            "{}",
            ipc.message
        );
    }

    #[test]
    fn a_refused_app_op_joins_the_refused_access_of_its_actor() {
        // Umeng read ANDROID_ID and the IMEI in one window; logcat shows the IMEI read refused.
        let out = merge(vec![
            finding(Source::Appops, "appop:READ_DEVICE_IDENTIFIERS", None, 1),
            finding(Source::Ipc, "ContentProviderProxy.call", Some("Umeng"), 0),
            finding(Source::Logcat, "getImeiForSlot", None, 1),
            finding(Source::Ipc, "ITelephony.getImeiForSlot", Some("Umeng"), 0),
        ]);
        assert_eq!(out.len(), 2, "{out:#?}");
        let imei = out
            .iter()
            .find(|f| f.api == Some("ITelephony.getImeiForSlot".into()))
            .unwrap();
        assert_eq!(imei.signals, 3, "{imei:#?}");
        let id = out
            .iter()
            .find(|f| f.api == Some("ContentProviderProxy.call".into()))
            .unwrap();
        assert_eq!(id.signals, 1, "{id:#?}");
    }

    #[test]
    fn a_signal_outside_the_access_window_is_another_access() {
        let mut appop = finding(Source::Appops, "appop:READ_DEVICE_IDENTIFIERS", None, 1);
        appop.timing = Timing::instant(500);
        let out = merge(vec![
            finding(Source::Ipc, "ITelephony.getImeiForSlot", Some("Umeng"), 0),
            appop,
        ]);
        assert_eq!(out.len(), 2, "{out:#?}");
        // Two SDKs in the window, but the catalog says the app-op is noted by the IMEI read
        // (ITelephony.getImeiForSlot's `seen_as`), not by Bugly's ANDROID_ID read.
        let two = merge(vec![
            finding(Source::Ipc, "ITelephony.getImeiForSlot", Some("Umeng"), 0),
            finding(Source::Ipc, "ContentProviderProxy.call", Some("Bugly"), 0),
            finding(Source::Appops, "appop:READ_DEVICE_IDENTIFIERS", None, 1),
        ]);
        assert_eq!(two.len(), 2, "{two:#?}");
        let imei = two
            .iter()
            .find(|f| f.api == Some("ITelephony.getImeiForSlot".into()))
            .unwrap();
        assert_eq!(imei.signals, 2, "{imei:#?}");
        // A signal the catalog links to no call (GET_ACCOUNTS) with two SDKs' accesses of its
        // category in the window: whose access it evidences is unknown, so it stays.
        let mut acc = finding(Source::Appops, "appop:GET_ACCOUNTS", None, 1);
        acc.category = Some(DataCategory::Accounts);
        let mut a = finding(
            Source::Ipc,
            "IAccountManager.getAccountsAsUser",
            Some("Umeng"),
            0,
        );
        a.category = Some(DataCategory::Accounts);
        let mut b = finding(Source::Ipc, "IAccountManager.getAccounts", Some("Bugly"), 0);
        b.category = Some(DataCategory::Accounts);
        assert_eq!(merge(vec![a.clone(), b, acc.clone()]).len(), 3);
        // With one SDK in the window it joins it (the window rule of unlinked signals).
        assert_eq!(merge(vec![a, acc]).len(), 1);
        // A linked app-op with no linked call in its window is another access: the IMEI read
        // was not traced (another process) while ANDROID_ID's was.
        let alone = merge(vec![
            finding(Source::Ipc, "ContentProviderProxy.call", Some("Bugly"), 0),
            finding(Source::Appops, "appop:READ_DEVICE_IDENTIFIERS", None, 1),
        ]);
        assert_eq!(alone.len(), 2, "{alone:#?}");
        // A tracker contact is never an access's evidence.
        let host = merge(vec![
            finding(Source::Ipc, "ITelephony.getImeiForSlot", Some("Umeng"), 0),
            finding(Source::Net, "host:alog.umeng.com", None, 0),
        ]);
        assert_eq!(host.len(), 2);
    }

    #[test]
    fn ambiguous_or_different_accesses_are_not_merged() {
        // Two SDKs called a method the denial line names: the line is evidence of a known
        // access either way (the serving process logs once per app and method), so it is
        // counted with the first and lends it no actor; the message names the other SDK.
        let two = merge(vec![
            finding(Source::Logcat, "getImeiForSlot", None, 1),
            finding(Source::Ipc, "ITelephony.getImeiForSlot", Some("Umeng"), 0),
            finding(
                Source::Ipc,
                "IPhoneSubInfo.getImeiForSlot",
                Some("Bugly"),
                0,
            ),
        ]);
        assert_eq!(two.len(), 2, "{two:#?}");
        assert_eq!(two.iter().map(|f| f.signals).sum::<u64>(), 3);
        let joined = two.iter().find(|f| f.signals == 2).unwrap();
        assert!(
            joined.message.contains(
                "The logcat signal names no actor and is evidence of an access of Bugly too"
            ),
            "{}",
            joined.message
        );
        assert_eq!(joined.actor.as_ref().unwrap().name, "Umeng");
        // An unlinked method named by two SDKs' calls: which access it is stays unknown.
        let three = merge(vec![
            finding(Source::Logcat, "getFoo", None, 1),
            finding(Source::Ipc, "IFoo.getFoo", Some("Umeng"), 0),
            finding(Source::Ipc, "IBar.getFoo", Some("Bugly"), 0),
        ]);
        assert_eq!(three.len(), 3);
        // The catalog links a logged name to its binder call even when the method differs:
        // system_server logs `getSerial` for getSerialForPackage, cameraserver
        // `CameraService.connect` for connectDevice (docs/personal-data.md §1, §6).
        let serial = merge(vec![
            finding(
                Source::Ipc,
                "IDeviceIdentifiersPolicyService.getSerialForPackage",
                Some("com.example"),
                0,
            ),
            finding(Source::Logcat, "getSerial", None, 1),
        ]);
        assert_eq!(serial.len(), 1, "{serial:#?}");
        let mut cam = finding(
            Source::Ipc,
            "ICameraService.connectDevice",
            Some("Mixpanel"),
            0,
        );
        cam.category = Some(DataCategory::Camera);
        let mut line = finding(Source::Logcat, "CameraService.connect", None, 0);
        line.category = Some(DataCategory::Camera);
        line.timing = Timing::instant(900);
        assert_eq!(merge(vec![cam, line]).len(), 1);
        // Another category, or an unrelated method, is another access.
        let mut other = finding(Source::Logcat, "getImeiForSlot", None, 1);
        other.category = Some(DataCategory::Location);
        let diff = merge(vec![
            other,
            finding(Source::Logcat, "getDeviceId", None, 1),
            finding(Source::Ipc, "ITelephony.getImeiForSlot", Some("Umeng"), 0),
        ]);
        assert_eq!(diff.len(), 3);
        // Which signals name a method: prior_model::Signal::method (tested there).
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        /// Accesses in separate windows (k·100 … k·100+50) with their own api `I.m{k}`.
        fn accesses(spec: &[(usize, u8)]) -> Vec<ReportFinding> {
            spec.iter()
                .enumerate()
                .map(|(k, &(cat, actor))| {
                    let mut f = finding(
                        Source::Ipc,
                        &format!("I.m{k}"),
                        Some(["Umeng", "Bugly", "AppsFlyer"][usize::from(actor) % 3]),
                        0,
                    );
                    f.category = Some(DataCategory::ALL[cat % DataCategory::ALL.len()]);
                    f.timing = Timing::window(k as i64 * 100, k as i64 * 100 + 50);
                    f
                })
                .collect()
        }

        /// The built-in catalog's binder calls that name other signals of their access.
        fn linked_calls() -> Vec<crate::catalog::BinderEntry> {
            Catalog::builtin()
                .unwrap()
                .binder
                .into_iter()
                .filter(|b| !b.seen_as.is_empty())
                .collect()
        }

        /// Accesses through catalogued calls by one of three actors, several sharing a window
        /// (window w: w·100 … w·100+50), so one app-op can be explained by accesses of
        /// several actors.
        fn catalog_accesses(spec: &[(usize, u8, u8)]) -> Vec<ReportFinding> {
            let calls = linked_calls();
            spec.iter()
                .map(|&(call, actor, w)| {
                    let b = &calls[call % calls.len()];
                    let mut f = finding(
                        Source::Ipc,
                        &b.method,
                        Some(["Umeng", "Bugly", "AppsFlyer"][usize::from(actor) % 3]),
                        0,
                    );
                    f.category = Some(b.category);
                    let w = i64::from(w);
                    f.timing = Timing::window(w * 100, w * 100 + 50);
                    f
                })
                .collect()
        }

        proptest! {
            /// Issue 14: adding a redundant signal of a known access (an app-op or permission
            /// check inside its window, or a denial line naming its method) never changes
            /// the number of findings — signals the catalog links to no call.
            #[test]
            fn a_redundant_signal_never_changes_the_count(
                spec in proptest::collection::vec((0usize..20, 0u8..3), 1..8),
                pick in 0usize..8,
                at in 0i64..=50,
                kind in 0u8..3,
            ) {
                let base = accesses(&spec);
                let before = merge(base.clone()).len();
                let k = pick % base.len();
                let target = &base[k];
                let mut extra = match kind {
                    0 => finding(Source::Appops, "appop:GET_ACCOUNTS", None, 1),
                    1 => finding(Source::Logcat, "permission:android.permission.X", None, 1),
                    _ => finding(Source::Logcat, &format!("m{k}"), None, 2),
                };
                extra.category = target.category;
                extra.timing = Timing::instant(k as i64 * 100 + at);
                let mut with = base.clone();
                with.push(extra);
                let after = merge(with);
                prop_assert_eq!(after.len(), before);
                let owner = after
                    .iter()
                    .find(|f| f.api == target.api)
                    .expect("the access is still there");
                prop_assert_eq!(owner.signals, target.signals + if kind == 2 { 2 } else { 1 });
            }

            /// Issue 14, with the catalog's links: any signal the catalog names as evidence
            /// of a known access (its app-op inside its window, the logcat line of its call
            /// at any time) never changes the count, whatever other accesses of the category
            /// and their actors share the window; its signals are all kept as evidence.
            #[test]
            fn a_catalogued_redundant_signal_never_changes_the_count(
                spec in proptest::collection::vec((0usize..32, 0u8..3, 0u8..3), 1..8),
                pick in 0usize..8,
                which in 0usize..8,
                at in 0i64..=50,
            ) {
                let base = catalog_accesses(&spec);
                let before = merge(base.clone());
                prop_assert_eq!(before.len(), base.len(), "attributed accesses never merge");
                let target = &base[pick % base.len()];
                let call = Signal::parse(target.api.as_ref().unwrap().name());
                let calls = linked_calls();
                let entry = calls.iter().find(|b| call.is(&b.method)).unwrap();
                let sig = &entry.seen_as[which % entry.seen_as.len()];
                let mut extra = finding(Source::Appops, sig, None, 1);
                extra.category = target.category;
                extra.timing = Timing::instant(target.timing.earliest() + at);
                let mut with = base.clone();
                with.push(extra);
                let after = merge(with);
                prop_assert_eq!(after.len(), before.len());
                prop_assert!(after.iter().all(|f| f.actor.is_some()));
                let signals = |v: &[ReportFinding]| v.iter().map(|f| f.signals).sum::<u64>();
                prop_assert_eq!(signals(&after), signals(&before) + 1);
            }

            /// Two genuinely separate accesses stay two: an app-op the catalog links to calls
            /// none of which falls in its window is an access of its own.
            #[test]
            fn a_linked_app_op_without_its_call_in_the_window_is_its_own_access(
                spec in proptest::collection::vec((0usize..32, 0u8..3, 0u8..3), 1..8),
                op in 0usize..3,
            ) {
                let base = catalog_accesses(&spec);
                let (name, category) = [
                    ("appop:READ_DEVICE_IDENTIFIERS", DataCategory::DeviceIdentifiers),
                    ("appop:GET_USAGE_STATS", DataCategory::InstalledApps),
                    ("appop:CAMERA", DataCategory::Camera),
                ][op];
                let mut extra = finding(Source::Appops, name, None, 1);
                extra.category = Some(category);
                extra.timing = Timing::instant(900);
                let mut with = base.clone();
                with.push(extra);
                prop_assert_eq!(merge(with).len(), base.len() + 1);
            }
        }
    }
}
