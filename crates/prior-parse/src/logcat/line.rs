//! The single-line parser: a hand-written byte scanner, no allocation, layout detected per line.

use super::{Buffer, Layout, LogLine, LogTime, LogUid, Priority};
use crate::LocalTime;

/// Which kind of divider line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DividerKind {
    /// `--------- beginning of X` (first entry of that buffer).
    Beginning,
    /// `--------- switch to X` (`logcat -D`).
    SwitchTo,
    /// A line of dashes only (tolerated).
    Bare,
}

/// A buffer divider line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Divider<'a> {
    /// Beginning / switch.
    pub kind: DividerKind,
    /// The buffer (`Other` for an unknown or missing name).
    pub buffer: Buffer,
    /// The name as printed (empty for a bare divider).
    pub name: &'a [u8],
}

/// Recognises `--------- beginning of <buf>` / `--------- switch to <buf>` (logcat.cpp
/// `PrintDividers`), tolerating CRLF, leading spaces and a line of dashes only.
pub fn divider(line: &[u8]) -> Option<Divider<'_>> {
    let line = trim_eol(line);
    let line = skip_blanks(line, 0).map_or(&line[line.len()..], |i| &line[i..]);
    let dashes = line.iter().take_while(|&&c| c == b'-').count();
    if dashes < 9 {
        return None;
    }
    let rest = trim_end_spaces(&line[dashes..]);
    if rest.is_empty() {
        return Some(Divider {
            kind: DividerKind::Bare,
            buffer: Buffer::Other,
            name: b"",
        });
    }
    let rest = rest.strip_prefix(b" ")?;
    let (kind, name) = if let Some(n) = rest.strip_prefix(b"beginning of ") {
        (DividerKind::Beginning, n)
    } else if let Some(n) = rest.strip_prefix(b"switch to ") {
        (DividerKind::SwitchTo, n)
    } else {
        return None;
    };
    let name = trim_end_spaces(name);
    if name.is_empty()
        || name.len() > 32
        || !name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return None;
    }
    Some(Divider {
        kind,
        buffer: Buffer::from_name(name),
        name,
    })
}

/// Parses one logcat line in any layout except `raw` (see the module docs); `None` when it is
/// not an entry. The result borrows `line`.
pub fn parse_line(line: &[u8]) -> Option<LogLine<'_>> {
    let trimmed = trim_eol(line);
    let line = strip_color(trimmed);
    let start = skip_blanks(line, 0)?;
    let first = line[start];
    match first {
        b'0'..=b'9' | b'-' => parse_time_first(line, start),
        b'[' => parse_long_header(line, start),
        _ => {
            let pri = Priority::from_char(first)?;
            match line.get(start + 1) {
                Some(b'/') => parse_slash(line, start + 2, pri, None),
                Some(b'(') => {
                    let mut l = parse_paren_first(line, start + 2, pri)?;
                    // `process` puts the colour reset before its `  (TAG)` suffix.
                    if line.len() != trimmed.len() {
                        l.message = l.message.strip_suffix(COLOR_RESET).unwrap_or(l.message);
                    }
                    Some(l)
                }
                _ => None,
            }
        }
    }
}

const COLOR_RESET: &[u8] = b"\x1b[0m";

/// Removes one trailing `\n` and then one `\r`.
#[inline(always)]
pub(super) fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Strips a `-v color` wrapper `ESC[<n>m … ESC[0m`.
#[inline(always)]
fn strip_color(line: &[u8]) -> &[u8] {
    if line.first() != Some(&0x1b) {
        return line;
    }
    let Some(rest) = line.strip_prefix(b"\x1b[") else {
        return line;
    };
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 3 || rest.get(digits) != Some(&b'm') {
        return line;
    }
    let rest = &rest[digits + 1..];
    rest.strip_suffix(COLOR_RESET).unwrap_or(rest)
}

