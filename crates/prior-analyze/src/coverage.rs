//! The coverage state of each source (`checked.sources[].status`, `reason`, `detail`).
//!
//! A state is derived from three things, and the worst of them wins (`analysed` < `partial` <
//! `unavailable` < `failed`):
//! - what the bundle holds: files present, absent, cut off, empty or holding an error reply;
//! - facts about the device and the app (`meta.json`): a user build (`ro.debuggable=0`) and an
//!   app not known to be debuggable cannot have its IPC traced;
//! - the recorder's own `collector` harness records (unavailable / partial / failed, with its
//!   words).
//!
//! `docs/report-json.md` documents the states and reasons.

use crate::report::{CoverageReason, SourceStatus};
use prior_model::bundle::{CollectorCause, CollectorState, Meta};

/// A source's state while it is being worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct State {
    pub status: SourceStatus,
    pub reason: Option<CoverageReason>,
    pub detail: Vec<String>,
}

impl State {
    /// Read completely.
    pub fn analysed() -> State {
        State {
            status: SourceStatus::Analysed,
            reason: None,
            detail: Vec::new(),
        }
    }

    /// A state that is not `analysed`.
    pub fn new(status: SourceStatus, reason: CoverageReason, detail: impl Into<String>) -> State {
        State {
            status,
            reason: Some(reason),
            detail: vec![detail.into()],
        }
    }

    /// Adds what `other` says: the worse status and its reason win (on a tie the earlier is
    /// kept); every detail is kept, the winner's first.
    pub fn and(mut self, other: State) -> State {
        if other.status == SourceStatus::Analysed {
            return self;
        }
        if other.status > self.status {
            let mut detail = other.detail;
            detail.append(&mut self.detail);
            State {
                status: other.status,
                reason: other.reason,
                detail,
            }
        } else {
            self.detail.extend(other.detail);
            self
        }
    }

    /// The details as one sentence, `None` when there are none.
    pub fn detail_text(&self) -> Option<String> {
        let mut d = self.detail.clone();
        d.dedup();
        (!d.is_empty()).then(|| d.join("; "))
    }
}

/// The state a `collector` harness record reports: its reason is the recorder's typed cause,
/// or, in bundles written before the cause was recorded, classified from its words
/// ([`classify`]).
pub(crate) fn from_collector(
    state: CollectorState,
    cause: Option<CollectorCause>,
    reason: &str,
) -> State {
    let status = match state {
        CollectorState::Unavailable => SourceStatus::Unavailable,
        CollectorState::Partial => SourceStatus::Partial,
        CollectorState::Failed => SourceStatus::Failed,
    };
    let words = reason.trim();
    State::new(
        status,
        match cause {
            Some(CollectorCause::UserBuild) => CoverageReason::UserBuild,
            Some(CollectorCause::ApiLevel) => CoverageReason::ApiLevel,
            Some(CollectorCause::CommandRefused) => CoverageReason::CommandRefused,
            Some(CollectorCause::NotStarted) => CoverageReason::NotStarted,
            Some(CollectorCause::Other) => CoverageReason::Reported,
            None => classify(words),
        },
        if words.is_empty() {
            format!("the recorder reported it {}", status.as_str())
        } else {
            format!("the recorder reported: {words}")
        },
    )
}

/// The typed reason behind the recorder's words: a user build, an API level, a refused
/// command, a collector that never started; [`CoverageReason::Reported`] when the words name
/// none of these.
pub(crate) fn classify(words: &str) -> CoverageReason {
    let t = words.to_ascii_lowercase();
    let any = |keys: &[&str]| keys.iter().any(|k| t.contains(k));
    if any(&["user build", "ro.debuggable", "not debuggable"]) {
        CoverageReason::UserBuild
    } else if any(&["api level", "sdk level", "api-level"]) {
        CoverageReason::ApiLevel
    } else if any(&[
        "refused",
        "unknown option",
        "unknown command",
        "permission denial",
        "securityexception",
        "not allowed",
    ]) {
        CoverageReason::CommandRefused
    } else if any(&[
        "not started",
        "never started",
        "did not start",
        "could not start",
        "failed to start",
        "not recorded",
    ]) {
        CoverageReason::NotStarted
    } else {
        CoverageReason::Reported
    }
}

