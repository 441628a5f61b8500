//! How the human-readable reports write times (`docs/reports.md`, "Times"):
//!
//! - one time when a window is shorter than [`ONE_TIME_BELOW_US`] (1 ms): `at +3.623 s`, never
//!   `between +3.623 s and +3.623 s`;
//! - a window as `+0.100 s – +11.980 s`, explained once (the legend / a note), not on every line;
//! - never a negative time from launch for an event that cannot precede the app's process:
//!   when clock placement puts it there (an IPC trace started before launch), it is shown from
//!   the process start and marked `[clamped]`, with the explanation given once;
//! - times against consent as distances: `0.350 s before consent`, `2.400 s after rejection`,
//!   or `at the consent answer` when the event overlaps the answer window.

use crate::i18n::{Lang, t, tf};
use prior_analyze::Report;
use prior_model::{ConsentOutcome, DataCategory, EventKind, Micros, Source, Timing};

/// Windows shorter than this are written as one time.
pub(crate) const ONE_TIME_BELOW_US: Micros = 1000;

/// A time written for people, and whether it was clamped to the process start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    pub text: String,
    pub clamped: bool,
}

/// `+1.234` / `-0.500` (seconds, millisecond precision, truncated).
pub(crate) fn signed_secs(d: Micros) -> String {
    let sign = if d < 0 { '-' } else { '+' };
    let a = d.unsigned_abs();
    format!("{sign}{}.{:03}", a / 1_000_000, (a % 1_000_000) / 1000)
}

/// `1.234` (a distance, no sign).
fn unsigned_secs(d: Micros) -> String {
    let a = d.unsigned_abs();
    format!("{}.{:03}", a / 1_000_000, (a % 1_000_000) / 1000)
}

/// `+1.234 s` from `zero`.
pub(crate) fn rel(lang: Lang, us: Micros, zero: Micros) -> String {
    tf(
        lang,
        "time.seconds",
        &[("s", &signed_secs(us.saturating_sub(zero)))],
    )
}

/// The app's process start, when the session saw one: the moment nothing the app does can
/// precede.
pub(crate) fn launch(r: &Report) -> Option<Micros> {
    r.timeline
        .iter()
        .find(|t| t.event.kind == EventKind::ProcessStart)
        .map(|t| t.event.timing.earliest())
}

/// Whether an event (or finding) cannot precede the app's process: an access to personal
/// data by the app (it has a category) seen by a per-app source. Network contacts come from
/// a device-wide capture and may precede launch; Prior's markers and the launch command do.
pub(crate) fn cannot_precede_launch(category: Option<DataCategory>, source: Source) -> bool {
    category.is_some() && source != Source::Net
}

/// A timing from launch: `at +3.623 s` or `+0.100 s – +11.980 s`; clamped to `launch` when
/// `clamp_to` is given and the timing starts before it.
pub(crate) fn from_launch(
    lang: Lang,
    t: &Timing,
    zero: Micros,
    clamp_to: Option<Micros>,
) -> Written {
    write(lang, t, clamp_to, |us| rel(lang, us, zero))
}

/// A timing in absolute UTC (the text report), with the same rules.
pub(crate) fn absolute(lang: Lang, t: &Timing, clamp_to: Option<Micros>) -> Written {
    write(lang, t, clamp_to, prior_model::format_micros_utc)
}

fn write(
    lang: Lang,
    t: &Timing,
    clamp_to: Option<Micros>,
    fmt: impl Fn(Micros) -> String,
) -> Written {
    let (mut from, mut to) = (t.earliest(), t.latest());
    let mut clamped = false;
    if let Some(l) = clamp_to {
        if from < l {
            from = l;
            clamped = true;
        }
        if to < l {
            to = l;
        }
    }
    let mut text = if to.saturating_sub(from) < ONE_TIME_BELOW_US {
        tf(lang, "time.at", &[("t", &fmt(from))])
    } else {
        tf(
            lang,
            "time.between",
            &[("from", &fmt(from)), ("to", &fmt(to))],
        )
    };
    if clamped {
        text.push_str(t_clamped(lang));
    }
    Written { text, clamped }
}

fn t_clamped(lang: Lang) -> &'static str {
    t(lang, "time.clamped_mark")
}

/// The timing with its start (and end) moved to `clamp_to` when they lie before it.
pub(crate) fn clamped(t: &Timing, clamp_to: Option<Micros>) -> Timing {
    let Some(l) = clamp_to else { return *t };
    match *t {
        Timing::Instant { at_us } => Timing::Instant {
            at_us: at_us.max(l),
        },
        Timing::Window { from_us, to_us } => Timing::Window {
            from_us: from_us.max(l),
            to_us: to_us.max(l),
        },
    }
}

