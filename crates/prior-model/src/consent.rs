use crate::{Micros, Timing};
use serde::{Deserialize, Serialize};

/// What became of the consent screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentOutcome {
    /// The user (or Prior) accepted it.
    Accepted,
    /// The user (or Prior) rejected it.
    Rejected,
    /// A consent screen was seen but never answered during the session.
    Unanswered,
    /// No consent screen was ever seen.
    NeverShown,
}

/// The consent moment, on the device clock.
///
/// Acceptance is an observed device event bracketed by two harness markers written to
/// logcat right before and right after the tap: `answered` is `[before, after]`. An access
/// strictly before `answered.from` is *before consent*; inside the window, *at consent*;
/// after, *after consent*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentBoundary {
    /// What happened to the consent screen.
    pub outcome: ConsentOutcome,
    /// When the consent screen was first seen on screen, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_us: Option<Micros>,
    /// The window in which it was answered (accepted or rejected), if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<Timing>,
}

/// Where an event falls relative to the consent answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Strictly before the consent answer (or there was no answer at all).
    BeforeConsent,
    /// Within the answer window, or a windowed event that overlaps it.
    AtConsent,
    /// Strictly after the answer.
    AfterConsent,
}

impl Phase {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::BeforeConsent => "before_consent",
            Phase::AtConsent => "at_consent",
            Phase::AfterConsent => "after_consent",
        }
    }
}

impl ConsentBoundary {
    /// No consent screen was seen.
    pub fn never_shown() -> Self {
        ConsentBoundary {
            outcome: ConsentOutcome::NeverShown,
            shown_us: None,
            answered: None,
        }
    }

    /// Places an event. With no answer, everything is before consent.
    pub fn phase_of(&self, timing: &Timing) -> Phase {
        let Some(answered) = self.answered else {
            return Phase::BeforeConsent;
        };
        let (a0, a1) = (answered.earliest(), answered.latest());
        if timing.latest() < a0 {
            Phase::BeforeConsent
        } else if timing.earliest() > a1 {
            Phase::AfterConsent
        } else {
            Phase::AtConsent
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(a: Micros, b: Micros) -> ConsentBoundary {
        ConsentBoundary {
            outcome: ConsentOutcome::Accepted,
            shown_us: Some(a - 1000),
            answered: Some(Timing::window(a, b)),
        }
    }

    #[test]
    fn instants_are_placed_strictly() {
        let c = accepted(100, 110);
        assert_eq!(c.phase_of(&Timing::instant(99)), Phase::BeforeConsent);
        assert_eq!(c.phase_of(&Timing::instant(100)), Phase::AtConsent);
        assert_eq!(c.phase_of(&Timing::instant(110)), Phase::AtConsent);
        assert_eq!(c.phase_of(&Timing::instant(111)), Phase::AfterConsent);
    }

    #[test]
    fn windows_overlapping_the_answer_are_at_consent() {
        let c = accepted(100, 110);
        assert_eq!(c.phase_of(&Timing::window(0, 99)), Phase::BeforeConsent);
        assert_eq!(c.phase_of(&Timing::window(0, 105)), Phase::AtConsent);
        assert_eq!(c.phase_of(&Timing::window(111, 500)), Phase::AfterConsent);
    }

    #[test]
    fn without_an_answer_everything_is_before() {
        let c = ConsentBoundary::never_shown();
        assert_eq!(c.phase_of(&Timing::instant(i64::MAX)), Phase::BeforeConsent);
    }
}