/// Why the app's IPC cannot be traced on this device, from `meta.json` alone: the device is
/// not debuggable (`ro.debuggable=0`) and the app is not known to be debuggable.
/// `am trace-ipc` skips every process that fails `Build.IS_DEBUGGABLE ||
/// process.isDebuggable()` (ActivityManagerService `processSanityChecksLPr`;
/// docs/device-behaviour.md (a)).
pub(crate) fn ipc_not_traceable(meta: &Meta) -> Option<String> {
    if meta.device.debuggable != Some(false) || meta.app.debuggable == Some(true) {
        return None;
    }
    let build = match meta.device.build_type.as_deref() {
        Some(t) if !t.trim().is_empty() => format!("a {} build (ro.debuggable=0)", t.trim()),
        _ => "not debuggable (ro.debuggable=0)".to_string(),
    };
    let app = if meta.app.debuggable == Some(false) {
        "not debuggable"
    } else {
        "not known to be debuggable"
    };
    Some(format!(
        "the device is {build} and the app is {app}: am trace-ipc traces only debuggable processes, \
         so the app's binder calls could not be seen"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use prior_model::bundle::{AppInfo, DeviceInfo};

    #[test]
    fn the_worse_state_wins_and_keeps_every_detail() {
        let p = State::new(SourceStatus::Partial, CoverageReason::CutOff, "cut");
        let u = State::new(SourceStatus::Unavailable, CoverageReason::UserBuild, "user");
        let s = State::analysed().and(p.clone()).and(u.clone());
        assert_eq!(s.status, SourceStatus::Unavailable);
        assert_eq!(s.reason, Some(CoverageReason::UserBuild));
        assert_eq!(s.detail_text().as_deref(), Some("user; cut"));
        let s = u.clone().and(p);
        assert_eq!(
            (s.status, s.reason),
            (SourceStatus::Unavailable, Some(CoverageReason::UserBuild))
        );
        assert_eq!(u.clone().and(State::analysed()), u);
        let f = State::new(SourceStatus::Failed, CoverageReason::FilesMissing, "gone");
        assert_eq!(u.and(f).status, SourceStatus::Failed);
    }

    #[test]
    fn collector_words_are_classified() {
        for (words, want) in [
            (
                "user build (ro.debuggable=0) and the app is not debuggable: am trace-ipc traces only debuggable processes",
                CoverageReason::UserBuild,
            ),
            (
                "dumpsys appops --package needs API level 28",
                CoverageReason::ApiLevel,
            ),
            (
                "the device answered `Unknown option: --package`",
                CoverageReason::CommandRefused,
            ),
            (
                "network capture not started: the emulator console said KO",
                CoverageReason::NotStarted,
            ),
            (
                "uiautomator dump: ERROR: could not get idle state.",
                CoverageReason::Reported,
            ),
            ("", CoverageReason::Reported),
        ] {
            assert_eq!(classify(words), want, "{words}");
        }
        let s = from_collector(CollectorState::Partial, None, "  ");
        assert_eq!(s.status, SourceStatus::Partial);
        assert_eq!(
            s.detail_text().as_deref(),
            Some("the recorder reported it partial")
        );
        let s = from_collector(CollectorState::Failed, None, "UI dump failed");
        assert_eq!(
            (s.status, s.reason),
            (SourceStatus::Failed, Some(CoverageReason::Reported))
        );
        // The recorder's typed cause wins over the words.
        let s = from_collector(
            CollectorState::Unavailable,
            Some(CollectorCause::UserBuild),
            "tracing is not possible here",
        );
        assert_eq!(
            (s.status, s.reason),
            (SourceStatus::Unavailable, Some(CoverageReason::UserBuild))
        );
        let s = from_collector(
            CollectorState::Failed,
            Some(CollectorCause::NotStarted),
            "the console refused",
        );
        assert_eq!(s.reason, Some(CoverageReason::NotStarted));
    }

    fn meta(device: Option<bool>, build: Option<&str>, app: Option<bool>) -> Meta {
        Meta::new(
            "0.1.0",
            0,
            AppInfo {
                package: "p".into(),
                debuggable: app,
                ..AppInfo::default()
            },
            DeviceInfo {
                debuggable: device,
                build_type: build.map(str::to_string),
                ..DeviceInfo::default()
            },
        )
    }

    #[test]
    fn ipc_is_untraceable_only_on_a_non_debuggable_device_with_a_release_app() {
        let why = ipc_not_traceable(&meta(Some(false), Some("user"), None)).unwrap();
        assert!(
            why.contains("a user build (ro.debuggable=0)")
                && why.contains("not known to be debuggable"),
            "{why}"
        );
        let why = ipc_not_traceable(&meta(Some(false), None, Some(false))).unwrap();
        assert!(why.contains("the app is not debuggable"), "{why}");
        assert_eq!(
            ipc_not_traceable(&meta(Some(false), Some("user"), Some(true))),
            None
        );
        assert_eq!(
            ipc_not_traceable(&meta(Some(true), Some("userdebug"), None)),
            None
        );
        assert_eq!(ipc_not_traceable(&meta(None, None, Some(false))), None);
    }
}