/// A timing against the consent answer window `[c_from, c_to]`: `0.350 s before consent`,
/// `0.100 s – 8.900 s after rejection`, or `at the consent answer` when it overlaps.
pub(crate) fn to_consent(
    lang: Lang,
    timing: &Timing,
    answer: &Timing,
    outcome: ConsentOutcome,
) -> String {
    let rejected = outcome == ConsentOutcome::Rejected;
    let (c_from, c_to) = (answer.earliest(), answer.latest());
    let (from, to) = (timing.earliest(), timing.latest());
    let secs = |d: Micros| tf(lang, "time.seconds", &[("s", &unsigned_secs(d))]);
    let span = |a: Micros, b: Micros| {
        if b.saturating_sub(a) < ONE_TIME_BELOW_US {
            secs(a)
        } else {
            tf(
                lang,
                "time.between",
                &[("from", &secs(a)), ("to", &secs(b))],
            )
        }
    };
    if to < c_from {
        let d = span(c_from - to, c_from - from);
        let key = if rejected {
            "rel.before_rejection"
        } else {
            "rel.before_consent"
        };
        tf(lang, key, &[("d", &d)])
    } else if from > c_to {
        let d = span(from - c_to, to - c_to);
        let key = if rejected {
            "rel.after_rejection"
        } else {
            "rel.after_consent"
        };
        tf(lang, key, &[("d", &d)])
    } else if rejected {
        t(lang, "rel.at_rejection").to_string()
    } else {
        t(lang, "rel.at_consent").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Z: Micros = 1_000_000_000;

    fn w(from: Micros, to: Micros) -> Timing {
        Timing::Window {
            from_us: Z + from,
            to_us: Z + to,
        }
    }

    #[test]
    fn a_window_under_a_millisecond_is_one_time() {
        let t = w(3_623_100, 3_623_900);
        assert_eq!(from_launch(Lang::En, &t, Z, None).text, "at +3.623 s");
        assert_eq!(from_launch(Lang::Zh, &t, Z, None).text, "+3.623 秒");
        let i = Timing::Instant { at_us: Z + 692_000 };
        assert_eq!(from_launch(Lang::En, &i, Z, None).text, "at +0.692 s");
    }

    #[test]
    fn a_longer_window_is_a_range_without_the_word_between() {
        let t = w(100_000, 11_980_000);
        let s = from_launch(Lang::En, &t, Z, None);
        assert_eq!(s.text, "+0.100 s – +11.980 s");
        assert!(!s.clamped);
        // Exactly one millisecond is a window.
        assert_eq!(
            from_launch(Lang::En, &w(0, 1000), Z, None).text,
            "+0.000 s – +0.001 s"
        );
    }

    #[test]
    fn an_access_placed_before_launch_is_clamped_and_marked() {
        let t = w(-16_000, 3_621_000);
        let s = from_launch(Lang::En, &t, Z, Some(Z));
        assert_eq!(s.text, "+0.000 s – +3.621 s [clamped]");
        assert!(s.clamped);
        // Without a reason to clamp (Prior's own marker), the negative time stays.
        let m = Timing::Instant { at_us: Z - 620_000 };
        assert_eq!(from_launch(Lang::En, &m, Z, None).text, "at -0.620 s");
        // An instant before launch that cannot precede it.
        let i = Timing::Instant { at_us: Z - 5_000 };
        let s = from_launch(Lang::En, &i, Z, Some(Z));
        assert_eq!(s.text, "at +0.000 s [clamped]");
        assert_eq!(
            from_launch(Lang::Zh, &i, Z, Some(Z)).text,
            "+0.000 秒 [已校正]"
        );
    }

    #[test]
    fn a_clamped_window_is_measured_to_consent_from_the_process_start() {
        let answer = w(12_180_000, 12_330_000);
        let before = clamped(&w(-320_000, 11_980_000), Some(Z));
        assert_eq!(before, w(0, 11_980_000));
        assert_eq!(
            to_consent(Lang::En, &before, &answer, ConsentOutcome::Accepted),
            "0.200 s – 12.180 s before consent"
        );
        assert_eq!(clamped(&before, None), before);
    }

    #[test]
    fn absolute_times_follow_the_same_rules() {
        let t = Timing::Window {
            from_us: 1_795_894_206_000_000,
            to_us: 1_795_894_206_000_400,
        };
        assert_eq!(
            absolute(Lang::En, &t, None).text,
            "at 2026-11-28T19:30:06.000000Z"
        );
    }

    #[test]
    fn times_against_consent_are_distances_named_by_the_answer() {
        let answer = w(12_180_000, 12_330_000);
        let before = w(-320_000, 11_980_000);
        assert_eq!(
            to_consent(Lang::En, &before, &answer, ConsentOutcome::Accepted),
            "0.200 s – 12.500 s before consent"
        );
        let after = Timing::Instant {
            at_us: Z + 14_730_000,
        };
        assert_eq!(
            to_consent(Lang::En, &after, &answer, ConsentOutcome::Rejected),
            "2.400 s after rejection"
        );
        assert_eq!(
            to_consent(Lang::Zh, &after, &answer, ConsentOutcome::Rejected),
            "拒绝后 2.400 秒"
        );
        let inside = Timing::Instant {
            at_us: Z + 12_200_000,
        };
        assert_eq!(
            to_consent(Lang::En, &inside, &answer, ConsentOutcome::Accepted),
            "at the consent answer"
        );
        assert_eq!(
            to_consent(Lang::En, &inside, &answer, ConsentOutcome::Rejected),
            "at the rejection"
        );
    }
}
