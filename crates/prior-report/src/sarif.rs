//! SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning and others).
//!
//! Layout: one `run` per analysed bundle (scenario). The driver is `prior` with every rule of
//! [`RuleId::ALL`] under its stable id, with a short and full description and help text.
//! Each finding is a `result` whose `physicalLocation` is the scenario file that drove the
//! session (as recorded in the bundle's `meta.json`; the bundle's `meta.json` when there was
//! no scenario), with `partialFingerprints["priorAccess/v2"]` = [`crate::fingerprint`] and
//! the evidence (file, line, text), phase, timing, API, actor and outcome counts in
//! `properties`, with `seenBy` (the collectors whose signals are evidence of the access) and
//! `signals` (how many signals were grouped into it). Severity maps to `level`: high and medium → `error`, low → `warning`,
//! info → `note`. The run's `properties` carry the verdict, app, device and a `simulated`
//! flag; a simulated run also says so in `automationDetails.description`. The invocation
//! carries the coverage: `properties.sources` (state, reason, detail, required of every
//! collector), `properties.blindSources`, and a `toolExecutionNotifications` entry per
//! collector that keeps the report from passing (`descriptor.id` `prior/source-<status>`).
//! The run's [`crate::Judgement`] adds accepted external `suppressions` to findings the
//! scenario allows or expects, `baselineState` (`new`, `unchanged`, and `absent` results for
//! the baseline's fixed findings), a `prior/expectations-not-met` notification, and the facts
//! behind the exit code in `invocations[0].properties.judgement`.

use crate::{FindingStatus, fingerprint, label};
use prior_analyze::report::ReportFinding;
use prior_analyze::{Report, RuleId};
use prior_model::Severity;
use serde_json::{Value, json};

/// One run to render.
#[derive(Debug, Clone)]
pub struct SarifRun<'a> {
    /// The analysis.
    pub report: &'a Report,
    /// The scenario file (repository-relative where possible), used as every result's
    /// location.
    pub scenario_uri: String,
    /// The scenario's allow entries and expectations and the baseline comparison: results
    /// of allowed or expected findings carry an accepted external suppression with the
    /// reason; with a baseline, violation-level results carry `baselineState` (`new` or
    /// `unchanged`) and the baseline's fixed findings of this app are `absent` results.
    pub judgement: &'a crate::Judgement,
}

/// `(id, short description, full description, help)` of a rule.
pub fn rule_text(rule: RuleId) -> (&'static str, &'static str, &'static str) {
    match rule {
        RuleId::PreConsentAccess => (
            "Personal data accessed before consent",
            "The app (or an SDK inside it) read, or tried to read, personal data before the user answered its privacy-consent screen.",
            "Defer every personal-data access (device identifiers, location, contacts, installed apps, …) and the initialisation of SDKs that collect it until the user has accepted the privacy policy. Check the evidence lines for the API and the stack frame that made the call.",
        ),
        RuleId::AtConsentAccess => (
            "Personal data accessed at the consent tap",
            "A personal-data access happened inside the short window around the consent tap, so Prior cannot tell whether it came before or after the answer.",
            "Usually harmless, but an access racing the consent tap often means collection was started on a timer rather than on acceptance. Start it from the acceptance callback.",
        ),
        RuleId::AccessAfterReject => (
            "Personal data accessed after consent was rejected",
            "The user rejected the privacy-consent screen and the app accessed personal data anyway.",
            "After a rejection the app must not collect personal data beyond what its basic function strictly needs. Gate SDK initialisation and identifier reads on acceptance.",
        ),
        RuleId::PermissionPromptBeforeConsent => (
            "Runtime-permission prompt before consent",
            "The app asked for a runtime permission before the user answered its privacy-consent screen.",
            "Show the privacy policy first; request runtime permissions only afterwards and only when the feature that needs them is used.",
        ),
        RuleId::NoConsentScreen => (
            "No consent screen",
            "No privacy-consent screen was seen during the session.",
            "Show a privacy-consent screen on first launch, before any personal data is touched. If the app has one, check the scenario's consent detector settings.",
        ),
        RuleId::TrackerContactBeforeConsent => (
            "Tracker contacted before consent",
            "The app contacted a known tracking or analytics host before the user answered its privacy-consent screen.",
            "Do not initialise analytics or advertising SDKs, and do not send them data, until the user has accepted the privacy policy.",
        ),
        RuleId::TrackerContactAfterReject => (
            "Tracker contacted after consent was rejected",
            "The user rejected the privacy-consent screen and a known tracking or analytics host was contacted anyway.",
            "After a rejection, do not initialise analytics or advertising SDKs that need consent, and do not send them data. Gate their start on acceptance.",
        ),
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::High | Severity::Medium => "error",
        Severity::Low => "warning",
        Severity::Info => "note",
    }
}