/// Index of the first byte at or after `i` that is not a space or tab.
#[inline(always)]
fn skip_blanks(b: &[u8], mut i: usize) -> Option<usize> {
    while i < b.len() {
        if b[i] != b' ' && b[i] != b'\t' {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[inline(always)]
fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    i
}

const POW10: [u64; 4] = [1, 10, 100, 1000];

#[inline(always)]
fn trim_end_spaces(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., b' '] = b {
        b = rest;
    }
    b
}

/// Reads an unsigned decimal of 1..=19 digits at `i`: (value, end). `None` if there is no
/// digit or more than 19. (Plain index loops are used for the scanners: logcat's fixed-width
/// fields make them predictable, and they measured faster than iterator or 8-bytes-at-a-time
/// variants.)
#[inline(always)]
fn read_u64(b: &[u8], i: usize) -> Option<(u64, usize)> {
    let mut j = i;
    let mut v: u64 = 0;
    while j < b.len() {
        let d = b[j].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        if j - i == 19 {
            return None;
        }
        // At most 19 digits: cannot overflow.
        v = v * 10 + u64::from(d);
        j += 1;
    }
    if j == i { None } else { Some((v, j)) }
}

#[inline(always)]
fn read_u32(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let (v, j) = read_u64(b, i)?;
    Some((u32::try_from(v).ok()?, j))
}

/// Exactly two digits at `i`.
#[inline(always)]
fn two(b: &[u8], i: usize) -> Option<u32> {
    let d0 = b.get(i)?.wrapping_sub(b'0');
    let d1 = b.get(i + 1)?.wrapping_sub(b'0');
    if d0 > 9 || d1 > 9 {
        return None;
    }
    Some(d0 as u32 * 10 + d1 as u32)
}

/// Fraction digits at `i` (1..=9) → (µs, end).
#[inline(always)]
fn read_fraction(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let (v, j) = read_u64(b, i)?;
    let n = j - i;
    let us = match n {
        1..=3 => v * 1000 * POW10[3 - n],
        4..=6 => v * POW10[6 - n],
        7..=9 => v / POW10[n - 6],
        _ => return None,
    };
    Some((us as u32, j))
}

/// Parses the time field starting at `i` (no leading blanks). `base` is where the field's
/// padding may start (line start, or after `[ ` in `long`), for the epoch width rule.
#[inline(always)]
fn parse_time(b: &[u8], i: usize, base: usize) -> Option<(LogTime, usize)> {
    let neg = b.get(i) == Some(&b'-');
    let d = if neg { i + 1 } else { i };
    let (v, j) = read_u64(b, d)?;
    match b.get(j)? {
        b'.' => {
            let (us, k) = read_fraction(b, j + 1)?;
            let secs = i64::try_from(v).ok()?;
            let secs = if neg { -secs } else { secs };
            let total = secs.checked_mul(1_000_000)?.checked_add(if neg {
                -(us as i64)
            } else {
                us as i64
            })?;
            // `%19lld` pads epoch seconds to 19 columns; `%6lld` pads monotonic to 6.
            let time = if j - base >= 19 || v >= 100_000_000 {
                LogTime::Epoch(total)
            } else {
                LogTime::Monotonic(total)
            };
            Some((time, k))
        }
        b'-' if !neg => {
            let (year, m) = match j - d {
                2 => (None, v as u32),
                4 => (
                    Some(v as i32),
                    two(b, j + 1).filter(|_| b.get(j + 3) == Some(&b'-'))?,
                ),
                _ => return None,
            };
            // After `MM-` (or `YYYY-MM-`): `DD hh:mm:ss.f`.
            let p = if year.is_some() { j + 4 } else { j + 1 };
            let day = two(b, p)?;
            if b.get(p + 2) != Some(&b' ') {
                return None;
            }
            let hour = two(b, p + 3)?;
            if b.get(p + 5) != Some(&b':') {
                return None;
            }
            let minute = two(b, p + 6)?;
            if b.get(p + 8) != Some(&b':') {
                return None;
            }
            let second = two(b, p + 9)?;
            if b.get(p + 11) != Some(&b'.') {
                return None;
            }
            let (micros, mut k) = read_fraction(b, p + 12)?;
            let mut utc_offset_s = None;
            // `-v zone`: ` %z` = ` +hhmm`.
            if b.get(k) == Some(&b' ')
                && matches!(b.get(k + 1), Some(b'+' | b'-'))
                && let (Some(hh), Some(mm)) = (two(b, k + 2), two(b, k + 4))
                && b.get(k + 6).is_none_or(|c| *c == b' ')
            {
                let off = (hh * 3600 + mm * 60) as i32;
                utc_offset_s = Some(if b[k + 1] == b'-' { -off } else { off });
                k += 6;
            }
            let t = LocalTime {
                year,
                month: m,
                day,
                hour,
                minute,
                second,
                micros,
                utc_offset_s,
            };
            Some((LogTime::Local(t), k))
        }
        _ => None,
    }
}

/// A uid/name token: lowercase passwd-name characters, 1..=16, not all digits.
#[inline]
fn read_name(b: &[u8], i: usize) -> Option<(&str, usize)> {
    let mut j = i;
    while j < b.len() && (b[j].is_ascii_lowercase() || b[j].is_ascii_digit() || b[j] == b'_') {
        j += 1;
    }
    if j == i || j - i > 16 {
        return None;
    }
    let s = std::str::from_utf8(&b[i..j]).ok()?;
    Some((s, j))
}

/// `TIME …` layouts: `time` and `threadtime`.
fn parse_time_first(b: &[u8], start: usize) -> Option<LogLine<'_>> {
    let (time, k) = parse_time(b, start, 0)?;
    if b.get(k) != Some(&b' ') {
        return None;
    }
    // `time`: `TIME P/TAG(…): msg`.
    if let (Some(&p), Some(b'/')) = (b.get(k + 1), b.get(k + 2))
        && let Some(pri) = Priority::from_char(p)
    {
        return parse_slash(b, k + 3, pri, Some(time));
    }
    // `threadtime`: `TIME [UID] PID TID P TAG: msg`.
    let mut nums = [0u32; 3];
    let mut n = 0;
    let mut name: Option<&str> = None;
    let mut i = k;
    let pri_at = loop {
        i = skip_spaces(b, i);
        let c = *b.get(i)?;
        if n >= 2
            && let Some(pri) = Priority::from_char(c)
            && b.get(i + 1).is_none_or(|c| *c == b' ')
        {
            break (pri, i);
        }
        if c.is_ascii_digit() {
            if n == 3 {
                return None;
            }
            let (v, j) = read_u32(b, i)?;
            nums[n] = v;
            n += 1;
            i = j;
        } else if n == 0 && name.is_none() {
            let (s, j) = read_name(b, i)?;
            name = Some(s);
            i = j;
        } else {
            return None;
        }
        if b.get(i) != Some(&b' ') {
            return None;
        }
    };
    let (uid, pid, tid) = match (n, name) {
        (2, None) => (None, nums[0], nums[1]),
        (2, Some(s)) => (Some(LogUid::Name(s)), nums[0], nums[1]),
        (3, None) => (Some(LogUid::Id(nums[0])), nums[1], nums[2]),
        _ => return None,
    };
    let (pri, p) = pri_at;
    let tag_start = (p + 2).min(b.len());
    let (tag, message) = split_tag(b, tag_start);
    Some(LogLine {
        layout: Layout::ThreadTime,
        time: Some(time),
        uid,
        pid: Some(pid),
        tid: Some(tid),
        priority: Some(pri),
        tag,
        message,
    })
}

