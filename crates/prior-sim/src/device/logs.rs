//! The log buffers (logd's ring buffers) and logcat's line formatter.
//!
//! The formatter follows liblog's `android_log_formatLogLine` (system/logging
//! `liblog/logprint.cpp`, AOSP history to May 2022): time `%m-%d %H:%M:%S` (or `%Y-…` with
//! `year`, `%19lld` with `epoch`, `%6lld` with `monotonic`) plus `.%03ld`/`.%06ld`/`.%09ld`,
//! ` %z` with `zone`; uid `%5s:` for a passwd name of at most 5 characters else `%5d:`
//! (the `:` becomes a space in `threadtime`); pid/tid `%5d`; tag `%-8.*s`; a prefix longer
//! than 127 bytes is cut like liblog's 128-byte buffer; every line of a multi-line message
//! gets the prefix (except `long`). Events are stored already decoded (`[a,b,c]`).

use std::collections::VecDeque;

use super::clock::{DeviceUs, TimeZone, civil, format_z};

/// A log buffer id (logd numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogId {
    Main = 0,
    Radio = 1,
    Events = 2,
    System = 3,
    Crash = 4,
}

impl LogId {
    /// All buffers the simulator keeps, in logd order.
    pub const ALL: [LogId; 5] = [
        LogId::Main,
        LogId::Radio,
        LogId::Events,
        LogId::System,
        LogId::Crash,
    ];

    /// The name logcat prints (`--------- beginning of main`).
    pub fn name(self) -> &'static str {
        match self {
            LogId::Main => "main",
            LogId::Radio => "radio",
            LogId::Events => "events",
            LogId::System => "system",
            LogId::Crash => "crash",
        }
    }

    /// Parses a buffer name.
    pub fn from_name(s: &str) -> Option<LogId> {
        LogId::ALL.into_iter().find(|b| b.name() == s)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A log priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    Verbose = 2,
    Debug = 3,
    Info = 4,
    Warn = 5,
    Error = 6,
    Fatal = 7,
    Silent = 8,
}

impl Priority {
    /// The letter logcat prints.
    pub fn letter(self) -> char {
        match self {
            Priority::Verbose => 'V',
            Priority::Debug => 'D',
            Priority::Info => 'I',
            Priority::Warn => 'W',
            Priority::Error => 'E',
            Priority::Fatal => 'F',
            Priority::Silent => 'S',
        }
    }

    /// Parses a priority letter (either case), as logcat filterspecs and `log -p` do.
    pub fn from_letter(c: char) -> Option<Priority> {
        Some(match c.to_ascii_lowercase() {
            'v' => Priority::Verbose,
            'd' => Priority::Debug,
            'i' => Priority::Info,
            'w' => Priority::Warn,
            'e' => Priority::Error,
            'f' | 'a' => Priority::Fatal,
            's' => Priority::Silent,
            _ => return None,
        })
    }
}

/// One log record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Insertion order across all buffers (= time order).
    pub seq: u64,
    pub buf: LogId,
    pub time_us: DeviceUs,
    pub pid: i32,
    pub tid: i32,
    pub uid: i32,
    pub prio: Priority,
    pub tag: String,
    pub msg: String,
}

impl LogEntry {
    fn cost(&self) -> usize {
        // logger_entry header (28) + priority + tag + NUL + message + NUL
        28 + 1 + self.tag.len() + 1 + self.msg.len() + 1
    }
}

/// logd's `LOGGER_ENTRY_MAX_PAYLOAD`.
pub const MAX_PAYLOAD: usize = 4068;
/// Default ring size per buffer (emulator default, 256 KiB).
pub const DEFAULT_BUFFER_BYTES: usize = 256 * 1024;
/// `logcat -G` limits (logd: 64 KiB .. 256 MiB).
pub const MIN_BUFFER_BYTES: usize = 64 * 1024;
pub const MAX_BUFFER_BYTES: usize = 256 * 1024 * 1024;

