use crate::{Actor, DataCategory, Evidence, Phase, Source, Timing};
use serde::{Deserialize, Serialize};

/// How serious a finding is under the chosen rule profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; not a violation.
    Info,
    /// A violation of lower weight.
    Low,
    /// A violation.
    Medium,
    /// A serious violation.
    High,
}

impl Severity {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// Whether this severity counts as a violation (everything above `info`).
    pub fn is_violation(self) -> bool {
        self > Severity::Info
    }
}

/// The answer for a whole session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No violation found, and the session is complete.
    Pass,
    /// At least one violation.
    Fail,
    /// No violation found, but the session is incomplete so absence proves nothing.
    Inconclusive,
}

/// One rule that fired, with the evidence that made it fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id, e.g. `pre-consent-access`.
    pub rule: String,
    /// Severity under the profile.
    pub severity: Severity,
    /// The personal-data category, if the rule is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<DataCategory>,
    /// Where the first event lies relative to consent.
    pub phase: Phase,
    /// Collector of the first (earliest) event.
    pub source: Source,
    /// Timing of the earliest event.
    pub timing: Timing,
    /// The API or signal, e.g. `ITelephony.getImeiForSlot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<crate::Signal>,
    /// Who did it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    /// A one-sentence explanation.
    pub message: String,
    /// Every piece of evidence, earliest first.
    pub evidence: Vec<Evidence>,
}