/// Splits `TAG     : msg` at the tag separator (see module docs). With no separator, the
/// rest is the tag and the message is empty.
#[inline(always)]
fn split_tag(b: &[u8], from: usize) -> (&[u8], &[u8]) {
    match find_tag_sep(b, from) {
        Some((end, msg)) => (trim_end_spaces(&b[from..end]), &b[msg.min(b.len())..]),
        None => (trim_end_spaces(&b[from..]), &b[b.len()..]),
    }
}

/// (tag end, message start).
#[inline(always)]
fn find_tag_sep(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(c) = find_colon(b, i) {
        match b.get(c + 1) {
            None => return Some((c, c + 1)),
            Some(b' ') => return Some((c, c + 2)),
            Some(b'[') if !trim_end_spaces(&b[from..c]).contains(&b' ') => return Some((c, c + 1)),
            _ => i = c + 1,
        }
    }
    None
}

/// First `:` at or after `i`. Tags are short, so a plain scan of the first bytes beats
/// `memchr`'s setup; long spans fall back to it.
#[inline(always)]
fn find_colon(b: &[u8], i: usize) -> Option<usize> {
    let end = b.len().min(i.saturating_add(48));
    let mut j = i;
    while j < end {
        if b[j] == b':' {
            return Some(j);
        }
        j += 1;
    }
    if end >= b.len() {
        return None;
    }
    memchr::memchr(b':', &b[end..]).map(|o| end + o)
}

