//! Why an analysis is incomplete, typed. The report keeps the sentences
//! ([`crate::Report::incomplete`] is text, unchanged since report format 1): each variant
//! renders exactly the sentence the analyzer wrote before it was typed.

use crate::sources::MAX_EVENTS;
use crate::sources::logcat::LOGCAT_FILE;
use crate::sources::net::{self, NET_FILE};
use prior_model::bundle::HARNESS_FILE;
use std::fmt;

/// One reason the analysis cannot be relied on to be complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Incomplete {
    /// What the bundle reader found (`Bundle::incomplete`, already a sentence).
    Bundle(String),
    /// The bundle does not match its manifest; analysed under `--allow-modified`.
    Modified {
        /// The problems, in words.
        problems: String,
    },
    /// `raw/logcat.txt` is not a regular file (only with `--allow-modified`): never read.
    LogcatUnread {
        /// Why, reading "failed to …".
        why: String,
    },
    /// `raw/logcat.txt` is missing.
    LogcatMissing,
    /// `raw/logcat.txt` ends in the middle of a line.
    LogcatCutOff {
        /// The line dropped.
        line: u64,
    },
    /// The app's uid is known neither from `meta.json` nor from logcat.
    UidUnknown {
        /// The app.
        package: String,
        /// Lines that named the app only by uid.
        unattributed: u64,
    },
    /// Logcat matches waiting for the uid were dropped.
    UidPendingDropped {
        /// How many.
        count: u64,
    },
    /// A file named by the harness log is missing.
    NamedFileMissing {
        /// Bundle-relative path.
        file: String,
    },
    /// A file named by the harness log was skipped or unreadable (the note says which).
    FileSkipped(String),
    /// The network capture stopped early.
    NetCutOff {
        /// Reads after "failed to".
        error: String,
        /// Packets read before.
        packets: u64,
    },
    /// Tracker-host events over the cap were dropped.
    NetTrackersDropped {
        /// How many.
        count: u64,
    },
    /// The consent boundary is uncertain (the consent stage's sentence).
    Consent(String),
    /// Events over [`MAX_EVENTS`] were dropped.
    EventsDropped {
        /// How many.
        count: u64,
    },
    /// A source the profile requires, or that failed, keeps the report from passing
    /// (`SourceCheck::incomplete_sentence`).
    Source(String),
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Incomplete::Bundle(s) | Incomplete::FileSkipped(s) | Incomplete::Consent(s) => {
                f.write_str(s)
            }
            Incomplete::Source(s) => f.write_str(s),
            Incomplete::Modified { problems } => write!(
                f,
                "the bundle does not match its MANIFEST.sha256 or is not sound ({problems}); it was analysed only \
                 because modification was explicitly allowed, so neither its findings nor their absence can be relied on"
            ),
            Incomplete::LogcatUnread { why } => write!(
                f,
                "{LOGCAT_FILE} was not read ({why}): no logcat signal, marker or process line could be checked"
            ),
            Incomplete::LogcatMissing => write!(
                f,
                "{LOGCAT_FILE} is missing: no logcat signal, marker or process line could be checked"
            ),
            Incomplete::LogcatCutOff { line } => write!(
                f,
                "{LOGCAT_FILE} was cut off mid-line at line {line}; that line was dropped"
            ),
            Incomplete::UidUnknown {
                package,
                unattributed,
            } => write!(
                f,
                "the app's uid is unknown (not in meta.json, and no process-start line for {package} in logcat): \
                 lines that name the app only by uid could not be attributed{}",
                if *unattributed > 0 {
                    format!(" ({unattributed} such lines)")
                } else {
                    String::new()
                }
            ),
            Incomplete::UidPendingDropped { count } => write!(
                f,
                "{count} logcat matches arrived before the app's uid was known and could not be held for attribution"
            ),
            Incomplete::NamedFileMissing { file } => {
                write!(f, "{file}, named by {HARNESS_FILE}, is missing")
            }
            Incomplete::NetCutOff { error, packets } => write!(
                f,
                "{NET_FILE}: failed to {error}; only the {packets} packets before that point were analysed for tracker contacts"
            ),
            Incomplete::NetTrackersDropped { count } => write!(
                f,
                "{NET_FILE}: more than {} network events for tracker hosts: {count} later ones were not kept, so the \
                 event counts of tracker findings may be low",
                net::MAX_NET_EVENTS
            ),
            Incomplete::EventsDropped { count } => write!(
                f,
                "more than {MAX_EVENTS} events: {count} later ones were not kept, so findings may lack some of them"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_reasons_keep_the_sentences_reports_always_had() {
        assert_eq!(
            Incomplete::LogcatMissing.to_string(),
            "raw/logcat.txt is missing: no logcat signal, marker or process line could be checked"
        );
        assert_eq!(
            Incomplete::NamedFileMissing {
                file: "raw/ipc/1.txt".into()
            }
            .to_string(),
            "raw/ipc/1.txt, named by harness.jsonl, is missing"
        );
        assert_eq!(
            Incomplete::UidUnknown {
                package: "com.x".into(),
                unattributed: 2
            }
            .to_string(),
            "the app's uid is unknown (not in meta.json, and no process-start line for com.x in logcat): \
             lines that name the app only by uid could not be attributed (2 such lines)"
        );
        assert_eq!(
            Incomplete::EventsDropped { count: 3 }.to_string(),
            format!(
                "more than {MAX_EVENTS} events: 3 later ones were not kept, so findings may lack some of them"
            )
        );
    }
}
