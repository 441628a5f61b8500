//! Turning each collector's raw output into [`Event`]s.

pub(crate) mod appops;
pub(crate) mod harness;
pub(crate) mod ipc;
pub(crate) mod logcat;
pub(crate) mod net;

use crate::AnalyzeError;
use prior_model::Event;
use prior_model::bundle::{Bundle, BundleError};

/// At most this many events are kept (all sources together); more are counted only.
pub(crate) const MAX_EVENTS: usize = 20_000;
/// Evidence text is cut to this many bytes.
pub(crate) const MAX_EVIDENCE_TEXT: usize = 2048;
/// App-op snapshots, IPC dumps and the harness log are read whole, up to this size.
pub(crate) const MAX_SMALL_FILE: u64 = 64 << 20;

/// The events collected so far, capped at [`MAX_EVENTS`].
#[derive(Debug, Default)]
pub(crate) struct EventSink {
    pub events: Vec<Event>,
    /// Events not kept because of the cap.
    pub dropped: u64,
}

impl EventSink {
    pub fn push(&mut self, e: Event) {
        if self.events.len() < MAX_EVENTS {
            self.events.push(e);
        } else {
            self.dropped += 1;
        }
    }
}

/// Evidence text: lossy UTF-8, control characters other than tab/newline and bidirectional
/// overrides shown as `\u{..}` (`prior_model::text::escape_controls`),
/// cut to [`MAX_EVIDENCE_TEXT`] bytes.
pub(crate) fn evidence_text(bytes: &[u8]) -> String {
    let cut = bytes.len() > MAX_EVIDENCE_TEXT;
    let bytes = &bytes[..bytes.len().min(MAX_EVIDENCE_TEXT)];
    let lossy = String::from_utf8_lossy(bytes);
    let mut out = prior_model::text::escape_controls(&lossy).into_owned();
    if cut {
        out.push('…');
    }
    out
}

/// A small raw file of the bundle (`None` when absent), refusing files over
/// [`MAX_SMALL_FILE`] and entries that are not regular files (reported as `Err(note)`: a link
/// is never followed, a FIFO never opened for a blocking read).
pub(crate) fn read_small(bundle: &Bundle, rel: &str) -> Result<Option<Vec<u8>>, SmallFileError> {
    if !safe_rel(rel) {
        return Err(SmallFileError::Skipped(format!(
            "{rel}: not a plain path inside the bundle; skipped"
        )));
    }
    match bundle.read_file(rel, MAX_SMALL_FILE) {
        Ok(b) => Ok(b),
        Err(BundleError::TooLarge { .. }) => Err(SmallFileError::Skipped(format!(
            "{rel} is larger than {} MiB; skipped",
            MAX_SMALL_FILE >> 20
        ))),
        Err(e @ (BundleError::NotRegular { .. } | BundleError::BadPath(_))) => {
            Err(SmallFileError::Skipped(format!("failed to {e}; skipped")))
        }
        Err(e) => Err(SmallFileError::Read(AnalyzeError::Bundle(e))),
    }
}

/// Why [`read_small`] gave no content.
#[derive(Debug)]
pub(crate) enum SmallFileError {
    /// An I/O error: the analysis fails.
    Read(AnalyzeError),
    /// The file was skipped; the note goes into the report.
    Skipped(String),
}

/// Whether a process name (`com.x`, `com.x:push`) belongs to the app.
pub(crate) fn is_app_process(package: &str, process: &str) -> bool {
    process == package
        || process
            .strip_prefix(package)
            .is_some_and(|rest| rest.starts_with(':'))
}

/// A bundle-relative path from a harness record: relative, `/`-separated, no `..`.
pub(crate) fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && rel
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_text_escapes_controls_and_is_capped() {
        assert_eq!(evidence_text(b"a\x1b[31mb\tc"), "a\\u{1b}[31mb\tc");
        assert_eq!(evidence_text(b"\xff ok"), "\u{fffd} ok");
        let long = vec![b'x'; MAX_EVIDENCE_TEXT + 10];
        let t = evidence_text(&long);
        assert!(t.ends_with('…') && t.len() <= MAX_EVIDENCE_TEXT + 3);
    }

    #[test]
    fn paths_from_harness_records_must_stay_inside() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "raw/../../x",
            "raw/./a",
            "raw//a",
            "a\\b",
        ] {
            assert!(!safe_rel(bad), "{bad}");
        }
        assert!(safe_rel("raw/appops/001-baseline.txt"));
    }
}