/// Parenthesised ids: `[uid:] pid [: tid]` with `%5d` padding; returns the fields (1..=3) and
/// the index after `)`. The first field may be a passwd name.
struct Ids<'a> {
    name: Option<&'a str>,
    nums: [u32; 3],
    n: usize,
}

#[inline]
fn read_ids(b: &[u8], mut i: usize, close: u8) -> Option<(Ids<'_>, usize)> {
    let mut ids = Ids {
        name: None,
        nums: [0; 3],
        n: 0,
    };
    loop {
        i = skip_spaces(b, i);
        let c = *b.get(i)?;
        if c.is_ascii_digit() {
            if ids.n == 3 {
                return None;
            }
            let (v, j) = read_u32(b, i)?;
            ids.nums[ids.n] = v;
            ids.n += 1;
            i = j;
        } else if ids.n == 0 && ids.name.is_none() {
            let (s, j) = read_name(b, i)?;
            ids.name = Some(s);
            i = j;
            if b.get(i) != Some(&b':') {
                return None;
            }
        } else {
            return None;
        }
        match *b.get(i)? {
            b':' => i += 1,
            c if c == close => return Some((ids, i + 1)),
            b' ' if close == b' ' => return Some((ids, i + 1)),
            _ => return None,
        }
    }
}

/// After `P/`: `brief`, `tag` or (with a time) `time`.
fn parse_slash(
    b: &[u8],
    tag_start: usize,
    pri: Priority,
    time: Option<LogTime>,
) -> Option<LogLine<'_>> {
    let mut i = tag_start;
    loop {
        let off = memchr::memchr2(b'(', b':', &b[i..])?;
        let c = i + off;
        if b[c] == b'(' {
            if let Some((ids, j)) = read_ids(b, c + 1, b')')
                && b.get(j) == Some(&b':')
                && b.get(j + 1).is_none_or(|c| *c == b' ')
            {
                let (uid, pid) = match (ids.n, ids.name) {
                    (1, None) => (None, ids.nums[0]),
                    (1, Some(s)) => (Some(LogUid::Name(s)), ids.nums[0]),
                    (2, None) => (Some(LogUid::Id(ids.nums[0])), ids.nums[1]),
                    _ => {
                        i = c + 1;
                        continue;
                    }
                };
                let layout = if time.is_some() {
                    Layout::Time
                } else {
                    Layout::Brief
                };
                return Some(LogLine {
                    layout,
                    time,
                    uid,
                    pid: Some(pid),
                    tid: None,
                    priority: Some(pri),
                    tag: trim_end_spaces(&b[tag_start..c]),
                    message: &b[(j + 2).min(b.len())..],
                });
            }
            i = c + 1;
        } else {
            let sep = match b.get(c + 1) {
                None => Some(c + 1),
                Some(b' ') => Some(c + 2),
                Some(b'[') if !trim_end_spaces(&b[tag_start..c]).contains(&b' ') => Some(c + 1),
                _ => None,
            };
            match sep {
                Some(m) => {
                    return Some(LogLine {
                        layout: if time.is_some() {
                            Layout::Time
                        } else {
                            Layout::Tag
                        },
                        time,
                        uid: None,
                        pid: None,
                        tid: None,
                        priority: Some(pri),
                        tag: trim_end_spaces(&b[tag_start..c]),
                        message: &b[m.min(b.len())..],
                    });
                }
                None => i = c + 1,
            }
        }
    }
}