/// The ring buffers.
#[derive(Debug)]
pub struct LogStore {
    bufs: [VecDeque<LogEntry>; 5],
    used: [usize; 5],
    caps: [usize; 5],
    next_seq: u64,
}

impl Default for LogStore {
    fn default() -> Self {
        LogStore::new()
    }
}

impl LogStore {
    /// Empty buffers of the default size.
    pub fn new() -> LogStore {
        LogStore {
            bufs: Default::default(),
            used: [0; 5],
            caps: [DEFAULT_BUFFER_BYTES; 5],
            next_seq: 1,
        }
    }

    /// Appends a record, truncating the message to logd's payload limit and dropping the
    /// oldest records of that buffer when it is over its size.
    #[expect(
        clippy::too_many_arguments,
        reason = "a log record has that many fields"
    )]
    pub fn push(
        &mut self,
        buf: LogId,
        time_us: DeviceUs,
        pid: i32,
        tid: i32,
        uid: i32,
        prio: Priority,
        tag: &str,
        msg: &str,
    ) -> u64 {
        let room = MAX_PAYLOAD.saturating_sub(1 + tag.len() + 1 + 1);
        let msg = truncate_at_char(msg, room);
        let entry = LogEntry {
            seq: self.next_seq,
            buf,
            time_us,
            pid,
            tid,
            uid,
            prio,
            tag: tag.to_owned(),
            msg: msg.to_owned(),
        };
        self.next_seq += 1;
        let i = buf.index();
        self.used[i] += entry.cost();
        self.bufs[i].push_back(entry);
        self.trim(i);
        self.next_seq - 1
    }

    fn trim(&mut self, i: usize) {
        while self.used[i] > self.caps[i] {
            match self.bufs[i].pop_front() {
                Some(e) => self.used[i] -= e.cost(),
                None => break,
            }
        }
    }

    /// `logcat -c` on one buffer.
    pub fn clear(&mut self, buf: LogId) {
        let i = buf.index();
        self.bufs[i].clear();
        self.used[i] = 0;
    }

    /// `logcat -G`.
    pub fn set_capacity(&mut self, buf: LogId, bytes: usize) {
        let i = buf.index();
        self.caps[i] = bytes.clamp(MIN_BUFFER_BYTES, MAX_BUFFER_BYTES);
        self.trim(i);
    }

    /// (capacity, used) of a buffer.
    pub fn usage(&self, buf: LogId) -> (usize, usize) {
        (self.caps[buf.index()], self.used[buf.index()])
    }

    /// The sequence number the next record will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Records of the given buffers with `seq > after`, in order.
    pub fn collect(&self, bufs: &[LogId], after: u64) -> Vec<LogEntry> {
        let mut out: Vec<LogEntry> = Vec::new();
        for b in bufs {
            let q = &self.bufs[b.index()];
            // entries are seq-ordered within a buffer: binary search the start
            let start = q.partition_point(|e| e.seq <= after);
            out.extend(q.range(start..).cloned());
        }
        out.sort_by_key(|e| e.seq);
        out
    }
}

fn truncate_at_char(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The passwd name bionic's `getpwuid` gives an Android id (only names logcat can print
/// matter, i.e. those of at most 5 characters, but the table keeps the common ones).
pub fn aid_name(uid: i32) -> Option<&'static str> {
    Some(match uid {
        0 => "root",
        1000 => "system",
        1001 => "radio",
        1002 => "bluetooth",
        1003 => "graphics",
        1004 => "input",
        1005 => "audio",
        1006 => "camera",
        1007 => "log",
        1009 => "mount",
        1010 => "wifi",
        1011 => "adb",
        1013 => "media",
        1014 => "dhcp",
        1016 => "vpn",
        1017 => "keystore",
        1018 => "usb",
        1019 => "drm",
        1020 => "mdnsr",
        1021 => "gps",
        1024 => "mtp",
        1027 => "nfc",
        1029 => "clat",
        1036 => "logd",
        1038 => "dbus",
        1041 => "audioserver",
        1047 => "cameraserver",
        1069 => "lmkd",
        1073 => "network_stack",
        2000 => "shell",
        2001 => "cache",
        2002 => "diag",
        3003 => "inet",
        9998 => "misc",
        9999 => "nobody",
        _ => return None,
    })
}

