//! logcat output in every `-v` layout, streamed, plus decoders of the lines Prior cares about.
//!
//! # API summary (used by `prior-analyze`)
//! - [`parse_line`]`(&[u8]) -> Option<`[`LogLine`]`<'_>>` — one physical line (trailing `\n`,
//!   `\r\n` tolerated) → a log entry borrowing the input; no allocation. `None` for dividers
//!   (see [`divider`]), blank lines and anything that is not an entry in a known layout.
//!   The layout is detected per line ([`Layout`]); `long` headers come back with an empty
//!   message (the reader joins the message lines).
//! - [`divider`]`(&[u8]) -> Option<`[`Divider`]`>` — `--------- beginning of main`.
//! - [`LogcatReader`]`<R: BufRead>` — a whole capture: an `Iterator` of
//!   `Result<`[`Record`]`, `[`LogcatError`]`>` (owned), or, allocation-free,
//!   [`LogcatReader::next_record`] → [`RecordRef`] borrowing the reader. 1-based line numbers,
//!   current [`Buffer`] from dividers, `long` blocks joined, lines capped at [`crate::MAX_LINE`]
//!   (rest skipped unbuffered, flagged `truncated`), bounded memory.
//! - [`events`] — typed decoders: events-buffer payloads (`am_proc_start`, `wm_on_*_called`, …)
//!   and ActivityManager / AndroidRuntime text (`Start proc`, `Displayed`, `START u0 {…}`,
//!   `FATAL EXCEPTION`): [`events::decode`]`(tag, message) -> Option<`[`events::AmEvent`]`>`.
//! - [`unescape_printable`] — undoes `-v printable` escaping of a message.
//!
//! Throughput: `parse_line` costs roughly 800 instructions (≈ 100 ns) for a
//! `threadtime,epoch,uid,usec` line, i.e. about 1 GB/s on one core, several times slower than a
//! plain literal search (`rg`, `memchr`). Scanners of very large captures should first find
//! candidate lines with a literal/multi-pattern search over the raw bytes and call
//! `parse_line` only on those (line bounds via `memchr`/`memrchr` around each hit).
//!
//! # Layouts (liblog `logprint.cpp`, `android_log_formatLogLine`; `docs/device-formats.md` §2)
//! ```text
//! brief       P/TAG     (UID PID): msg
//! process     P(UID PID) msg  (TAG)
//! tag         P/TAG     : msg
//! thread      P(UID PID:TID) msg
//! raw         msg
//! time        TIME P/TAG     (UID PID): msg
//! threadtime  TIME UID PID TID P TAG     : msg          (logcat's default)
//! long        [ TIME UID PID:TID P/TAG     ]\nmsg\n\n
//! ```
//! `UID` is empty unless `-v uid` (`%5s:` name of ≤5 chars or `%5d:` number, six spaces when
//! unknown; in `threadtime` the colon is a space). TIME is `MM-DD hh:mm:ss.fff`, `YYYY-`
//! prefixed with `year`, 6/9 fraction digits with `usec`/`nsec`, ` +hhmm` appended with
//! `zone`/`UTC`; `epoch` prints `%19lld` seconds (right-aligned in 19 columns) and
//! `monotonic` `%6lld`. `color` wraps the line in `ESC[..m … ESC[0m` (stripped here).
//!
//! # Choices where the format is ambiguous
//! - **Epoch vs monotonic** (both `SECONDS.FRACTION`): epoch when the seconds end at column ≥ 19
//!   of the line (its `%19lld` padding), or when the value is ≥ 10⁸ s (an uptime of 3 years is
//!   implausible; a wall clock before 1973 too); otherwise monotonic.
//! - **Tag end** (`tag`, `threadtime`): the first `:` followed by a space or the end of the line;
//!   also a `:` directly followed by `[` when the tag before it has no inner space (a real
//!   sample has `wm_on_create_called:[…]`). Trailing padding is removed from the tag.
//! - **`brief`/`time`**: the tag ends at the first `(` that opens a well-formed `(uid: pid): `
//!   group, unless a tag separator (`: `) comes first (then the line is `tag` layout).
//! - **`process` vs `thread`** with two numbers in the parentheses (`(10123: 4567)` is a
//!   `process` line with uid or a `thread` line without): `process` when the line ends with
//!   `  (TAG)`, else `thread`.
//! - **`raw`** lines cannot be recognised; [`LogcatReader`] reports them as
//!   [`Record::Unparsed`] (the text is the message) and [`LogLine::raw`] wraps one.
//! - Blank lines outside a `long` block are skipped (they still count for line numbers).
//! - In a `long` block, trailing blank lines are dropped (the format adds one; a message's own
//!   trailing newlines cannot be told apart). A message line that follows a blank line and
//!   parses as an entry, a divider, or any `long` header ends the block.
//! - Messages are kept **exactly as printed** (`-v printable` escapes are not undone; call
//!   [`unescape_printable`]); tags and messages are bytes since lines need not be UTF-8.