/// After `P(`: `process` (`(UID PID) msg  (TAG)`) or `thread` (`(UID PID:TID) msg`).
fn parse_paren_first(b: &[u8], i: usize, pri: Priority) -> Option<LogLine<'_>> {
    let (ids, j) = read_ids(b, i, b')')?;
    // `) ` then the message (or end of line for an empty message with trailing space lost).
    let msg_start = match b.get(j) {
        None => j,
        Some(b' ') => j + 1,
        _ => return None,
    };
    let rest = &b[msg_start..];
    let suffix = process_suffix(rest);
    let mk = |layout, uid, pid, tid, tag, message| {
        Some(LogLine {
            layout,
            time: None,
            uid,
            pid: Some(pid),
            tid,
            priority: Some(pri),
            tag,
            message,
        })
    };
    match (ids.n, ids.name) {
        (1, name) => {
            let uid = name.map(LogUid::Name);
            let (msg, tag) = suffix.unwrap_or((rest, &rest[rest.len()..]));
            mk(Layout::Process, uid, ids.nums[0], None, tag, msg)
        }
        (2, Some(s)) => mk(
            Layout::Thread,
            Some(LogUid::Name(s)),
            ids.nums[0],
            Some(ids.nums[1]),
            &b""[..],
            rest,
        ),
        (2, None) => match suffix {
            Some((msg, tag)) => mk(
                Layout::Process,
                Some(LogUid::Id(ids.nums[0])),
                ids.nums[1],
                None,
                tag,
                msg,
            ),
            None => mk(
                Layout::Thread,
                None,
                ids.nums[0],
                Some(ids.nums[1]),
                &b""[..],
                rest,
            ),
        },
        (3, None) => mk(
            Layout::Thread,
            Some(LogUid::Id(ids.nums[0])),
            ids.nums[1],
            Some(ids.nums[2]),
            &b""[..],
            rest,
        ),
        _ => None,
    }
}

/// `msg  (TAG)` → (msg, TAG) when the text ends with a `  (…)` suffix.
#[inline]
fn process_suffix(rest: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = rest.strip_suffix(b")")?;
    let open = memchr::memmem::rfind(body, b"  (")?;
    Some((&rest[..open], &body[open + 3..]))
}