/// Android ids whose name has at most 5 characters — the only names logcat's uid column
/// prints (`strlen(name) <= 5`, liblog logprint.c: `android_ids[]` at 7.0, `getpwuid` from
/// 9) — with the first API level that defines them. Read from `android_filesystem_config.h`
/// (`#define AID_*`) at the tags android-7.0.0_r1, 8.0.0_r1, 9.0.0_r1, 10.0.0_r1,
/// 12.0.0_r1, 13.0.0_r1 and 14.0.0_r1 of system/core; an id first seen at a tag is given
/// that tag's API level (`hsm` is absent at 8.0 and present at 9: API 28).
pub const AID_SHORT_NAMES: &[(i32, &str, u32)] = &[
    (0, "root", 24),
    (2, "bin", 28),
    (3, "sys", 34),
    (1001, "radio", 24),
    (1004, "input", 24),
    (1005, "audio", 24),
    (1007, "log", 24),
    (1009, "mount", 24),
    (1010, "wifi", 24),
    (1011, "adb", 24),
    (1013, "media", 24),
    (1014, "dhcp", 24),
    (1016, "vpn", 24),
    (1018, "usb", 24),
    (1019, "drm", 24),
    (1020, "mdnsr", 24),
    (1021, "gps", 24),
    (1024, "mtp", 24),
    (1027, "nfc", 24),
    (1029, "clat", 24),
    (1036, "logd", 24),
    (1038, "dbus", 24),
    (1050, "nvram", 26),
    (1051, "dns", 26),
    (1060, "ese", 26),
    (1064, "hsm", 28),
    (1069, "lmkd", 29),
    (1070, "llkd", 29),
    (1074, "gsid", 29),
    (1082, "artd", 31),
    (1083, "uwb", 31),
    (1085, "diced", 33),
    (2000, "shell", 24),
    (2001, "cache", 24),
    (2002, "diag", 24),
    (3003, "inet", 24),
    (3011, "uhid", 28),
    (9998, "misc", 24),
];

/// The name logcat prints in the uid column for `uid` on API level `api`, if any.
pub fn aid_short_name(uid: i32, api: u32) -> Option<&'static str> {
    AID_SHORT_NAMES
        .iter()
        .find(|(u, _, since)| *u == uid && api >= *since)
        .map(|(_, n, _)| *n)
}

/// The logcat output verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Brief,
    Process,
    Tag,
    Thread,
    Raw,
    Time,
    ThreadTime,
    Long,
}

/// A `-v` word that is neither a format, an adverb nor a known time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("use an unknown logcat format word")]
pub struct UnknownFormat;

/// A logcat `-v` format: verb plus adverbs.
#[derive(Debug, Clone)]
pub struct LogFormat {
    pub verb: Verb,
    pub color: bool,
    pub usec: bool,
    pub nsec: bool,
    pub printable: bool,
    pub year: bool,
    pub zone: bool,
    pub epoch: bool,
    pub monotonic: bool,
    pub uid: bool,
    pub tz: TimeZone,
    pub boot_us: DeviceUs,
    /// The device's API level: which Android ids have a short name (see [`AID_SHORT_NAMES`]).
    pub api: u32,
}

impl LogFormat {
    /// logcat's default: `threadtime` in the device zone.
    pub fn new(tz: TimeZone, boot_us: DeviceUs) -> LogFormat {
        LogFormat {
            verb: Verb::ThreadTime,
            color: false,
            usec: false,
            nsec: false,
            printable: false,
            year: false,
            zone: false,
            epoch: false,
            monotonic: false,
            uid: false,
            tz,
            boot_us,
            api: 33,
        }
    }

