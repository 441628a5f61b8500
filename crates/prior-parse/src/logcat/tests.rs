//! Cross-cutting tests of the logcat module: a test-side formatter written from liblog's format
//! strings (`android_log_formatLogLine`, logprint.cpp), every layout × adverb, the real samples
//! in `tests/data/logcat/`, reader edge cases and property tests.

use super::events::{self, AmEvent, Origin, Phase};
use super::*;
use proptest::prelude::*;
use std::io::{BufReader, Cursor, Read};

// ---------------------------------------------------------------------------------------------
// Test-side formatter (independent of the parser).

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum TUid {
    Num(u32),
    Name(&'static str),
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Clock {
    Local,
    Epoch,
    Monotonic,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Prec {
    Milli,
    Micro,
    Nano,
}

/// The `-v` adverbs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Adverbs {
    pub clock: Clock,
    pub prec: Prec,
    pub uid: bool,
    pub year: bool,
    /// Print ` %z` (`zone`, or `UTC` with offset 0).
    pub zone: bool,
    /// The device's UTC offset (used for local times).
    pub offset_s: i32,
    pub printable: bool,
    pub color: bool,
}

impl Adverbs {
    pub const DEFAULT: Adverbs = Adverbs {
        clock: Clock::Local,
        prec: Prec::Milli,
        uid: false,
        year: false,
        zone: false,
        offset_s: 8 * 3600,
        printable: false,
        color: false,
    };
}

#[derive(Debug, Clone)]
pub(super) struct TEntry {
    /// Seconds since the epoch (or since boot for `Clock::Monotonic`).
    pub secs: i64,
    pub nanos: u32,
    pub uid: TUid,
    pub pid: u32,
    pub tid: u32,
    pub pri: char,
    pub tag: Vec<u8>,
    pub msg: Vec<u8>,
}

/// (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    use chrono::Datelike;
    let date = chrono::DateTime::from_timestamp(days * 86_400, 0)
        .unwrap_or_else(|| panic!("day {days} is outside chrono's range"))
        .date_naive();
    (i64::from(date.year()), date.month(), date.day())
}

/// `convertPrintable` of logprint.cpp (bionic `mbrtowc` decodes UTF-8).
pub(super) fn escape_printable(msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < msg.len() {
        let c = msg[i];
        if c >= 0x80 {
            let len = match c {
                0xc2..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf4 => 4,
                _ => 0,
            };
            if len > 0 && i + len <= msg.len() && std::str::from_utf8(&msg[i..i + len]).is_ok() {
                out.extend_from_slice(&msg[i..i + len]);
                i += len;
                continue;
            }
            out.extend_from_slice(format!("\\x{c:02X}").as_bytes());
        } else {
            match c {
                0x07 => out.extend_from_slice(b"\\a"),
                0x08 => out.extend_from_slice(b"\\b"),
                b'\t' => out.push(b'\t'),
                0x0b => out.extend_from_slice(b"\\v"),
                0x0c => out.extend_from_slice(b"\\f"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\\' => out.extend_from_slice(b"\\\\"),
                c if c < b' ' => out.extend_from_slice(format!("\\x{c:02X}").as_bytes()),
                c => out.push(c),
            }
        }
        i += 1;
    }
    out
}

fn time_string(a: &Adverbs, e: &TEntry) -> String {
    let mut s = match a.clock {
        Clock::Epoch => format!("{:>19}", e.secs),
        Clock::Monotonic => format!("{:>6}", e.secs),
        Clock::Local => {
            let local = e.secs + i64::from(a.offset_s);
            let (y, m, d) = civil_from_days(local.div_euclid(86_400));
            let sod = local.rem_euclid(86_400);
            let hms = format!("{:02}:{:02}:{:02}", sod / 3600, sod / 60 % 60, sod % 60);
            if a.year {
                format!("{y:04}-{m:02}-{d:02} {hms}")
            } else {
                format!("{m:02}-{d:02} {hms}")
            }
        }
    };
    match a.prec {
        Prec::Nano => s += &format!(".{:09}", e.nanos),
        Prec::Micro => s += &format!(".{:06}", e.nanos / 1000),
        Prec::Milli => s += &format!(".{:03}", e.nanos / 1_000_000),
    }
    if a.zone && a.clock == Clock::Local {
        let off = a.offset_s;
        let sign = if off < 0 { '-' } else { '+' };
        s += &format!(" {sign}{:02}{:02}", off.abs() / 3600, off.abs() / 60 % 60);
    }
    s
}

fn color_of(pri: char) -> u8 {
    match pri {
        'F' | 'E' => 31,
        'W' => 33,
        'I' => 32,
        'D' => 34,
        _ => 39,
    }
}

/// Bytes logcat prints for `e` in `layout` with adverbs `a` (all lines, each ending in `\n`).
pub(super) fn format(layout: Layout, a: &Adverbs, e: &TEntry) -> Vec<u8> {
    let time = time_string(a, e);
    let uid = if !a.uid {
        String::new()
    } else {
        match e.uid {
            TUid::Num(n) => format!("{n:>5}:"),
            TUid::Name(s) => format!("{s:>5}:"),
            TUid::Unknown => "      ".to_owned(),
        }
    };
    let tag = String::from_utf8_lossy(&e.tag).into_owned();
    let tag_bytes = &e.tag;
    let p = e.pri;
    let (pid, tid) = (e.pid, e.tid);
    // Prefix and suffix as bytes (tags may be invalid UTF-8: splice the raw bytes in).
    let pad = |t: &[u8]| -> Vec<u8> {
        let mut v = t.to_vec();
        while v.len() < 8 {
            v.push(b' ');
        }
        v
    };
    let cat = |parts: &[&[u8]]| -> Vec<u8> { parts.concat() };
    let (prefix, suffix): (Vec<u8>, Vec<u8>) = match layout {
        Layout::Tag => (
            cat(&[format!("{p}/").as_bytes(), &pad(tag_bytes), b": "]),
            b"\n".to_vec(),
        ),
        Layout::Process => (
            format!("{p}({uid}{pid:>5}) ").into_bytes(),
            cat(&[b"  (", tag_bytes, b")\n"]),
        ),
        Layout::Thread => (
            format!("{p}({uid}{pid:>5}:{tid:>5}) ").into_bytes(),
            b"\n".to_vec(),
        ),
        Layout::Raw => (Vec::new(), b"\n".to_vec()),
        Layout::Time => (
            cat(&[
                format!("{time} {p}/").as_bytes(),
                &pad(tag_bytes),
                format!("({uid}{pid:>5}): ").as_bytes(),
            ]),
            b"\n".to_vec(),
        ),
        Layout::ThreadTime => {
            let uid_tt = uid.replacen(':', " ", 1);
            (
                cat(&[
                    format!("{time} {uid_tt}{pid:>5} {tid:>5} {p} ").as_bytes(),
                    &pad(tag_bytes),
                    b": ",
                ]),
                b"\n".to_vec(),
            )
        }
        Layout::Long => (
            cat(&[
                format!("[ {time} {uid}{pid:>5}:{tid:>5} {p}/").as_bytes(),
                &pad(tag_bytes),
                b" ]\n",
            ]),
            b"\n\n".to_vec(),
        ),
        Layout::Brief => (
            cat(&[
                format!("{p}/").as_bytes(),
                &pad(tag_bytes),
                format!("({uid}{pid:>5}): ").as_bytes(),
            ]),
            b"\n".to_vec(),
        ),
    };
    let _ = tag;
    let (prefix, suffix) = if a.color {
        let mut pre = format!("\x1b[{}m", color_of(p)).into_bytes();
        pre.extend_from_slice(&prefix);
        let mut suf = b"\x1b[0m".to_vec();
        suf.extend_from_slice(&suffix);
        (pre, suf)
    } else {
        (prefix, suffix)
    };
    let conv = |m: &[u8]| {
        if a.printable {
            escape_printable(m)
        } else {
            m.to_vec()
        }
    };
    let mut out = Vec::new();
    if layout == Layout::Long {
        out.extend_from_slice(&prefix);
        out.extend_from_slice(&conv(&e.msg));
        out.extend_from_slice(&suffix);
        return out;
    }
    // One output line per message line; an empty message still prints one line.
    let mut lines: Vec<&[u8]> = e.msg.split(|c| *c == b'\n').collect();
    if lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for l in lines {
        out.extend_from_slice(&prefix);
        out.extend_from_slice(&conv(l));
        out.extend_from_slice(&suffix);
    }
    out
}

fn read_all(bytes: &[u8]) -> Vec<Record> {
    LogcatReader::new(Cursor::new(bytes.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .expect("no I/O error")
}

/// The µs the parser should report for `e` at the adverbs' precision.
fn expected_us(a: &Adverbs, e: &TEntry) -> i64 {
    let frac_us = match a.prec {
        Prec::Milli => i64::from(e.nanos / 1_000_000) * 1000,
        _ => i64::from(e.nanos / 1000),
    };
    e.secs * 1_000_000 + frac_us
}

/// Checks one parsed entry against what `layout` can carry of `e`.
fn check_entry(layout: Layout, a: &Adverbs, e: &TEntry, rec: &Record, expect_msg: &[u8]) {
    let Record::Entry {
        layout: got_layout,
        time,
        uid,
        pid,
        tid,
        priority,
        tag,
        message,
        truncated,
        ..
    } = rec
    else {
        panic!("{layout:?} {a:?}: not an entry: {rec:?}")
    };
    assert_eq!(*got_layout, layout, "{a:?} {rec:?}");
    assert!(!truncated);
    assert_eq!(priority.map(|p| p.as_char()), Some(e.pri), "{rec:?}");
    assert_eq!(
        message.as_bytes(),
        String::from_utf8_lossy(expect_msg).as_bytes(),
        "{layout:?} {a:?}"
    );
    let has_tag = !matches!(layout, Layout::Thread);
    if has_tag {
        assert_eq!(
            tag.as_bytes(),
            String::from_utf8_lossy(&e.tag).as_bytes(),
            "{layout:?} {a:?} {rec:?}"
        );
    }
    assert_eq!(
        *pid,
        if layout == Layout::Tag {
            None
        } else {
            Some(e.pid)
        },
        "{layout:?} {a:?}"
    );
    let has_tid = matches!(layout, Layout::Thread | Layout::ThreadTime | Layout::Long);
    assert_eq!(*tid, if has_tid { Some(e.tid) } else { None }, "{layout:?}");
    let want_uid = if !a.uid || layout == Layout::Tag {
        None
    } else {
        match e.uid {
            TUid::Num(n) => Some(OwnedUid::Id(n)),
            TUid::Name(s) => Some(OwnedUid::Name(s.to_owned())),
            TUid::Unknown => None,
        }
    };
    assert_eq!(*uid, want_uid, "{layout:?} {a:?} {rec:?}");
    let has_time = matches!(layout, Layout::Time | Layout::ThreadTime | Layout::Long);
    if !has_time {
        assert_eq!(*time, None);
        return;
    }
    let t = time.unwrap_or_else(|| panic!("no time: {rec:?}"));
    let want = expected_us(a, e);
    match (a.clock, t) {
        (Clock::Epoch, LogTime::Epoch(us)) | (Clock::Monotonic, LogTime::Monotonic(us)) => {
            assert_eq!(us, want)
        }
        (Clock::Local, LogTime::Local(lt)) => {
            let (year, ..) = civil_from_days((e.secs + i64::from(a.offset_s)).div_euclid(86_400));
            assert_eq!(lt.year.is_some(), a.year);
            assert_eq!(lt.utc_offset_s.is_some(), a.zone, "{a:?} {lt:?}");
            // With the zone printed, the default offset must not matter.
            let default_off = if a.zone { -7 * 3600 } else { a.offset_s };
            assert_eq!(
                lt.to_epoch_us(year as i32, default_off),
                Some(want),
                "{a:?} {lt:?}"
            );
        }
        (c, t) => panic!("clock {c:?} parsed as {t:?}"),
    }
}

const LAYOUTS: [Layout; 7] = [
    Layout::Brief,
    Layout::Process,
    Layout::Tag,
    Layout::Thread,
    Layout::Time,
    Layout::ThreadTime,
    Layout::Long,
];

fn adverb_matrix() -> Vec<Adverbs> {
    let mut v = Vec::new();
    for clock in [Clock::Local, Clock::Epoch, Clock::Monotonic] {
        for prec in [Prec::Milli, Prec::Micro, Prec::Nano] {
            for uid in [false, true] {
                for (year, zone, offset_s) in [
                    (false, false, 8 * 3600),
                    (true, false, 0),
                    (false, true, 8 * 3600),
                    (true, true, -(3 * 3600 + 1800)),
                ] {
                    if clock != Clock::Local && (year || zone) {
                        continue; // year/zone only affect calendar times
                    }
                    for (printable, color) in [(false, false), (true, false), (false, true)] {
                        v.push(Adverbs {
                            clock,
                            prec,
                            uid,
                            year,
                            zone,
                            offset_s,
                            printable,
                            color,
                        });
                    }
                }
            }
        }
    }
    v
}

fn sample_entry(uid: TUid, tag: &str, msg: &str) -> TEntry {
    TEntry {
        secs: 1_764_358_200,
        nanos: 123_456_789,
        uid,
        pid: 4567,
        tid: 4580,
        pri: 'I',
        tag: tag.as_bytes().to_vec(),
        msg: msg.as_bytes().to_vec(),
    }
}

// ---------------------------------------------------------------------------------------------
// The same entry in every layout and adverb combination parses to the same fields.

#[test]
fn every_layout_and_adverb_parses_to_the_same_fields() {
    let uids = [
        TUid::Num(10123),
        TUid::Num(1000),
        TUid::Name("root"),
        TUid::Name("shell"),
        TUid::Unknown,
    ];
    let tags = [
        "ActivityManager",
        "MyTag",
        "a",
        "",
        "Tag With Space",
        "am_proc_start",
        "android::Foo",
    ];
    let msgs = [
        "hello: world (1234): x",
        "",
        "  leading and trailing  ",
        "tab\there \\ back",
        "ünï €",
    ];
    let mut n = 0;
    for a in adverb_matrix() {
        for layout in LAYOUTS {
            for (i, uid) in uids.iter().enumerate() {
                let tag = tags[(i + n) % tags.len()];
                let msg = msgs[(i * 3 + n) % msgs.len()];
                let mut e = sample_entry(*uid, tag, msg);
                if a.clock == Clock::Monotonic {
                    e.secs = 12_345;
                }
                let bytes = format(layout, &a, &e);
                let recs = read_all(&bytes);
                assert_eq!(
                    recs.len(),
                    1,
                    "{layout:?} {a:?} {:?} -> {recs:?}",
                    String::from_utf8_lossy(&bytes)
                );
                let shown = if a.printable {
                    escape_printable(&e.msg)
                } else {
                    e.msg.clone()
                };
                check_entry(layout, &a, &e, &recs[0], &shown);
                if let Record::Entry { message, .. } = &recs[0] {
                    assert_eq!(
                        &*unescape_printable(message.as_bytes()),
                        if a.printable { &e.msg[..] } else { &shown[..] }
                    );
                }
                // The borrowed single-line parser agrees for single-line layouts.
                if layout != Layout::Long {
                    let first = bytes.split(|c| *c == b'\n').next().expect("a first line");
                    let l = parse_line(first).expect("parses");
                    assert_eq!(l.layout, layout);
                    assert_eq!(l.message, &shown[..]);
                }
                n += 1;
            }
        }
    }
    assert!(n > 1500, "{n} combinations");
}

/// The exact shape of `raw/logcat.txt` in a bundle (`-v epoch,uid,usec,printable`), with the
/// consent markers the recorder writes with `log -t prior '<marker>'`.
#[test]
fn bundle_capture_with_consent_markers() {
    let text = "--------- beginning of main\n         1764358200.123456  2000  4567  4567 I prior   : prior-consent-begin-7f3a\n         1764358200.456789 10123  4580  4601 D OkHttp  : --> GET https://t.example/x \\\\ \\x1B\n         1764358200.500001  2000  4570  4570 I prior   : prior-consent-end-7f3a\n";
    let recs = read_all(text.as_bytes());
    let markers: Vec<(u64, i64, String)> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Entry {
                line_no,
                time: Some(LogTime::Epoch(us)),
                tag,
                message,
                uid,
                ..
            } if tag == "prior" => {
                assert_eq!(uid.as_ref().map(|u| u.as_uid().id()), Some(Some(2000)));
                Some((*line_no, *us, message.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        markers,
        vec![
            (
                2,
                1_764_358_200_123_456,
                "prior-consent-begin-7f3a".to_owned()
            ),
            (
                4,
                1_764_358_200_500_001,
                "prior-consent-end-7f3a".to_owned()
            ),
        ]
    );
    let Record::Entry {
        message, buffer, ..
    } = &recs[2]
    else {
        panic!("{:?}", recs[2])
    };
    assert_eq!(*buffer, Some(Buffer::Main));
    assert_eq!(
        &*unescape_printable(message.as_bytes()),
        b"--> GET https://t.example/x \\ \x1b"
    );
    assert_eq!(LogUid::Name("shell").id(), Some(2000));
    assert_eq!(LogUid::Name("system").id(), None);
    assert_eq!(LogTime::Monotonic(5).to_epoch_us(2025, 0), None);
}

#[test]
fn raw_layout_lines_are_unparsed_text() {
    let e = sample_entry(TUid::Unknown, "T", "just a message\nsecond line");
    let bytes = format(Layout::Raw, &Adverbs::DEFAULT, &e);
    let recs = read_all(&bytes);
    assert_eq!(
        recs,
        vec![
            Record::Unparsed {
                line_no: 1,
                text: "just a message".into(),
                truncated: false
            },
            Record::Unparsed {
                line_no: 2,
                text: "second line".into(),
                truncated: false
            },
        ]
    );
    assert_eq!(LogLine::raw(b"x").layout, Layout::Raw);
}

#[test]
fn multi_line_messages_repeat_the_prefix() {
    let e = sample_entry(TUid::Num(10123), "Tag", "line one\nline two\n\nline four");
    let a = Adverbs {
        clock: Clock::Epoch,
        prec: Prec::Micro,
        uid: true,
        ..Adverbs::DEFAULT
    };
    let bytes = format(Layout::ThreadTime, &a, &e);
    let recs = read_all(&bytes);
    let msgs: Vec<_> = recs
        .iter()
        .map(|r| match r {
            Record::Entry {
                message, line_no, ..
            } => (*line_no, message.as_str()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        msgs,
        vec![(1, "line one"), (2, "line two"), (3, ""), (4, "line four")]
    );
}

// ---------------------------------------------------------------------------------------------
// `long` blocks.

#[test]
fn long_blocks_are_joined() {
    let a = Adverbs {
        clock: Clock::Epoch,
        prec: Prec::Micro,
        uid: true,
        ..Adverbs::DEFAULT
    };
    let mut bytes = b"--------- beginning of main\n".to_vec();
    let e1 = sample_entry(
        TUid::Num(10123),
        "MyTag",
        "first line\n\nthird line after a blank",
    );
    bytes.extend(format(Layout::Long, &a, &e1));
    let e2 = sample_entry(TUid::Name("root"), "ActivityManager", "single");
    bytes.extend(format(Layout::Long, &a, &e2));
    bytes.extend_from_slice(b"--------- beginning of system\n");
    let e3 = sample_entry(
        TUid::Unknown,
        "x",
        "08-05 12:00:00.123  1  2 I Fake: looks like an entry",
    );
    bytes.extend(format(Layout::Long, &a, &e3));
    let recs = read_all(&bytes);
    assert_eq!(recs.len(), 5, "{recs:#?}");
    assert!(matches!(
        &recs[0],
        Record::Divider {
            line_no: 1,
            buffer: Buffer::Main,
            ..
        }
    ));
    match &recs[1] {
        Record::Entry {
            line_no,
            last_line_no,
            buffer,
            message,
            tag,
            uid,
            layout,
            ..
        } => {
            assert_eq!((*line_no, *last_line_no), (2, 5));
            assert_eq!(*buffer, Some(Buffer::Main));
            assert_eq!(message, "first line\n\nthird line after a blank");
            assert_eq!(tag, "MyTag");
            assert_eq!(*uid, Some(OwnedUid::Id(10123)));
            assert_eq!(*layout, Layout::Long);
        }
        other => panic!("{other:?}"),
    }
    match &recs[2] {
        Record::Entry {
            line_no,
            message,
            uid,
            ..
        } => {
            assert_eq!(*line_no, 7);
            assert_eq!(message, "single");
            assert_eq!(*uid, Some(OwnedUid::Name("root".into())));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &recs[3],
        Record::Divider {
            line_no: 10,
            buffer: Buffer::System,
            ..
        }
    ));
    match &recs[4] {
        Record::Entry {
            message, buffer, ..
        } => {
            // A first message line is message text even if it looks like an entry.
            assert_eq!(
                message,
                "08-05 12:00:00.123  1  2 I Fake: looks like an entry"
            );
            assert_eq!(*buffer, Some(Buffer::System));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn long_block_edge_cases() {
    // EOF without the trailing blank line, CRLF, colour, printable newline.
    let text = "[ 08-05 12:00:00.123  1234: 1250 I/Tag      ]\r\nmsg one\r\nmsg two";
    let recs = read_all(text.as_bytes());
    assert_eq!(recs.len(), 1);
    assert!(
        matches!(&recs[0], Record::Entry { message, pid: Some(1234), tid: Some(1250), .. } if message == "msg one\nmsg two")
    );

    let a = Adverbs {
        color: true,
        printable: true,
        ..Adverbs::DEFAULT
    };
    let e = sample_entry(TUid::Unknown, "Tag", "a\nb");
    let bytes = format(Layout::Long, &a, &e);
    let recs = read_all(&bytes);
    assert_eq!(recs.len(), 1, "{recs:?}");
    match &recs[0] {
        Record::Entry { message, .. } => {
            assert_eq!(message, "a\\x0Ab");
            assert_eq!(&*unescape_printable(message.as_bytes()), b"a\nb");
        }
        other => panic!("{other:?}"),
    }

    // An entry in another layout after the blank line ends the block.
    let text = "[ 08-05 12:00:00.123  1234: 1250 I/Tag      ]\nbody\n\n08-05 12:00:01.000  1  2 W Next: after\n";
    let recs = read_all(text.as_bytes());
    assert_eq!(recs.len(), 2);
    assert!(matches!(&recs[0], Record::Entry { message, .. } if message == "body"));
    assert!(matches!(&recs[1], Record::Entry { line_no: 4, tag, .. } if tag == "Next"));

    // A header right after the message (blank line lost) still ends the block.
    let text = "[ 08-05 12:00:00.123  1234: 1250 I/A ]\nbody\n[ 08-05 12:00:00.124  1234: 1250 I/B ]\nbody2\n\n";
    let recs = read_all(text.as_bytes());
    assert_eq!(recs.len(), 2);
    assert!(
        matches!(&recs[1], Record::Entry { tag, message, line_no: 3, .. } if tag == "B" && message == "body2")
    );

    // Empty message.
    let recs = read_all(b"[ 08-05 12:00:00.123  1234: 1250 I/A ]\n\n\n");
    assert!(matches!(&recs[..], [Record::Entry { message, .. }] if message.is_empty()));
}

// ---------------------------------------------------------------------------------------------
// Real samples.

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../tests/data/logcat/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn entries(bytes: &[u8]) -> Vec<(u64, LogLine<'_>)> {
    bytes
        .split(|c| *c == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| {
            (
                i as u64 + 1,
                parse_line(l)
                    .unwrap_or_else(|| panic!("line {}: {:?}", i + 1, String::from_utf8_lossy(l))),
            )
        })
        .collect()
}

#[test]
fn sample_events_launch() {
    let bytes = fixture("logcat-events-launch-1.txt");
    let lines = entries(&bytes);
    assert_eq!(lines.len(), 23);
    assert!(
        lines
            .iter()
            .all(|(_, l)| l.layout == Layout::ThreadTime && l.priority == Some(Priority::Info))
    );
    let decoded: Vec<(u64, AmEvent)> = lines
        .iter()
        .filter_map(|(n, l)| Some((*n, events::decode_line(l)?)))
        .collect();

    let AmEvent::ProcStart(ps) = &decoded[0].1 else {
        panic!("{decoded:?}")
    };
    assert_eq!(decoded[0].0, 1);
    assert_eq!(
        (ps.pid, ps.uid, ps.user, ps.origin),
        (13252, 10104, Some(0), Origin::Text)
    );
    assert_eq!(ps.process, "com.debug.view");
    assert_eq!(ps.hosting_type, "pre-top-activity");
    assert_eq!(
        ps.hosting_component(),
        Some("com.debug.view/com.debug.view.MainActivity")
    );

    let create = decoded.iter().find_map(|(n, e)| match e {
        AmEvent::Lifecycle(l) if l.phase == Phase::Create => Some((*n, l.clone())),
        _ => None,
    });
    let (n, create) = create.expect("wm_on_create_called decoded");
    assert_eq!(n, 15);
    assert_eq!(create.token, Some(164_222_498));
    assert_eq!(create.component, "com.debug.view.MainActivity");
    assert_eq!(create.reason.as_deref(), Some("performCreate"));
    // The missing space after the colon: tag and message split correctly.
    assert_eq!(lines[14].1.tag, b"wm_on_create_called");
    assert_eq!(lines[14].1.pid, Some(13252));

    let phases: Vec<Phase> = decoded
        .iter()
        .filter_map(|(_, e)| match e {
            AmEvent::Lifecycle(l) if l.component == "com.debug.view.MainActivity" => {
                Some(l.phase.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        phases,
        vec![
            Phase::Create,
            Phase::Start,
            Phase::Resume,
            Phase::TopResumedGained
        ]
    );

    let lt = decoded.iter().find_map(|(_, e)| match e {
        AmEvent::LaunchTime(l) => Some(l.clone()),
        _ => None,
    });
    let lt = lt.expect("launch time");
    assert_eq!(
        (lt.user, lt.token, lt.component.as_str(), lt.duration_ms),
        (
            Some(0),
            Some(164_222_498),
            "com.debug.view/.MainActivity",
            Some(892)
        )
    );

    let ca = decoded.iter().find_map(|(_, e)| match e {
        AmEvent::CreateActivity(c) => Some(c.clone()),
        _ => None,
    });
    let ca = ca.expect("create activity");
    assert_eq!(ca.component, "com.debug.view/.MainActivity");
    assert_eq!(ca.action.as_deref(), Some("android.intent.action.MAIN"));
    assert_eq!(
        (ca.mime_type, ca.uri, ca.flags, ca.task_id),
        (None, None, Some(268_435_456), Some(800))
    );

    assert!(decoded.iter().any(|(_, e)| matches!(e, AmEvent::SetResumedActivity(s)
        if s.component == "com.debug.view/.MainActivity" && s.reason.as_deref() == Some("minimalResumeActivityLocked"))));
    // input_focus and the other wm_ tags are not decoded.
    assert_eq!(decoded.len(), 1 + 7 + 1 + 1 + 1, "{decoded:#?}");
}

#[test]
fn sample_displayed() {
    let bytes = fixture("logcat-threadtime-displayed-android9-1.txt");
    let ds: Vec<_> = entries(&bytes)
        .iter()
        .map(|(_, l)| match events::decode_line(l) {
            Some(AmEvent::Displayed(d)) => (d.duration_ms, d.user, d.component),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        ds.iter().map(|d| d.0).collect::<Vec<_>>(),
        vec![136, 145, 1255, 580, 469]
    );
    assert_eq!(ds[3].2, "org.androworks.meteorgram/.MeteorgramActivity");
    assert!(ds.iter().all(|d| d.1.is_none()));

    let bytes = fixture("logcat-threadtime-displayed-for-user-1.txt");
    let ds: Vec<_> = entries(&bytes)
        .iter()
        .map(|(_, l)| match events::decode_line(l) {
            Some(AmEvent::Displayed(d)) => (d.duration_ms, d.user, d.component),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        ds,
        vec![
            (
                1071,
                Some(0),
                "com.minimalapp/.wear.MainActivity".to_owned()
            ),
            (427, Some(0), "com.bigdrops.app/.MainActivity".to_owned())
        ]
    );
}

#[test]
fn sample_startproc_android6_through_the_reader() {
    let bytes = fixture("logcat-threadtime-startproc-android6-1.txt");
    let recs = read_all(&bytes);
    assert_eq!(recs.len(), 5);
    assert!(
        matches!(&recs[0], Record::Entry { line_no: 1, buffer: None, tag, .. } if tag == "AndroidRuntime")
    );
    assert!(
        matches!(&recs[1], Record::Divider { line_no: 2, buffer: Buffer::System, name } if name == "system")
    );
    let Record::Entry {
        line_no: 3,
        buffer: Some(Buffer::System),
        tag,
        message,
        pid: Some(873),
        ..
    } = &recs[2]
    else {
        panic!("{:?}", recs[2])
    };
    let Some(AmEvent::StartActivity(s)) = events::decode(tag.as_bytes(), message.as_bytes()) else {
        panic!("{message}")
    };
    assert_eq!(
        s.component.as_deref(),
        Some("com.test.thalitest/.MainActivity")
    );
    assert_eq!(
        (s.user, s.from_uid, s.flags, s.is_permission_request),
        (Some(0), Some(2000), Some(0x1000_0000), false)
    );
    let Record::Entry {
        line_no: 4,
        tag,
        message,
        ..
    } = &recs[3]
    else {
        panic!()
    };
    let Some(AmEvent::ProcStart(p)) = events::decode(tag.as_bytes(), message.as_bytes()) else {
        panic!("{message}")
    };
    assert_eq!(
        (p.pid, p.uid, p.process.as_str(), p.hosting_type.as_str()),
        (3857, 10000, "com.test.thalitest", "activity")
    );
    assert_eq!(
        p.hosting.as_deref(),
        Some("com.test.thalitest/.MainActivity")
    );
}

// ---------------------------------------------------------------------------------------------
// Reader robustness.

#[test]
fn crlf_and_leading_spaces_and_dividers() {
    let text = "--------- beginning of main\r\n   08-05 12:00:00.123  1234  1250 I Tag: crlf\r\n\r\n  --------- switch to events \r\n08-05 12:00:00.124  1234  1250 I am_kill: [0,1,x,900,empty #17,2048]\r\n";
    let recs = read_all(text.as_bytes());
    assert_eq!(recs.len(), 4, "{recs:?}");
    assert!(matches!(&recs[1], Record::Entry { line_no: 2, message, .. } if message == "crlf"));
    assert!(matches!(
        &recs[2],
        Record::Divider {
            line_no: 4,
            buffer: Buffer::Events,
            ..
        }
    ));
    let Record::Entry {
        line_no: 5,
        buffer: Some(Buffer::Events),
        tag,
        message,
        ..
    } = &recs[3]
    else {
        panic!("{:?}", recs[3])
    };
    let Some(AmEvent::Kill(k)) = events::decode(tag.as_bytes(), message.as_bytes()) else {
        panic!()
    };
    assert_eq!(
        (k.pid, k.reason.as_str(), k.rss_kb, k.oom_adj),
        (1, "empty #17", Some(2048), Some(900))
    );
}

#[test]
fn invalid_utf8_is_kept_lossily() {
    let mut line = b"08-05 12:00:00.123  1234  1250 E T\xffg: bad \xc3\x28 bytes \xe2\x82".to_vec();
    let l = parse_line(&line).expect("parses");
    assert_eq!(l.tag, b"T\xffg");
    assert_eq!(l.message, b"bad \xc3\x28 bytes \xe2\x82");
    assert_eq!(l.tag_str(), None);
    assert_eq!(l.tag_lossy(), "T\u{fffd}g");
    line.push(b'\n');
    line.extend_from_slice(b"\xff\xfe raw garbage\n");
    let recs = read_all(&line);
    assert!(
        matches!(&recs[0], Record::Entry { message, .. } if message == "bad \u{fffd}( bytes \u{fffd}")
    );
    assert!(
        matches!(&recs[1], Record::Unparsed { text, line_no: 2, .. } if text == "\u{fffd}\u{fffd} raw garbage")
    );
}

/// Generates `len` bytes of `fill` after `head`, then `tail`, without holding them.
struct Generated {
    head: Vec<u8>,
    len: u64,
    fill: u8,
    tail: Vec<u8>,
    pos: u64,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let head = self.head.len() as u64;
        let p = self.pos;
        let n = if p < head {
            let src = &self.head[p as usize..];
            let n = src.len().min(buf.len());
            buf[..n].copy_from_slice(&src[..n]);
            n
        } else if p < head + self.len {
            let n = ((head + self.len - p) as usize).min(buf.len());
            buf[..n].fill(self.fill);
            n
        } else {
            let src = self
                .tail
                .get((p - head - self.len) as usize..)
                .unwrap_or(&[]);
            let n = src.len().min(buf.len());
            buf[..n].copy_from_slice(&src[..n]);
            n
        };
        self.pos += n as u64;
        Ok(n)
    }
}

#[test]
fn ten_megabyte_line_is_capped_and_flagged() {
    let ten_mb = 10 * 1024 * 1024;
    let src = Generated {
        head: b"08-05 12:00:00.123  1234  1250 I Huge: ".to_vec(),
        len: ten_mb,
        fill: b'x',
        tail: b"\r\n08-05 12:00:00.124  1234  1250 I After: ok\n".to_vec(),
        pos: 0,
    };
    let mut r = LogcatReader::new(BufReader::with_capacity(8192, src));
    match r.next_record().expect("no I/O error") {
        Some(RecordRef::Entry {
            line_no: 1,
            truncated: true,
            line,
            ..
        }) => {
            assert_eq!(line.tag, b"Huge");
            assert_eq!(line.message.len(), crate::MAX_LINE - 39);
            assert!(line.message.iter().all(|c| *c == b'x'));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        r.buffered_capacity() <= 3 * crate::MAX_LINE,
        "{}",
        r.buffered_capacity()
    );
    match r.next_record().expect("no I/O error") {
        Some(RecordRef::Entry {
            line_no: 2,
            truncated: false,
            line,
            ..
        }) => assert_eq!(line.message, b"ok"),
        other => panic!("{other:?}"),
    }
    assert!(r.next_record().expect("no I/O error").is_none());

    // A huge `long` message (one line, then many short ones), same bound.
    let mut tail = b"\n".to_vec();
    for _ in 0..2000 {
        tail.extend_from_slice(&[b'w'; 100]);
        tail.push(b'\n');
    }
    tail.extend_from_slice(b"\n");
    let src = Generated {
        head: b"[ 08-05 12:00:00.123  1234: 1250 I/Big ]\n".to_vec(),
        len: ten_mb,
        fill: b'y',
        tail,
        pos: 0,
    };
    let mut r = LogcatReader::new(BufReader::new(src));
    match r.next_record().expect("no I/O error") {
        Some(RecordRef::Entry {
            line_no: 1,
            truncated: true,
            line,
            last_line_no,
            ..
        }) => {
            assert_eq!(line.message.len(), crate::MAX_LINE);
            assert!(line.message.iter().all(|c| *c == b'y'));
            assert_eq!(last_line_no, 2 + 2000);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        r.buffered_capacity() <= 3 * crate::MAX_LINE,
        "{}",
        r.buffered_capacity()
    );
    assert!(r.next_record().expect("no I/O error").is_none());

    let src = Generated {
        head: Vec::new(),
        len: ten_mb,
        fill: 0xff,
        tail: Vec::new(),
        pos: 0,
    };
    let recs: Vec<_> = LogcatReader::from_read(src)
        .collect::<Result<_, _>>()
        .expect("no I/O error");
    assert!(
        matches!(&recs[..], [Record::Unparsed { line_no: 1, truncated: true, text }] if text.chars().count() == crate::MAX_LINE)
    );
}

#[test]
fn cap_boundary_with_crlf() {
    let mut line = vec![b'z'; crate::MAX_LINE];
    line.extend_from_slice(b"\r\n");
    let mut r = LogcatReader::new(BufReader::with_capacity(7, Cursor::new(line.clone())));
    match r.next_record().expect("no I/O error") {
        Some(RecordRef::Unparsed {
            truncated: false,
            text,
            ..
        }) => assert_eq!(text.len(), crate::MAX_LINE),
        other => panic!("{other:?}"),
    }
    line.insert(0, b'z');
    let mut r = LogcatReader::new(BufReader::with_capacity(7, Cursor::new(line)));
    match r.next_record().expect("no I/O error") {
        Some(RecordRef::Unparsed {
            truncated: true,
            text,
            ..
        }) => assert_eq!(text.len(), crate::MAX_LINE),
        other => panic!("{other:?}"),
    }
}

#[test]
fn read_errors_are_reported_with_the_line() {
    struct Failing(u8);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                self.0 = 1;
                let s = b"08-05 12:00:00.123  1  2 I T: a\n";
                buf[..s.len()].copy_from_slice(s);
                return Ok(s.len());
            }
            Err(std::io::Error::other("boom"))
        }
    }
    let mut it = LogcatReader::new(BufReader::new(Failing(0)));
    assert!(matches!(it.next(), Some(Ok(Record::Entry { .. }))));
    let err = it.next().expect("an item").expect_err("an error");
    assert_eq!(err.to_string(), "read the logcat capture after line 1");
    assert!(it.next().is_none());
}

// ---------------------------------------------------------------------------------------------
// Events decoding.

fn ev(tag: &str, msg: &str) -> Option<AmEvent> {
    events::decode(tag.as_bytes(), msg.as_bytes())
}

#[test]
fn events_proc_start_variants() {
    let plain = "[0,13252,10104,com.debug.view,pre-top-activity,{com.debug.view/com.debug.view.MainActivity}]";
    let descr = "[User=0,PID=13252,UID=10104,Process Name=com.debug.view,Type=pre-top-activity,Component={com.debug.view/com.debug.view.MainActivity}]";
    for p in [plain, descr, &plain.replace("am_", "")] {
        let Some(AmEvent::ProcStart(s)) = ev("am_proc_start", p) else {
            panic!("{p}")
        };
        assert_eq!(
            (s.user, s.pid, s.uid, s.origin, s.truncated),
            (Some(0), 13252, 10104, Origin::EventLog, false)
        );
        assert_eq!(
            (s.process.as_str(), s.hosting_type.as_str()),
            ("com.debug.view", "pre-top-activity")
        );
        assert_eq!(
            s.hosting_component(),
            Some("com.debug.view/com.debug.view.MainActivity")
        );
    }
    // Numeric tag (no tag map), commas inside braces, truncation, user-less old layout.
    let Some(AmEvent::ProcStart(s)) = ev(
        "[30014]",
        "[10,1010005,1010123,com.x:remote,service,{com.x/com.x.Svc,extra}]",
    ) else {
        panic!()
    };
    assert_eq!(
        (s.user, s.uid, s.process.as_str()),
        (Some(10), 1_010_123, "com.x:remote")
    );
    assert_eq!(s.hosting.as_deref(), Some("{com.x/com.x.Svc,extra}"));
    let Some(AmEvent::ProcStart(s)) = ev(
        "am_proc_start",
        "[0,13252,10104,com.debug.view,pre-top-act^",
    ) else {
        panic!()
    };
    assert!(s.truncated);
    assert_eq!((s.hosting_type.as_str(), s.hosting), ("pre-top-act", None));
    let Some(AmEvent::ProcStart(s)) =
        ev("am_proc_start", "[6817,10118,com.x,activity,com.x/.Main]")
    else {
        panic!()
    };
    assert_eq!(
        (s.pid, s.uid, s.process.as_str(), s.hosting.as_deref()),
        (6817, 10118, "com.x", Some("com.x/.Main"))
    );
    assert_eq!(ev("am_proc_start", "[0,x]"), None);
    assert_eq!(ev("am_proc_start", "not a list"), None);
}

#[test]
fn events_death_kill_crash_anr() {
    let Some(AmEvent::ProcDied(d)) = ev("am_proc_died", "[0,13252,com.debug.view,900,19]") else {
        panic!()
    };
    assert_eq!(
        (d.user, d.pid, d.process.as_str(), d.oom_adj, d.proc_state),
        (Some(0), 13252, "com.debug.view", Some(900), Some(19))
    );
    let Some(AmEvent::ProcDied(d)) = ev("am_proc_died", "[13252,com.debug.view]") else {
        panic!()
    };
    assert_eq!((d.user, d.pid, d.oom_adj), (None, 13252, None));

    let Some(AmEvent::Kill(k)) = ev(
        "am_kill",
        "[0,4321,com.x,906,excessive cpu 1 during 2, limit 3]",
    ) else {
        panic!()
    };
    assert_eq!(
        (k.reason.as_str(), k.rss_kb),
        ("excessive cpu 1 during 2, limit 3", None)
    );
    let Some(AmEvent::Kill(k)) = ev("am_kill", "[4321,com.x,906,empty]") else {
        panic!()
    };
    assert_eq!(
        (k.user, k.pid, k.process.as_str(), k.reason.as_str()),
        (None, 4321, "com.x", "empty")
    );

    let crash = "[0,13252,com.debug.view,952745540,java.lang.IllegalStateException,boom, with comma,MainActivity.java,42,0]";
    let Some(AmEvent::Crash(c)) = ev("am_crash", crash) else {
        panic!()
    };
    assert_eq!(c.message.as_deref(), Some("boom, with comma"));
    assert_eq!(
        (c.file.as_deref(), c.line, c.recoverable),
        (Some("MainActivity.java"), Some(42), Some(false))
    );
    assert_eq!(
        c.exception.as_deref(),
        Some("java.lang.IllegalStateException")
    );
    let Some(AmEvent::Crash(c)) = ev("am_crash", "[0,1,p,0,E,a,b,F.java,7]") else {
        panic!()
    };
    assert_eq!(
        (
            c.message.as_deref(),
            c.file.as_deref(),
            c.line,
            c.recoverable
        ),
        (Some("a,b"), Some("F.java"), Some(7), None)
    );

    let Some(AmEvent::Anr(a)) = ev(
        "am_anr",
        "[0,4321,com.x,952745540,Input dispatching timed out (a, b)]",
    ) else {
        panic!()
    };
    assert_eq!(
        (a.pid, a.package.as_str(), a.reason.as_deref()),
        (4321, "com.x", Some("Input dispatching timed out (a, b)"))
    );
}

#[test]
fn events_lifecycle_launch_create_resumed() {
    let Some(AmEvent::Lifecycle(l)) = ev("am_on_resume_called", "[0,com.x.Main,RESUME_ACTIVITY]")
    else {
        panic!()
    };
    assert_eq!((l.phase, l.user, l.token), (Phase::Resume, Some(0), None));
    let Some(AmEvent::Lifecycle(l)) = ev("am_on_paused_called", "[0,com.x.Main]") else {
        panic!()
    };
    assert_eq!((l.phase, l.reason), (Phase::Pause, None));
    let Some(AmEvent::Lifecycle(l)) =
        ev("wm_on_destroy_called", "[5,com.x.Main,performDestroy,17]")
    else {
        panic!()
    };
    assert_eq!(
        (l.phase, l.token, l.reason.as_deref()),
        (Phase::Destroy, Some(5), Some("performDestroy"))
    );
    let Some(AmEvent::Lifecycle(l)) = ev("wm_on_new_thing_called", "[5,com.x.Main,r]") else {
        panic!()
    };
    assert_eq!(l.phase, Phase::Other("new_thing".into()));
    let Some(AmEvent::Lifecycle(l)) = ev(
        "[30057]",
        "[Token=5,Component Name=com.x.Main,Reason=performCreate]",
    ) else {
        panic!()
    };
    assert_eq!(
        (l.phase, l.component.as_str(), l.reason.as_deref()),
        (Phase::Create, "com.x.Main", Some("performCreate"))
    );

    let Some(AmEvent::LaunchTime(t)) =
        ev("am_activity_launch_time", "[0,1234,com.x/.Main,550,1200]")
    else {
        panic!()
    };
    assert_eq!((t.duration_ms, t.total_ms), (Some(550), Some(1200)));
    let Some(AmEvent::LaunchTime(t)) = ev(
        "wm_activity_launch_time",
        "[User=0,Token=1,Component Name=com.x/.Main,time=1.05s]",
    ) else {
        panic!()
    };
    assert_eq!(t.duration_ms, Some(1050));
    let Some(AmEvent::LaunchTime(t)) =
        ev("wm_activity_launch_time", "[0,1,com.x/.Main,time=892ms]")
    else {
        panic!()
    };
    assert_eq!(t.duration_ms, Some(892));

    let Some(AmEvent::CreateActivity(c)) = ev(
        "wm_create_activity",
        "[0,1,2,com.x/.Main,android.intent.action.VIEW,text/plain,https://h/p?a=1,b=2,268435456]",
    ) else {
        panic!()
    };
    assert_eq!(
        (c.uri.as_deref(), c.flags, c.mime_type.as_deref()),
        (
            Some("https://h/p?a=1,b=2"),
            Some(268_435_456),
            Some("text/plain")
        )
    );
    let Some(AmEvent::SetResumedActivity(s)) = ev(
        "am_set_resumed_activity",
        "[0,com.x/.Main,resumeTopActivity]",
    ) else {
        panic!()
    };
    assert_eq!(s.reason.as_deref(), Some("resumeTopActivity"));

    assert_eq!(ev("wm_task_moved", "[800,1,1]"), None);
    assert_eq!(ev("input_focus", "[x]"), None);
    assert_eq!(ev("wm_on_create_called", "[]"), None);
    assert_eq!(ev("wm_create_activity", "[]"), None);
}

#[test]
fn text_lines() {
    let Some(AmEvent::ProcStart(p)) = ev(
        "ActivityManager",
        "Start proc com.x for activity com.x/.Main: pid=6817 uid=10118 gids={50118, 3003} abi=armeabi-v7a",
    ) else {
        panic!()
    };
    assert_eq!(
        (
            p.pid,
            p.uid,
            p.process.as_str(),
            p.hosting_type.as_str(),
            p.hosting.as_deref()
        ),
        (6817, 10118, "com.x", "activity", Some("com.x/.Main"))
    );
    let Some(AmEvent::ProcStart(p)) = ev(
        "ActivityManager",
        "Start proc 4321:com.x:cp/u10a55 for content provider {com.x/com.x.Prov}",
    ) else {
        panic!()
    };
    assert_eq!(
        (
            p.uid,
            p.user,
            p.hosting_type.as_str(),
            p.hosting_component()
        ),
        (
            1_010_055,
            Some(10),
            "content provider",
            Some("com.x/com.x.Prov")
        )
    );
    let Some(AmEvent::ProcStart(p)) = ev(
        "ActivityManager",
        "Start proc 99:com.google.android.webview:sandboxed_process0/u0i3 [android.webkit.WebViewZygote] for webview_service com.x",
    ) else {
        panic!()
    };
    assert_eq!(
        (p.uid, p.entry_point.as_deref(), p.hosting_type.as_str()),
        (
            99_003,
            Some("android.webkit.WebViewZygote"),
            "webview_service"
        )
    );
    let Some(AmEvent::ProcStart(p)) = ev(
        "ActivityManager",
        "Start proc 7:system_app/1000 for added application",
    ) else {
        panic!()
    };
    assert_eq!(
        (p.uid, p.hosting_type.as_str(), p.hosting),
        (1000, "added application", None)
    );

    for (s, ms) in [
        ("+1s71ms", 1071),
        ("+427ms", 427),
        ("+1m0s5ms", 60_005),
        ("+1d2h3m4s5ms", 93_784_005),
        ("-5ms", -5),
        ("0", 0),
    ] {
        assert_eq!(events::parse_duration_ms(s), Some(ms), "{s}");
    }
    for bad in ["", "+", "+5", "+5ms5s", "5x", "+ms"] {
        assert_eq!(events::parse_duration_ms(bad), None, "{bad}");
    }
    let Some(AmEvent::Displayed(d)) = ev(
        "ActivityManager",
        "Displayed com.x/.Main: +2s5ms (total +3s)",
    ) else {
        panic!()
    };
    assert_eq!((d.duration_ms, d.total_ms), (2005, Some(3000)));

    let start = "START u0 {act=android.content.pm.action.REQUEST_PERMISSIONS flg=0x10000000 pkg=com.google.android.permissioncontroller cmp=com.google.android.permissioncontroller/com.android.permissioncontroller.permission.ui.GrantPermissionsActivity (has extras)} from uid 10123";
    let Some(AmEvent::StartActivity(s)) = ev("ActivityTaskManager", start) else {
        panic!()
    };
    assert!(s.is_permission_request);
    assert_eq!(
        (s.package.as_deref(), s.from_uid),
        (Some("com.google.android.permissioncontroller"), Some(10123))
    );
    let start = "START u10 {act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER,x.Y] flg=0x10200000 cmp=com.x/.Main sel={act=a cmp=b/.C} bnds=[1,2][3,4]} with LAUNCH_MULTIPLE from uid 2000 (realCallingUid=2000) result code=0";
    let Some(AmEvent::StartActivity(s)) = ev("ActivityTaskManager", start) else {
        panic!()
    };
    assert_eq!(
        (s.user, s.action.as_deref(), s.component.as_deref()),
        (
            Some(10),
            Some("android.intent.action.MAIN"),
            Some("com.x/.Main")
        )
    );
    assert_eq!(
        s.categories,
        vec!["android.intent.category.LAUNCHER", "x.Y"]
    );
    assert_eq!(
        (s.flags, s.from_uid, s.from_pid, s.is_permission_request),
        (Some(0x1020_0000), Some(2000), None, false)
    );
    // `START {` without a user is not the AOSP shape.
    assert_eq!(
        ev("ActivityManager", "START {act=x cmp=a/.B} from pid 1234"),
        None
    );
    assert_eq!(
        events::start_activity("START u0 {cmp=a/.B} from pid 1234").and_then(|s| s.from_pid),
        Some(1234)
    );
}

#[test]
fn android_runtime_crash_lines() {
    assert_eq!(
        ev("AndroidRuntime", "FATAL EXCEPTION: main"),
        Some(AmEvent::FatalException(events::FatalException {
            thread: "main".into(),
            system_process: false
        }))
    );
    assert!(
        matches!(ev("AndroidRuntime", "FATAL EXCEPTION IN SYSTEM PROCESS: android.ui"), Some(AmEvent::FatalException(f)) if f.system_process)
    );
    assert_eq!(
        ev("AndroidRuntime", "Process: com.x:remote, PID: 4321"),
        Some(AmEvent::CrashProcess(events::CrashProcess {
            process: "com.x:remote".into(),
            pid: 4321
        }))
    );
    assert_eq!(ev("AndroidRuntime", "Process: com.x, PID: "), None);
    assert_eq!(ev("AndroidRuntime", "Shutting down VM"), None);
    assert_eq!(ev("MyApp", "FATAL EXCEPTION: main"), None);
}

#[test]
fn formatted_uids() {
    for (s, u) in [
        ("1000", Some(1000)),
        ("u0a104", Some(10104)),
        ("u10a5", Some(1_010_005)),
        ("u0i3", Some(99_003)),
        ("u0ai3", Some(90_003)),
        ("u0s1000", Some(1000)),
        ("u0a", None),
        ("u0x1", None),
        ("x", None),
        ("u0a99999", None),
    ] {
        assert_eq!(events::parse_formatted_uid(s), u, "{s}");
    }
}

// ---------------------------------------------------------------------------------------------
// Property tests.

fn arb_uid() -> impl Strategy<Value = TUid> {
    prop_oneof![
        (0u32..=2_000_000_000).prop_map(TUid::Num),
        prop::sample::select(vec!["root", "shell", "radio", "log", "media"]).prop_map(TUid::Name),
        Just(TUid::Unknown),
    ]
}

fn arb_adverbs() -> impl Strategy<Value = Adverbs> {
    (
        prop::sample::select(vec![Clock::Local, Clock::Epoch, Clock::Monotonic]),
        prop::sample::select(vec![Prec::Milli, Prec::Micro, Prec::Nano]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        (-48i32..=56).prop_map(|q| q * 900),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(clock, prec, uid, year, zone, offset_s, printable, color)| Adverbs {
                clock,
                prec,
                uid,
                year,
                zone,
                offset_s,
                printable,
                color,
            },
        )
}

fn arb_entry() -> impl Strategy<Value = TEntry> {
    (
        1_000_000_000i64..4_000_000_000,
        0u32..1_000_000_000,
        arb_uid(),
        0u32..=4_194_304,
        0u32..=4_194_304,
        prop::sample::select(vec!['V', 'D', 'I', 'W', 'E', 'F']),
        "[A-Za-z0-9_.$@-]{0,24}",
        "[ -~]{0,80}",
    )
        .prop_map(|(secs, nanos, uid, pid, tid, pri, tag, msg)| TEntry {
            secs,
            nanos,
            uid,
            pid,
            tid,
            pri,
            tag: tag.into_bytes(),
            msg: msg.into_bytes(),
        })
}

fn arb_layout() -> impl Strategy<Value = Layout> {
    prop::sample::select(LAYOUTS.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn generated_lines_round_trip(layout in arb_layout(), mut a in arb_adverbs(), mut e in arb_entry()) {
        if a.clock == Clock::Monotonic {
            e.secs %= 100_000_000;
        }
        // Documented ambiguity: a `thread` line whose message ends like `  (TAG)`.
        let ambiguous = layout == Layout::Thread && e.msg.ends_with(b")") && e.msg.windows(3).any(|w| w == b"  (");
        prop_assume!(!ambiguous);
        if a.printable { a.color = false; }
        let bytes = format(layout, &a, &e);
        let recs = read_all(&bytes);
        prop_assert_eq!(recs.len(), 1, "{:?}", String::from_utf8_lossy(&bytes));
        let shown = if a.printable { escape_printable(&e.msg) } else { e.msg.clone() };
        check_entry(layout, &a, &e, &recs[0], &shown);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_line(&bytes);
        let _ = divider(&bytes);
        let _ = unescape_printable(&bytes);
        let _ = events::decode(b"am_proc_start", &bytes);
        let _ = events::decode(b"am_crash", &bytes);
        let _ = events::decode(b"ActivityManager", &bytes);
        let _ = events::decode(b"AndroidRuntime", &bytes);
        let t = String::from_utf8_lossy(&bytes);
        for tag in ["am_kill", "am_anr", "am_proc_died", "wm_on_resume_called", "am_activity_launch_time", "wm_create_activity", "wm_set_resumed_activity"] {
            let _ = events::event_payload(tag, &t);
        }
        let _ = events::start_activity(&t);
        let _ = events::displayed(&t);
        let _ = events::proc_start_text(&t);
        let _ = events::parse_duration_ms(&t);
        let _ = events::parse_formatted_uid(&t);
        for r in LogcatReader::new(BufReader::with_capacity(16, Cursor::new(bytes.clone()))) {
            let _ = r.expect("no I/O error");
        }
    }

    #[test]
    fn mutated_valid_lines_never_panic(
        layout in arb_layout(),
        a in arb_adverbs(),
        e in arb_entry(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..8),
    ) {
        let mut bytes = format(layout, &a, &e);
        for (at, op, b) in edits {
            if bytes.is_empty() { bytes.push(b); continue; }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = b,
                1 => bytes.insert(i, b),
                _ => { bytes.remove(i); }
            }
        }
        for line in bytes.split(|c| *c == b'\n') {
            if let Some(l) = parse_line(line) {
                let _ = events::decode_line(&l);
                let _ = l.epoch_us(2025, 0);
            }
            let _ = divider(line);
        }
        let recs: Vec<_> = LogcatReader::new(Cursor::new(bytes)).collect::<Result<_, _>>().expect("no I/O error");
        let mut last = 0;
        for r in &recs {
            prop_assert!(r.line_no() > last);
            last = r.line_no();
        }
    }

    #[test]
    fn proc_start_payload_round_trips(
        user in 0u32..100, pid in 1u32..4_194_304, app in 0u32..99_999,
        process in "[a-z][a-z0-9_.]{0,20}(:[a-z]{1,8})?",
        hosting_type in prop::sample::select(vec!["activity", "pre-top-activity", "service", "broadcast"]),
        hosting in "\\{[a-z.]{1,12}/[a-zA-Z.,]{1,20}\\}",
        descriptive in any::<bool>(),
    ) {
        let uid = user * 100_000 + app;
        let payload = if descriptive {
            format!("[User={user},PID={pid},UID={uid},Process Name={process},Type={hosting_type},Component={hosting}]")
        } else {
            format!("[{user},{pid},{uid},{process},{hosting_type},{hosting}]")
        };
        let Some(AmEvent::ProcStart(s)) = events::event_payload("am_proc_start", &payload) else {
            return Err(TestCaseError::fail(payload));
        };
        prop_assert_eq!((s.user, s.pid, s.uid), (Some(user), pid, uid));
        prop_assert_eq!(&s.process, &process);
        prop_assert_eq!(s.hosting_type.as_str(), hosting_type);
        prop_assert_eq!(s.hosting.as_deref(), Some(hosting.as_str()));
        // The text form of the same start.
        let fmt_uid = if app < 10_000 && user == 0 { app.to_string() } else if app >= 10_000 { format!("u{user}a{}", app - 10_000) } else { format!("u{user}s{app}") };
        let text = format!("Start proc {pid}:{process}/{fmt_uid} for {hosting_type} {hosting}");
        let Some(t) = events::proc_start_text(&text) else { return Err(TestCaseError::fail(text)); };
        prop_assert_eq!((t.pid, t.uid, t.user), (pid, uid, Some(user)));
        prop_assert_eq!(t.hosting.as_deref(), Some(hosting.as_str()));
    }
}