mod line;
mod printable;
mod reader;

pub mod events;

#[cfg(test)]
mod tests;

pub use line::{Divider, DividerKind, divider, parse_line};
pub use printable::unescape_printable;
pub use reader::{LogcatError, LogcatReader, RecordRef};

use crate::LocalTime;
use serde::{Serialize, Serializer};
use std::borrow::Cow;

/// Log priority letter (`filterPriToChar` in liblog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Priority {
    /// `?` (unknown/default priority).
    Unknown,
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

impl Priority {
    /// The priority printed as `c`, if `c` is one.
    #[inline]
    pub fn from_char(c: u8) -> Option<Self> {
        Some(match c {
            b'V' => Self::Verbose,
            b'D' => Self::Debug,
            b'I' => Self::Info,
            b'W' => Self::Warn,
            b'E' => Self::Error,
            b'F' => Self::Fatal,
            b'S' => Self::Silent,
            b'?' => Self::Unknown,
            _ => return None,
        })
    }

    /// The letter logcat prints.
    pub fn as_char(self) -> char {
        match self {
            Self::Unknown => '?',
            Self::Verbose => 'V',
            Self::Debug => 'D',
            Self::Info => 'I',
            Self::Warn => 'W',
            Self::Error => 'E',
            Self::Fatal => 'F',
            Self::Silent => 'S',
        }
    }
}

/// The time field of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LogTime {
    /// `-v epoch`: µs since the epoch (UTC). Nanosecond input is truncated to µs.
    Epoch(i64),
    /// `-v monotonic`: µs since boot.
    Monotonic(i64),
    /// A calendar time in the device's zone (`MM-DD hh:mm:ss.fff`, optionally with year and zone).
    Local(LocalTime),
}

impl LogTime {
    /// µs since the epoch (UTC): `Epoch` as is, `Local` converted with its printed year/offset or
    /// the defaults given; `None` for `Monotonic` (needs the boot time) or an invalid date.
    pub fn to_epoch_us(&self, default_year: i32, default_offset_s: i32) -> Option<i64> {
        match self {
            Self::Epoch(us) => Some(*us),
            Self::Monotonic(_) => None,
            Self::Local(t) => t.to_epoch_us(default_year, default_offset_s),
        }
    }
}

/// The uid field (`-v uid`): numeric, or a passwd name such as `root`, `shell`, `radio`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LogUid<'a> {
    /// Numeric uid (apps: 10123).
    Id(u32),
    /// A passwd name (logcat prints names of at most 5 chars; up to 16 `[a-z0-9_]` accepted).
    Name(&'a str),
}

impl LogUid<'_> {
    /// Owned copy.
    pub fn to_owned_uid(&self) -> OwnedUid {
        match self {
            Self::Id(n) => OwnedUid::Id(*n),
            Self::Name(s) => OwnedUid::Name((*s).to_owned()),
        }
    }

    /// The numeric uid: the number, or the AID of a well-known name (`root` 0, `system` 1000,
    /// `radio` 1001, `shell` 2000, … from AOSP `android_filesystem_config.h`; `system`
    /// (1000) has 6 letters and is always printed as a number).
    pub fn id(&self) -> Option<u32> {
        match self {
            Self::Id(n) => Some(*n),
            Self::Name(s) => aid_of_name(s),
        }
    }
}

/// AIDs of the short passwd names logcat can print: logcat prints the passwd name only when it
/// has ≤ 5 characters (`liblog/logprint.c` `android_log_formatLogLine`). Names and uids from
/// AOSP `system/core` `include/private/android_filesystem_config.h` (7.x, `android_ids[]`) and
/// `libcutils/include/private/android_filesystem_config.h` (8.0+, `AID_*`), tags
/// android-7.0.0_r1 … android-15.0.0_r1 (docs/device-behaviour.md (e)); the first API level
/// of each is noted. From API 26 bionic's `getpwuid` also names app and isolated uids
/// (`u0_a5`, `u0_i3`; `grp_pwd.cpp` `print_app_name_from_uid`), see [`app_uid_of_name`].
fn aid_of_name(name: &str) -> Option<u32> {
    Some(match name {
        "root" => 0,
        "bin" => 2, // API 28
        "sys" => 3, // API 34
        "radio" => 1001,
        "input" => 1004,
        "audio" => 1005,
        "log" => 1007,
        "mount" => 1009,
        "wifi" => 1010,
        "adb" => 1011,
        "media" => 1013,
        "dhcp" => 1014,
        "vpn" => 1016,
        "usb" => 1018,
        "drm" => 1019,
        "mdnsr" => 1020,
        "gps" => 1021,
        "mtp" => 1024,
        "nfc" => 1027,
        "clat" => 1029,
        "logd" => 1036,
        "dbus" => 1038,
        "nvram" => 1050, // API 25
        "dns" => 1051,   // API 25
        "ese" => 1060,   // API 26
        "hsm" => 1064,   // API 28
        "lmkd" => 1069,  // API 29
        "llkd" => 1070,  // API 29
        "gsid" => 1074,  // API 29
        "artd" => 1082,  // API 31
        "uwb" => 1083,   // API 31
        "diced" => 1085, // API 33
        "shell" => 2000,
        "cache" => 2001,
        "diag" => 2002,
        "inet" => 3003,
        "uhid" => 3011, // API 27
        "misc" => 9998,
        _ => return app_uid_of_name(name),
    })
}