    /// Applies one `-v` word (`android_log_formatFromString` + `setFormat`). A time-zone
    /// name sets the zone and toggles `zone`, as liblog does.
    pub fn apply(&mut self, word: &str) -> Result<(), UnknownFormat> {
        let verb = match word {
            "brief" => Some(Verb::Brief),
            "process" => Some(Verb::Process),
            "tag" => Some(Verb::Tag),
            "thread" => Some(Verb::Thread),
            "raw" => Some(Verb::Raw),
            "time" => Some(Verb::Time),
            "threadtime" => Some(Verb::ThreadTime),
            "long" => Some(Verb::Long),
            _ => None,
        };
        if let Some(v) = verb {
            self.verb = v;
            return Ok(());
        }
        match word {
            "color" => self.color = true,
            "usec" => self.usec = true,
            "nsec" => self.nsec = true,
            "printable" => self.printable = true,
            "year" => self.year = true,
            "zone" => self.zone = !self.zone,
            "epoch" => self.epoch = true,
            "monotonic" => self.monotonic = true,
            "uid" => self.uid = true,
            "descriptive" => {}
            other => {
                let tz = if other.eq_ignore_ascii_case("utc") {
                    TimeZone::utc()
                } else if other.eq_ignore_ascii_case("gmt") {
                    TimeZone {
                        name: "GMT".into(),
                        offset_s: 0,
                        abbrev: "GMT".into(),
                    }
                } else {
                    TimeZone::named(other).ok_or(UnknownFormat)?
                };
                self.tz = tz;
                self.zone = !self.zone;
            }
        }
        Ok(())
    }

    fn time_field(&self, t: DeviceUs) -> String {
        let (secs, nanos) = (t.div_euclid(1_000_000), t.rem_euclid(1_000_000) * 1000);
        let mut s = if self.monotonic {
            let up = t - self.boot_us;
            format!("{:6}", up.div_euclid(1_000_000))
        } else if self.epoch {
            format!("{secs:19}")
        } else {
            let c = civil(t, self.tz.offset_s);
            let year = if self.year {
                format!("{:04}-", c.year)
            } else {
                String::new()
            };
            year + &format!(
                "{:02}-{:02} {:02}:{:02}:{:02}",
                c.month, c.day, c.hour, c.minute, c.second
            )
        };
        let nanos = if self.monotonic {
            (t - self.boot_us).rem_euclid(1_000_000) * 1000
        } else {
            nanos
        };
        if self.nsec {
            s.push_str(&format!(".{nanos:09}"));
        } else if self.usec {
            s.push_str(&format!(".{:06}", nanos / 1000));
        } else {
            s.push_str(&format!(".{:03}", nanos / 1_000_000));
        }
        if self.zone && !self.epoch && !self.monotonic {
            s.push(' ');
            s.push_str(&format_z(self.tz.offset_s));
        }
        s
    }

    fn uid_field(&self, uid: i32) -> String {
        if !self.uid {
            return String::new();
        }
        if uid < 0 {
            return "      ".to_owned();
        }
        match aid_short_name(uid, self.api) {
            Some(n) => format!("{n:>5}:"),
            None => format!("{uid:5}:"),
        }
    }