/// `[ TIME UID PID:TID P/TAG ]` — the header of a `long` block (message empty).
fn parse_long_header(b: &[u8], start: usize) -> Option<LogLine<'_>> {
    let b = trim_end_spaces(b);
    if b.len() < start + 4 || b[b.len() - 1] != b']' {
        return None;
    }
    let base = start + 1;
    let t = skip_spaces(b, base);
    let (time, k) = parse_time(b, t, base + 1)?;
    if b.get(k) != Some(&b' ') {
        return None;
    }
    let (ids, j) = read_ids(b, k + 1, b' ')?;
    let (uid, pid, tid) = match (ids.n, ids.name) {
        (2, None) => (None, ids.nums[0], ids.nums[1]),
        (2, Some(s)) => (Some(LogUid::Name(s)), ids.nums[0], ids.nums[1]),
        (3, None) => (Some(LogUid::Id(ids.nums[0])), ids.nums[1], ids.nums[2]),
        _ => return None,
    };
    let j = skip_spaces(b, j);
    let pri = Priority::from_char(*b.get(j)?)?;
    if b.get(j + 1) != Some(&b'/') {
        return None;
    }
    let tag_end = b.len() - 1;
    if tag_end < j + 2 {
        return None;
    }
    Some(LogLine {
        layout: Layout::Long,
        time: Some(time),
        uid,
        pid: Some(pid),
        tid: Some(tid),
        priority: Some(pri),
        tag: trim_end_spaces(&b[j + 2..tag_end]),
        message: &b[b.len()..],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive_u64(b: &[u8], i: usize) -> Option<(u64, usize)> {
        let n = b
            .get(i..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n == 0 || n > 19 {
            return None;
        }
        let v = std::str::from_utf8(&b[i..i + n]).ok()?.parse().ok()?;
        Some((v, i + n))
    }

    proptest! {
        #[test]
        fn swar_scanners_match_naive(
            s in prop::collection::vec(prop::sample::select(b"0123456789 /:9\x00\xff".to_vec()), 0..40),
            i in 0usize..40,
        ) {
            let i = i.min(s.len());
            prop_assert_eq!(read_u64(&s, i), naive_u64(&s, i));
            let sp = i + s[i..].iter().take_while(|c| **c == b' ').count();
            prop_assert_eq!(skip_spaces(&s, i), sp);
        }
    }

    #[test]
    fn swar_edge_values() {
        assert_eq!(read_u64(b"12345678", 0), Some((12_345_678, 8)));
        assert_eq!(
            read_u64(b"9999999999999999999x", 0),
            Some((9_999_999_999_999_999_999, 19))
        );
        assert_eq!(read_u64(b"99999999999999999999", 0), None);
        assert_eq!(read_u64(b"0000000000000000001.", 0), Some((1, 19)));
        assert_eq!(
            read_u64(b"1764358200.123456 ", 0),
            Some((1_764_358_200, 10))
        );
        assert_eq!(read_fraction(b"123456 x", 0), Some((123_456, 6)));
        assert_eq!(read_fraction(b"123456789", 0), Some((123_456, 9)));
        assert_eq!(read_fraction(b"1", 0), Some((100_000, 1)));
        assert_eq!(read_fraction(b"1234567890", 0), None);
        assert_eq!(skip_spaces(b"                  x", 0), 18);
    }

    fn p(s: &str) -> LogLine<'_> {
        parse_line(s.as_bytes()).unwrap_or_else(|| panic!("no parse: {s:?}"))
    }

    #[test]
    fn threadtime_default() {
        let l = p("08-05 12:00:00.123  1234  1250 I ActivityManager: Start proc x");
        assert_eq!(l.layout, Layout::ThreadTime);
        assert_eq!(
            (l.pid, l.tid, l.priority),
            (Some(1234), Some(1250), Some(Priority::Info))
        );
        assert_eq!(l.tag, b"ActivityManager");
        assert_eq!(l.message, b"Start proc x");
        let Some(LogTime::Local(t)) = l.time else {
            panic!("{:?}", l.time)
        };
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second, t.micros),
            (None, 8, 5, 12, 0, 0, 123_000)
        );
    }

    #[test]
    fn threadtime_epoch_uid_usec() {
        let l = p("         1764358200.123456 10123  4567  4580 I MyTag   : msg");
        assert_eq!(l.time, Some(LogTime::Epoch(1_764_358_200_123_456)));
        assert_eq!(l.uid, Some(LogUid::Id(10123)));
        assert_eq!((l.pid, l.tid), (Some(4567), Some(4580)));
        assert_eq!((l.tag, l.message), (&b"MyTag"[..], &b"msg"[..]));
    }

    #[test]
    fn tag_separator_rules() {
        let l = p(
            "08-21 11:46:59.036 13252 13252 I wm_on_create_called:[164222498,com.x.Main,performCreate]",
        );
        assert_eq!(l.tag, b"wm_on_create_called");
        assert_eq!(l.message, b"[164222498,com.x.Main,performCreate]");
        let l = p("08-05 12:00:00.123  1  2 D android::Foo: a: b");
        assert_eq!((l.tag, l.message), (&b"android::Foo"[..], &b"a: b"[..]));
        let l = p("08-05 12:00:00.123  1  2 D Tag:");
        assert_eq!((l.tag, l.message), (&b"Tag"[..], &b""[..]));
        let l = p("08-05 12:00:00.123  1  2 D         : empty tag");
        assert_eq!((l.tag, l.message), (&b""[..], &b"empty tag"[..]));
    }

    #[test]
    fn rejects_non_entries() {
        for s in [
            "",
            "   ",
            "--------- beginning of main",
            "hello world",
            "12",
            "I/",
            "I(",
            "[ ]",
            "08-05 12:00:00.123",
            "08-05 12:00:00.123 x",
        ] {
            assert!(parse_line(s.as_bytes()).is_none(), "{s:?}");
        }
    }

    #[test]
    fn dividers() {
        let d = divider(b"--------- beginning of main\r\n").expect("a divider");
        assert_eq!(
            (d.kind, d.buffer, d.name),
            (DividerKind::Beginning, Buffer::Main, &b"main"[..])
        );
        let d = divider(b"  --------- switch to events").expect("a divider");
        assert_eq!((d.kind, d.buffer), (DividerKind::SwitchTo, Buffer::Events));
        assert_eq!(
            divider(b"---------").expect("a divider").kind,
            DividerKind::Bare
        );
        assert_eq!(
            divider(b"--------- beginning of foo")
                .expect("a divider")
                .buffer,
            Buffer::Other
        );
        assert!(divider(b"--------- hello").is_none());
        assert!(divider(b"-- beginning of main").is_none());
    }
}