/// `u<user>_a<n>` → user × 100000 + 10000 + n; `u<user>_i<n>` → user × 100000 + 99000 + n
/// (bionic `grp_pwd.cpp`; only the ≤ 5-character ones reach a logcat line, e.g. `u0_a7`).
fn app_uid_of_name(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('u')?;
    let (user, rest) = rest.split_once('_')?;
    let (base, n) = if let Some(n) = rest.strip_prefix('a') {
        (10_000u32, n)
    } else {
        (99_000u32, rest.strip_prefix('i')?)
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(user) || !digits(n) {
        return None;
    }
    let user: u32 = user.parse().ok()?;
    let n: u32 = n.parse().ok()?;
    let span = if base == 10_000 { 89_000 } else { 1_000 };
    if n >= span {
        return None;
    }
    user.checked_mul(100_000)?.checked_add(base + n)
}

/// Owned [`LogUid`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum OwnedUid {
    /// Numeric.
    Id(u32),
    /// Name.
    Name(String),
}

impl OwnedUid {
    /// Borrowed view.
    pub fn as_uid(&self) -> LogUid<'_> {
        match self {
            Self::Id(n) => LogUid::Id(*n),
            Self::Name(s) => LogUid::Name(s),
        }
    }
}

/// The `-v` layout (format verb) a line was printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// `P/TAG(UID PID): msg`
    Brief,
    /// `P(UID PID) msg  (TAG)`
    Process,
    /// `P/TAG: msg`
    Tag,
    /// `P(UID PID:TID) msg`
    Thread,
    /// `msg`
    Raw,
    /// `TIME P/TAG(UID PID): msg`
    Time,
    /// `TIME UID PID TID P TAG: msg`
    ThreadTime,
    /// `[ TIME UID PID:TID P/TAG ]` header; message on the following lines.
    Long,
}

/// Log buffer named by a divider line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Buffer {
    /// main
    Main,
    /// radio
    Radio,
    /// events (binary, decoded with event-log-tags)
    Events,
    /// system
    System,
    /// crash
    Crash,
    /// stats (binary)
    Stats,
    /// security (binary)
    Security,
    /// kernel
    Kernel,
    /// Any other name (kept in [`Divider::name`] / [`Record::Divider`]).
    Other,
}

impl Buffer {
    /// The buffer called `name` by logcat (`android_log_id_to_name`).
    pub fn from_name(name: &[u8]) -> Self {
        match name {
            b"main" => Self::Main,
            b"radio" => Self::Radio,
            b"events" => Self::Events,
            b"system" => Self::System,
            b"crash" => Self::Crash,
            b"stats" => Self::Stats,
            b"security" => Self::Security,
            b"kernel" => Self::Kernel,
            _ => Self::Other,
        }
    }

    /// The name logcat prints (`other` for [`Buffer::Other`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Main => "main",
            Self::Radio => "radio",
            Self::Events => "events",
            Self::System => "system",
            Self::Crash => "crash",
            Self::Stats => "stats",
            Self::Security => "security",
            Self::Kernel => "kernel",
            Self::Other => "other",
        }
    }

    /// Whether entries of this buffer carry binary event payloads printed as text.
    pub fn is_binary(self) -> bool {
        matches!(self, Self::Events | Self::Stats | Self::Security)
    }
}

/// One log entry, borrowing the line it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LogLine<'a> {
    /// The layout detected.
    pub layout: Layout,
    /// Time, when the layout has one.
    pub time: Option<LogTime>,
    /// uid, when `-v uid` was used (and logcat knew it).
    pub uid: Option<LogUid<'a>>,
    /// Process id.
    pub pid: Option<u32>,
    /// Thread id.
    pub tid: Option<u32>,
    /// Priority (`None` only for [`Layout::Raw`]).
    pub priority: Option<Priority>,
    /// Tag, padding removed. For events-buffer lines, the event tag name (or `[30014]`).
    #[serde(serialize_with = "ser_lossy")]
    pub tag: &'a [u8],
    /// Message text exactly as printed (escapes of `-v printable` kept).
    #[serde(serialize_with = "ser_lossy")]
    pub message: &'a [u8],
}