    /// Formats one record as logcat prints it (with the trailing newline).
    pub fn format(&self, e: &LogEntry) -> String {
        let pri = e.prio.letter();
        let time = self.time_field(e.time_us);
        let mut uid = self.uid_field(e.uid);
        let tag = &e.tag;
        let mut prefix = String::new();
        let mut suffix = String::new();
        if self.color {
            prefix.push_str(&format!("\x1B[{}m", color_of(e.prio)));
            suffix.push_str("\x1B[0m");
        }
        let mut header_footer = false;
        let body = match self.verb {
            Verb::Tag => format!("{pri}/{tag:<8}: "),
            Verb::Process => {
                suffix.push_str(&format!("  ({tag})"));
                format!("{pri}({uid}{:5}) ", e.pid)
            }
            Verb::Thread => format!("{pri}({uid}{:5}:{:5}) ", e.pid, e.tid),
            Verb::Raw => String::new(),
            Verb::Time => format!("{time} {pri}/{tag:<8}({uid}{:5}): ", e.pid),
            Verb::ThreadTime => {
                if let Some(p) = uid.find(':') {
                    uid.replace_range(p..=p, " ");
                }
                format!("{time} {uid}{:5} {:5} {pri} {tag:<8}: ", e.pid, e.tid)
            }
            Verb::Long => {
                header_footer = true;
                format!("[ {time} {uid}{:5}:{:5} {pri}/{tag:<8} ]\n", e.pid, e.tid)
            }
            Verb::Brief => format!("{pri}/{tag:<8}({uid}{:5}): ", e.pid),
        };
        prefix.push_str(&body);
        truncate_string(&mut prefix, 127);
        suffix.push_str(if header_footer { "\n\n" } else { "\n" });
        let conv = |s: &str| {
            if self.printable {
                printable(s)
            } else {
                s.to_owned()
            }
        };
        if header_footer {
            return format!("{prefix}{}{suffix}", conv(&e.msg));
        }
        let mut out = String::new();
        let msg = e.msg.as_str();
        // liblog: one output line per '\n'-terminated piece; a trailing '\n' adds nothing,
        // an empty message still prints one line.
        let mut rest = msg;
        loop {
            let (line, more) = match rest.find('\n') {
                Some(p) => (&rest[..p], Some(&rest[p + 1..])),
                None => (rest, None),
            };
            out.push_str(&prefix);
            out.push_str(&conv(line));
            out.push_str(&suffix);
            match more {
                Some(m) if !m.is_empty() => rest = m,
                _ => break,
            }
        }
        out
    }
}