fn rules() -> Vec<Value> {
    RuleId::ALL
        .iter()
        .map(|&r| {
            let (short, full, help) = rule_text(r);
            json!({
                "id": r.as_str(),
                "name": r.as_str(),
                "shortDescription": { "text": short },
                "fullDescription": { "text": full },
                "help": { "text": help },
                "defaultConfiguration": { "level": "error" },
                "properties": { "tags": ["privacy", "consent"] },
            })
        })
        .collect()
}

fn result(r: &Report, i: usize, f: &ReportFinding, uri: &str, j: &crate::Judgement) -> Value {
    let rule_index = RuleId::ALL.iter().position(|x| x.as_str() == f.rule);
    let evidence: Vec<Value> = f
        .evidence
        .iter()
        .map(|e| json!({ "file": e.file, "line": e.line, "text": e.text }))
        .collect();
    let mut v = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": f.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": { "startLine": 1 }
            },
            "message": { "text": format!("scenario that launched {}", r.app.package) }
        }],
        "partialFingerprints": { "priorAccess/v2": fingerprint(&r.app.package, f) },
        "properties": {
            "severity": label(&f.severity),
            "category": f.category.map(|c| c.as_str()),
            "phase": f.phase.as_str(),
            "source": f.source.as_str(),
            "timing": f.timing,
            "api": f.api,
            "actor": f.actor,
            "events": f.events,
            "outcomes": f.outcomes,
            "evidence": evidence,
            "evidenceOmitted": f.evidence_omitted,
            "seenBy": f.seen_by,
            "signals": f.signals,
            "simulated": r.device.simulated,
        }
    });
    if let (Some(i), Some(obj)) = (rule_index, v.as_object_mut()) {
        obj.insert("ruleIndex".to_string(), json!(i));
    }
    if let (Some(state), Some(obj)) = (
        j.baseline
            .as_ref()
            .and_then(|d| d.state_of(&r.app.package, f)),
        v.as_object_mut(),
    ) {
        obj.insert("baselineState".to_string(), json!(state));
    }
    let why = match j.status(r, i) {
        FindingStatus::Allowed(sup) => Some(match &sup.expires {
            Some(d) => format!("{} (allowed until {d})", sup.reason),
            None => sup.reason.clone(),
        }),
        FindingStatus::Expected => Some(match j.expectations.as_ref() {
            Some(e) if !e.expected.is_empty() => format!(
                "expected by the scenario, whose expectations hold (expected {})",
                e.expected.join(", ")
            ),
            _ => "expected by the scenario, whose expectations hold".to_string(),
        }),
        _ => None,
    };
    if let (Some(why), Some(obj)) = (why, v.as_object_mut()) {
        obj.insert(
            "suppressions".to_string(),
            json!([{ "kind": "external", "status": "accepted", "justification": why }]),
        );
    }
    v
}

/// A finding of the baseline that this run no longer shows: a `pass` result with
/// `baselineState` `absent`.
fn absent(e: &crate::BaselineEntry, uri: &str) -> Value {
    let rule_index = RuleId::ALL.iter().position(|x| x.as_str() == e.rule);
    let mut v = json!({
        "ruleId": e.rule,
        "kind": "pass",
        "level": "none",
        "baselineState": "absent",
        "message": { "text": format!("fixed since the baseline: {}", e.message) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": { "startLine": 1 }
            }
        }],
        "partialFingerprints": { "priorAccess/v2": e.fingerprint },
        "properties": {
            "severity": e.severity,
            "category": e.category,
            "api": e.api,
            "actor": e.actor,
        }
    });
    if let (Some(i), Some(obj)) = (rule_index, v.as_object_mut()) {
        obj.insert("ruleIndex".to_string(), json!(i));
    }
    v
}

