//! logcat output in every `-v` layout (CONTRACT — the implementation is being written).
//!
//! API contract used by `prior-analyze` (do not change names/fields without updating it):
//! - [`parse_line`]: one line (no trailing newline) → [`LogLine`] borrowing the input;
//!   `None` for lines that are not log entries (dividers are [`divider`]).
//! - [`LogcatReader`]: streams a whole capture from any `BufRead`, yielding
//!   [`Record`]s with 1-based line numbers; handles `long` blocks, dividers, CRLF,
//!   invalid UTF-8 and over-long lines.
//! - [`events`] decodes the events-buffer payloads and ActivityManager text lines.

use crate::LocalTime;
use serde::Serialize;

/// Log priority letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Priority {
    /// V
    Verbose,
    /// D
    Debug,
    /// I
    Info,
    /// W
    Warn,
    /// E
    Error,
    /// F
    Fatal,
    /// S (silent; only in filterspecs, tolerated)
    Silent,
}

/// The time field of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LogTime {
    /// `-v epoch`: seconds since the epoch (UTC) with a fraction → µs.
    Epoch(i64),
    /// `-v monotonic`: seconds since boot → µs.
    Monotonic(i64),
    /// A calendar time (`MM-DD hh:mm:ss.fff`, optionally with year and zone).
    Local(LocalTime),
}

/// The uid field (`-v uid`): numeric, or a name such as `root`, `shell`, `system`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LogUid<'a> {
    /// Numeric uid (apps: 10123).
    Id(u32),
    /// A passwd name of at most 5 chars (`root`, `shell`, `radio`…).
    Name(&'a str),
}

/// One log entry, borrowing the line it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine<'a> {
    /// Time, when the layout has one.
    pub time: Option<LogTime>,
    /// uid, when `-v uid` was used.
    pub uid: Option<LogUid<'a>>,
    /// Process id.
    pub pid: Option<u32>,
    /// Thread id.
    pub tid: Option<u32>,
    /// Priority.
    pub priority: Option<Priority>,
    /// Tag, trailing padding removed. For events-buffer lines, the event tag name.
    pub tag: &'a str,
    /// Message text (`-v printable` escapes already undone? No: kept exactly as printed).
    pub message: &'a str,
}

/// One item of a capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Record {
    /// A log entry (owned).
    Entry {
        /// 1-based line number of its (first) line.
        line_no: u64,
        /// Buffer from the last divider, if any (`main`, `system`, `events`, …).
        buffer: Option<String>,
        /// Time.
        time: Option<LogTime>,
        /// uid.
        uid: Option<OwnedUid>,
        /// pid.
        pid: Option<u32>,
        /// tid.
        tid: Option<u32>,
        /// Priority.
        priority: Option<Priority>,
        /// Tag.
        tag: String,
        /// Message; for `long` layout blocks several lines joined with `\n`.
        message: String,
    },
    /// `--------- beginning of X` / `--------- switch to X`.
    Divider {
        /// Line number.
        line_no: u64,
        /// Buffer name.
        buffer: String,
    },
    /// A line that is not a log entry in any known layout.
    Unparsed {
        /// Line number.
        line_no: u64,
        /// The text, lossily decoded, at most `MAX_LINE` bytes.
        text: String,
        /// Whether the line was longer than `MAX_LINE` and cut.
        truncated: bool,
    },
}

/// Owned [`LogUid`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum OwnedUid {
    /// Numeric.
    Id(u32),
    /// Name.
    Name(String),
}