impl<'a> LogLine<'a> {
    /// A `raw`-layout line: only a message.
    pub fn raw(message: &'a [u8]) -> Self {
        Self {
            layout: Layout::Raw,
            time: None,
            uid: None,
            pid: None,
            tid: None,
            priority: None,
            tag: b"",
            message,
        }
    }

    /// Tag as text (invalid UTF-8 replaced by U+FFFD).
    pub fn tag_lossy(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.tag)
    }

    /// Message as text (invalid UTF-8 replaced by U+FFFD).
    pub fn message_lossy(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.message)
    }

    /// Tag as `&str` when it is valid UTF-8.
    pub fn tag_str(&self) -> Option<&'a str> {
        std::str::from_utf8(self.tag).ok()
    }

    /// Message as `&str` when it is valid UTF-8.
    pub fn message_str(&self) -> Option<&'a str> {
        std::str::from_utf8(self.message).ok()
    }

    /// µs since the epoch, see [`LogTime::to_epoch_us`].
    pub fn epoch_us(&self, default_year: i32, default_offset_s: i32) -> Option<i64> {
        self.time?.to_epoch_us(default_year, default_offset_s)
    }
}

fn ser_lossy<S: Serializer>(bytes: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(bytes))
}

/// One item of a capture (owned; see [`RecordRef`] for the borrowed form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Record {
    /// A log entry.
    Entry {
        /// 1-based line number of its (first) line.
        line_no: u64,
        /// Line number of its last line (differs from `line_no` for `long` blocks).
        last_line_no: u64,
        /// Buffer from the last divider, if any.
        buffer: Option<Buffer>,
        /// Layout detected.
        layout: Layout,
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
        /// Tag (lossy UTF-8).
        tag: String,
        /// Message (lossy UTF-8); for `long` blocks the lines joined with `\n`.
        message: String,
        /// Whether a line was longer than [`crate::MAX_LINE`] and cut (or a `long` message was).
        truncated: bool,
    },
    /// `--------- beginning of X` / `--------- switch to X`.
    Divider {
        /// Line number.
        line_no: u64,
        /// Buffer.
        buffer: Buffer,
        /// Buffer name as printed.
        name: String,
    },
    /// A line that is not a log entry in any recognisable layout (e.g. `raw` layout text).
    Unparsed {
        /// Line number.
        line_no: u64,
        /// The text, lossily decoded, at most `MAX_LINE` bytes.
        text: String,
        /// Whether the line was longer than `MAX_LINE` and cut.
        truncated: bool,
    },
}

impl Record {
    /// 1-based line number of the (first) line.
    pub fn line_no(&self) -> u64 {
        match self {
            Self::Entry { line_no, .. }
            | Self::Divider { line_no, .. }
            | Self::Unparsed { line_no, .. } => *line_no,
        }
    }
}

#[cfg(test)]
mod uid_name_tests {
    use super::LogUid;

    #[test]
    fn every_short_aid_name_maps_to_its_uid() {
        for (name, uid) in [
            ("root", 0),
            ("bin", 2),
            ("sys", 3),
            ("nvram", 1050),
            ("dns", 1051),
            ("ese", 1060),
            ("hsm", 1064),
            ("lmkd", 1069),
            ("llkd", 1070),
            ("gsid", 1074),
            ("artd", 1082),
            ("uwb", 1083),
            ("diced", 1085),
            ("shell", 2000),
            ("inet", 3003),
            ("uhid", 3011),
            ("misc", 9998),
        ] {
            assert_eq!(LogUid::Name(name).id(), Some(uid), "{name}");
        }
    }

    #[test]
    fn app_and_isolated_names_map_to_uids() {
        assert_eq!(LogUid::Name("u0_a7").id(), Some(10007));
        assert_eq!(LogUid::Name("u0_i3").id(), Some(99003));
        assert_eq!(LogUid::Name("u1_a0").id(), Some(110000));
        assert_eq!(LogUid::Name("u0_a").id(), None);
        assert_eq!(LogUid::Name("u0_x1").id(), None);
        assert_eq!(
            LogUid::Name("system").id(),
            None,
            "six letters: printed as a number"
        );
        assert_eq!(LogUid::Name("nobody").id(), None);
        assert_eq!(LogUid::Name("u99999999_a1").id(), None, "user overflow");
    }
}