fn run(s: &SarifRun<'_>, fixed: &[&crate::BaselineEntry]) -> Value {
    let r = s.report;
    let j = s.judgement;
    let mut results: Vec<Value> = r
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| result(r, i, f, &s.scenario_uri, j))
        .collect();
    results.extend(fixed.iter().map(|e| absent(e, &s.scenario_uri)));
    let mut notes = notifications(r);
    if let Some(e) = j.expectations.as_ref().filter(|e| !e.met) {
        notes.insert(
            0,
            json!({
                "level": "error",
                "descriptor": { "id": "prior/expectations-not-met" },
                "message": { "text": j.expectations_line(r).unwrap_or_default() },
                "properties": { "problems": e.problems },
            }),
        );
    }
    let scenario = r.bundle.scenario.clone().unwrap_or_default();
    let sim = if r.device.simulated {
        "SIMULATED device: a demonstration of Prior, not a real Android run. "
    } else {
        ""
    };
    json!({
        "tool": {
            "driver": {
                "name": "prior",
                "version": r.analyzer.version,
                "semanticVersion": r.analyzer.version,
                "rules": rules(),
            }
        },
        "automationDetails": {
            "id": format!("prior/{}/{}/", r.app.package, scenario),
            "description": { "text": format!("{sim}Consent check of {} under profile {}", r.app.package, r.profile.name) }
        },
        "invocations": [{
            "executionSuccessful": r.incomplete.is_empty(),
            "toolExecutionNotifications": notes,
            "properties": {
                "verdict": label(&r.verdict),
                "judgement": {
                    "fails": j.fails(r),
                    "incomplete": crate::Judgement::incomplete(r),
                    "expectationsMet": j.expectations_met(),
                    "newViolations": j.new_violations(r),
                    "countingFindings": j.counting(r).len(),
                },
                "sources": r.checked.sources.iter().map(|c| json!({
                    "source": c.source.as_str(),
                    "status": c.status.as_str(),
                    "reason": c.reason.map(|x| x.as_str()),
                    "detail": c.detail,
                    "required": c.required,
                    "blocksPass": c.blocks_pass(),
                })).collect::<Vec<_>>(),
                "blindSources": r.blind_sources().map(|c| c.source.as_str()).collect::<Vec<_>>(),
            },
        }],
        "results": results,
        "properties": {
            "verdict": label(&r.verdict),
            "package": r.app.package,
            "versionName": r.app.version_name,
            "apkSha256": r.app.apk_sha256,
            "deviceModel": r.device.model,
            "apiLevel": r.device.api_level,
            "simulated": r.device.simulated,
            "profile": r.profile.name,
            "scenario": r.bundle.scenario,
            "manifestSha256": r.bundle.manifest_sha256,
        }
    })
}

/// One notification per collector that keeps the report from passing (`descriptor.id`
/// `prior/source-<status>`, level `error` when the profile requires it, with the source, state
/// and reason in `properties`), then one `warning` per other reason the session is incomplete.
fn notifications(r: &Report) -> Vec<Value> {
    let blind = r.blind_sources().map(|c| {
        json!({
            "level": if c.required { "error" } else { "warning" },
            "descriptor": { "id": format!("prior/source-{}", c.status.as_str()) },
            "message": { "text": format!(
                "{} source {} was not analysed, so the verdict is {}: {}",
                if c.required { "required" } else { "optional" },
                c.source.as_str(),
                label(&r.verdict),
                c.describe()
            ) },
            "properties": {
                "source": c.source.as_str(),
                "status": c.status.as_str(),
                "reason": c.reason.map(|x| x.as_str()),
                "required": c.required,
            },
        })
    });
    let rest = r.incomplete_besides_sources().map(|i| {
        json!({
            "level": "warning",
            "message": { "text": i }
        })
    });
    blind.chain(rest).collect()
}

/// The runs, the baseline's fixed findings of each app attached to the first run of that app.
fn runs_with_fixed(runs: &[SarifRun<'_>]) -> Vec<Value> {
    let mut done: Vec<&str> = Vec::new();
    runs.iter()
        .map(|s| {
            let package = s.report.app.package.as_str();
            let fixed: Vec<&crate::BaselineEntry> = if done.contains(&package) {
                Vec::new()
            } else {
                done.push(package);
                s.judgement
                    .baseline
                    .iter()
                    .flat_map(|d| d.fixed.iter())
                    .filter(|e| e.package == package)
                    .collect()
            };
            run(s, &fixed)
        })
        .collect()
}

/// Renders a SARIF 2.1.0 log with one run per report, pretty-printed with a final newline.
pub fn render_sarif(runs: &[SarifRun<'_>]) -> String {
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs_with_fixed(runs),
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}
