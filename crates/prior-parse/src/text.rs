//! Line handling shared by the text parsers of `am`, `pm`, `appops` and `ipc`.
//!
//! Included from `am.rs` with `#[path]` (this crate's `lib.rs` is owned elsewhere); reached as
//! `crate::am::text`.

use serde::Serialize;

/// A value together with the 1-based line number it was read from (its evidence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located<T> {
    /// 1-based line number in the parsed text.
    pub line_no: u64,
    /// The value.
    pub value: T,
}

impl<T> Located<T> {
    /// Wraps `value` read at `line_no`.
    pub fn new(line_no: u64, value: T) -> Self {
        Self { line_no, value }
    }
}

/// A line a parser did not understand (kept for diagnostics, never fatal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// 1-based line number.
    pub line_no: u64,
    /// The line, cut to 256 bytes (`SKIPPED_TEXT_MAX`).
    pub text: String,
}

/// At most this many [`Skipped`] lines are kept per parse (the rest are only counted).
pub const MAX_SKIPPED: usize = 1000;
/// Bytes of a skipped line that are kept.
pub const SKIPPED_TEXT_MAX: usize = 256;

/// Collects skipped lines with a cap.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SkipLog {
    /// The first 1000 skipped lines (`MAX_SKIPPED`).
    pub lines: Vec<Skipped>,
    /// How many lines were skipped in total.
    pub total: u64,
}

impl SkipLog {
    /// Records a skipped line.
    pub fn push(&mut self, line_no: u64, text: &str) {
        self.total += 1;
        if self.lines.len() < MAX_SKIPPED {
            self.lines.push(Skipped {
                line_no,
                text: cut(text, SKIPPED_TEXT_MAX).to_owned(),
            });
        }
    }
}

/// `s` cut to at most `max` bytes on a char boundary.
pub fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// One line of input: 1-based number, text without `\n`/`\r\n`, cut to [`crate::MAX_LINE`]
/// bytes, and whether it was cut.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// 1-based line number.
    pub no: u64,
    /// The line without its end, cut to [`crate::MAX_LINE`] bytes.
    pub text: &'a str,
    /// True when the line was longer than [`crate::MAX_LINE`] and was cut.
    pub overlong: bool,
}

/// Iterates over the lines of `text` (`\n` or `\r\n` ends; a final newline does not start
/// an empty line).
pub fn lines(text: &str) -> Lines<'_> {
    Lines {
        rest: Some(text),
        no: 0,
    }
}

/// Iterator returned by [`lines`].
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    rest: Option<&'a str>,
    no: u64,
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let rest = self.rest?;
        let (raw, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        if next.is_none() && raw.is_empty() {
            self.rest = None;
            return None;
        }
        self.rest = next.filter(|n| !n.is_empty());
        self.no += 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        Some(Line {
            no: self.no,
            text: cut(raw, crate::MAX_LINE),
            overlong: raw.len() > crate::MAX_LINE,
        })
    }
}

/// Decodes bytes as UTF-8, replacing invalid sequences (U+FFFD), without copying valid input.
pub fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Parses an unsigned decimal made only of ASCII digits (no sign, no spaces).
pub fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a decimal `i64` with an optional sign.
pub fn parse_i64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Test helper: applies `edits` (position, operation, byte) to `base`. Operation `% 3`:
/// 0 replaces, 1 inserts, 2 deletes the byte at `position % len`.
#[cfg(test)]
pub fn mutate(base: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut v = base.to_vec();
    for &(pos, op, byte) in edits {
        if v.is_empty() {
            v.push(byte);
            continue;
        }
        let i = pos % v.len();
        match op % 3 {
            0 => v[i] = byte,
            1 => v.insert(i, byte),
            _ => {
                v.remove(i);
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_number_from_one_and_strip_crlf() {
        let got: Vec<(u64, &str)> = lines("a\r\nb\n\nc").map(|l| (l.no, l.text)).collect();
        assert_eq!(got, vec![(1, "a"), (2, "b"), (3, ""), (4, "c")]);
        let got: Vec<&str> = lines("a\n").map(|l| l.text).collect();
        assert_eq!(got, vec!["a"]);
        assert_eq!(lines("").count(), 0);
        assert_eq!(lines("\n\n").count(), 2);
    }

    #[test]
    fn overlong_lines_are_cut_on_a_char_boundary() {
        let long = "é".repeat(crate::MAX_LINE); // 2 bytes each
        let text = format!("{long}\nnext");
        let got: Vec<Line<'_>> = lines(&text).collect();
        assert_eq!(got.len(), 2);
        assert!(got[0].overlong);
        assert_eq!(got[0].text.len(), crate::MAX_LINE);
        assert_eq!(got[1].text, "next");
        assert!(!got[1].overlong);
        assert_eq!(cut("aé", 2), "a");
    }

    #[test]
    fn skip_log_caps_kept_lines_but_counts_all() {
        let mut log = SkipLog::default();
        for i in 0..(MAX_SKIPPED as u64 + 5) {
            log.push(i + 1, &"x".repeat(1000));
        }
        assert_eq!(log.total, MAX_SKIPPED as u64 + 5);
        assert_eq!(log.lines.len(), MAX_SKIPPED);
        assert_eq!(log.lines[0].text.len(), SKIPPED_TEXT_MAX);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u64("0042"), Some(42));
        assert_eq!(parse_u64("+1"), None);
        assert_eq!(parse_u64(""), None);
        assert_eq!(parse_u64("99999999999999999999999"), None);
        assert_eq!(parse_i64("-12"), Some(-12));
        assert_eq!(parse_i64("-"), None);
    }
}