fn truncate_string(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

fn color_of(p: Priority) -> u8 {
    // liblog colorFromPri: ANSI colours per priority.
    match p {
        Priority::Fatal | Priority::Error => 31,
        Priority::Warn => 33,
        Priority::Info => 32,
        Priority::Debug => 34,
        _ => 39,
    }
}

/// liblog `convertPrintable`: control bytes escaped, backslash doubled, tabs kept.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\t' => out.push('\t'),
            '\x0B' => out.push_str("\\v"),
            '\x0C' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                if c as u32 == 0x7f {
                    out.push('\x7f');
                } else {
                    out.push_str(&format!("\\x{:02X}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(uid: i32, pid: i32, tid: i32, tag: &str, msg: &str) -> LogEntry {
        LogEntry {
            seq: 1,
            buf: LogId::Main,
            time_us: 1_690_000_000_123_456,
            pid,
            tid,
            uid,
            prio: Priority::Info,
            tag: tag.into(),
            msg: msg.into(),
        }
    }

    fn fmt(words: &[&str]) -> LogFormat {
        let mut f = LogFormat::new(TimeZone::utc(), 0);
        for w in words {
            f.apply(w).unwrap();
        }
        f
    }

    #[test]
    fn threadtime_epoch_uid_usec_matches_formats_md_example() {
        let f = fmt(&["threadtime", "epoch", "uid", "usec"]);
        assert_eq!(
            f.format(&entry(10123, 4567, 4580, "MyTag", "msg")),
            "         1690000000.123456 10123  4567  4580 I MyTag   : msg\n"
        );
        // a short passwd name is printed instead of the number
        assert_eq!(
            f.format(&entry(1001, 1003, 1003, "TelephonyPermissions", "x")),
            "         1690000000.123456 radio  1003  1003 I TelephonyPermissions: x\n"
        );
        assert_eq!(
            f.format(&entry(1000, 531, 560, "ActivityManager", "x")),
            "         1690000000.123456  1000   531   560 I ActivityManager: x\n"
        );
    }

    #[test]
    fn default_and_brief_and_time_layouts() {
        let f = fmt(&[]);
        assert_eq!(
            f.format(&entry(2000, 8960, 8960, "RCE_POC", "reached")),
            "07-22 04:26:40.123  8960  8960 I RCE_POC : reached\n"
        );
        let b = fmt(&["brief"]);
        assert_eq!(
            b.format(&entry(1000, 1234, 1, "ActivityManager", "msg")),
            "I/ActivityManager( 1234): msg\n"
        );
        let t = fmt(&["time", "uid"]);
        assert_eq!(
            t.format(&entry(1000, 1234, 1, "AM", "msg")),
            "07-22 04:26:40.123 I/AM      ( 1000: 1234): msg\n"
        );
        let l = fmt(&["long"]);
        assert_eq!(
            l.format(&entry(0, 1, 2, "T", "a\nb")),
            "[ 07-22 04:26:40.123     1:    2 I/T        ]\na\nb\n\n"
        );
    }

    #[test]
    fn multi_line_messages_repeat_the_prefix() {
        let f = fmt(&["brief"]);
        assert_eq!(
            f.format(&entry(0, 1, 1, "T", "a\nb\n")),
            "I/T       (    1): a\nI/T       (    1): b\n"
        );
        assert_eq!(f.format(&entry(0, 1, 1, "T", "")), "I/T       (    1): \n");
    }

    #[test]
    fn zone_and_utc_toggle_like_liblog() {
        let sh = TimeZone::named("Asia/Shanghai").unwrap();
        let mut f = LogFormat::new(sh, 0);
        f.apply("zone").unwrap();
        assert!(
            f.format(&entry(0, 1, 1, "T", "m"))
                .starts_with("07-22 12:26:40.123 +0800 ")
        );
        let u = fmt(&["UTC"]);
        assert!(
            u.format(&entry(0, 1, 1, "T", "m"))
                .starts_with("07-22 04:26:40.123 +0000 ")
        );
        let uz = fmt(&["UTC", "zone"]);
        assert!(
            uz.format(&entry(0, 1, 1, "T", "m"))
                .starts_with("07-22 04:26:40.123  ")
        );
        let mut bad = LogFormat::new(TimeZone::utc(), 0);
        assert!(bad.apply("Mars/Olympus").is_err());
    }

    #[test]
    fn printable_escapes_controls_and_backslash() {
        let f = fmt(&["printable", "raw"]);
        assert_eq!(
            f.format(&entry(0, 1, 1, "T", "a\tb\\c\x01\r同意")),
            "a\tb\\\\c\\x01\\r同意\n"
        );
    }

    #[test]
    fn ring_buffer_is_bounded_and_clear_works() {
        let mut s = LogStore::new();
        s.set_capacity(LogId::Main, 1);
        assert_eq!(s.usage(LogId::Main).0, MIN_BUFFER_BYTES);
        for i in 0..10_000 {
            s.push(
                LogId::Main,
                i,
                1,
                1,
                0,
                Priority::Info,
                "T",
                "0123456789012345678901234567890123456789",
            );
        }
        let (cap, used) = s.usage(LogId::Main);
        assert!(used <= cap);
        let got = s.collect(&[LogId::Main], 0);
        assert!(got.len() < 10_000 && !got.is_empty());
        assert_eq!(got.last().unwrap().time_us, 9_999);
        s.push(
            LogId::System,
            1,
            1,
            1,
            0,
            Priority::Info,
            "S",
            &"x".repeat(10_000),
        );
        let sys = s.collect(&[LogId::System], 0);
        assert!(sys[0].msg.len() < MAX_PAYLOAD);
        s.clear(LogId::Main);
        assert!(s.collect(&[LogId::Main], 0).is_empty());
        assert_eq!(s.collect(&[LogId::Main, LogId::System], 0).len(), 1);
    }
}
