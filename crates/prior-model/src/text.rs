//! Text that is safe to show on a terminal.
//!
//! Every string an app, a bundle or a scenario controls may contain ESC, BEL, CR and other
//! control characters, or bidirectional overrides that reorder what a reader sees. Before any
//! such string reaches a terminal it goes through one of these functions, which replace each
//! unsafe character with a visible escape `\u{hex}` (lowercase hexadecimal, no padding: ESC is
//! `\u{1b}`, U+202E is `\u{202e}`). Everything else, including other non-ASCII text, is kept.
//!
//! Unsafe characters ([`is_unsafe`]): C0 controls (U+0000–U+001F), DEL (U+007F), C1 controls
//! (U+0080–U+009F), and the bidirectional formatting characters U+061C, U+200E, U+200F,
//! U+202A–U+202E and U+2066–U+2069. [`escape_controls`] keeps newline and tab (multi-line
//! text); [`escape_line`] keeps only tab (one value on one line).
//!
//! A backslash is not doubled, so a literal `\u{1b}` in the input and an escaped ESC look the
//! same; the escape is for a human reader, and no terminal acts on either.

use std::borrow::Cow;
use std::fmt;

/// Is `c` a bidirectional formatting character (override, embedding, isolate or mark)?
pub fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Is `c` unsafe on a terminal: a C0 or C1 control, DEL, or a bidirectional formatting
/// character? (Newline and tab are controls too; the escaping functions say which they keep.)
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi(c)
}

fn escape_with(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !keep(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn push_escape(out: &mut String, c: char) {
    use fmt::Write;
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// Escapes every unsafe character except newline and tab (text of several lines).
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    escape_with(s, |c| c == '\n' || c == '\t')
}

/// Escapes every unsafe character except tab, newline included (one value on one line).
pub fn escape_line(s: &str) -> Cow<'_, str> {
    escape_with(s, |c| c == '\t')
}

/// Displays a string through [`escape_line`]: `format!("scenario {}", Line(name))`.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a>(pub &'a str);

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_line(self.0))
    }
}

/// A text escaped for a terminal together with the map from byte offsets in the original to
/// byte offsets in the escaped text, so that spans into the original (a diagnostic's label)
/// still point at the same characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscapedSource {
    /// The escaped text (newline and tab kept; a carriage return is kept only before a
    /// newline, where it cannot overwrite a line).
    pub text: String,
    /// `(start, end)` of each escaped character in the original and the total growth of the
    /// text up to its end, ascending.
    shifts: Vec<(usize, usize, usize)>,
}

impl EscapedSource {
    /// Escapes `bytes` (invalid UTF-8 becomes U+FFFD, its growth mapped like an escape).
    pub fn new(bytes: &[u8]) -> Self {
        let mut text = String::with_capacity(bytes.len());
        let mut shifts = Vec::new();
        let mut pos = 0usize;
        let mut growth = 0usize;
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            let mut chars = valid.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                let len = c.len_utf8();
                let crlf = c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n');
                if is_unsafe(c) && c != '\n' && c != '\t' && !crlf {
                    let before = text.len();
                    push_escape(&mut text, c);
                    growth += text.len() - before - len;
                    shifts.push((pos + i, pos + i + len, growth));
                } else {
                    text.push(c);
                }
            }
            pos += valid.len();
            let invalid = chunk.invalid().len();
            if invalid > 0 {
                text.push(char::REPLACEMENT_CHARACTER);
                // `utf8_chunks` yields at most 3 invalid bytes at a time; U+FFFD is 3 bytes.
                growth = (growth + char::REPLACEMENT_CHARACTER.len_utf8()).saturating_sub(invalid);
                shifts.push((pos, pos + invalid, growth));
                pos += invalid;
            }
        }
        EscapedSource { text, shifts }
    }

    /// The escaped-text offset of `offset` in the original. An offset inside an escaped
    /// character maps to the start of its escape, one inside another character to that
    /// character's start, and one past the end to the end.
    pub fn map(&self, offset: usize) -> usize {
        // Escapes whose character ends at or before `offset` apply in full.
        let n = self.shifts.partition_point(|&(_, end, _)| end <= offset);
        let growth = match n {
            0 => 0,
            _ => self.shifts[n - 1].2,
        };
        let mapped = match self.shifts.get(n) {
            Some(&(start, _, _)) if start < offset => start + growth,
            _ => offset.saturating_add(growth),
        };
        self.text.floor_char_boundary(mapped.min(self.text.len()))
    }

    /// Maps a span `(offset, len)` of the original onto the escaped text.
    pub fn map_span(&self, offset: usize, len: usize) -> (usize, usize) {
        let start = self.map(offset);
        let end = self.map(offset.saturating_add(len)).max(start);
        (start, end - start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn controls_and_bidi_are_escaped_text_is_kept() {
        assert_eq!(escape_controls("a\u{1b}[31mb\u{7}"), "a\\u{1b}[31mb\\u{7}");
        assert_eq!(escape_controls("x\ry\n\tz"), "x\\u{d}y\n\tz");
        assert_eq!(
            escape_controls("\u{7f}\u{9b}\u{85}"),
            "\\u{7f}\\u{9b}\\u{85}"
        );
        assert_eq!(
            escape_controls("同意\u{202e}gnp.exe\u{2066}\u{2069}\u{200f}\u{61c}"),
            "同意\\u{202e}gnp.exe\\u{2066}\\u{2069}\\u{200f}\\u{61c}"
        );
        assert_eq!(escape_line("a\nb\tc"), "a\\u{a}b\tc");
        assert!(matches!(escape_controls("plain é 中"), Cow::Borrowed(_)));
        assert_eq!(Line("a\u{1b}b\n").to_string(), "a\\u{1b}b\\u{a}");
    }

    #[test]
    fn escaped_source_maps_spans_onto_the_same_characters() {
        let src = "name: \u{1b}[31mx\u{202e}\nsteps: [bad]\r\n";
        let e = EscapedSource::new(src.as_bytes());
        assert_eq!(e.text, "name: \\u{1b}[31mx\\u{202e}\nsteps: [bad]\r\n");
        let at = src.find("[bad]").unwrap();
        let (o, l) = e.map_span(at, 5);
        assert_eq!(&e.text[o..o + l], "[bad]");
        let at = src.find("[31m").unwrap();
        let (o, l) = e.map_span(at, 4);
        assert_eq!(&e.text[o..o + l], "[31m");
        // A span over the escaped character covers its whole escape.
        let at = src.find('\u{1b}').unwrap();
        let (o, l) = e.map_span(at, 1);
        assert_eq!(&e.text[o..o + l], "\\u{1b}");
        assert_eq!(e.map(src.len()), e.text.len());
    }

    #[test]
    fn escaped_source_replaces_invalid_utf8_and_maps_past_it() {
        let src = b"a\xff\xfeb\x07c";
        let e = EscapedSource::new(src);
        assert_eq!(e.text, "a\u{fffd}\u{fffd}b\\u{7}c");
        let (o, l) = e.map_span(3, 1);
        assert_eq!(&e.text[o..o + l], "b");
        let (o, l) = e.map_span(5, 1);
        assert_eq!(&e.text[o..o + l], "c");
    }

    proptest! {
        #[test]
        fn escaped_text_has_no_unsafe_char_and_spans_stay_in_bounds(
            s in proptest::collection::vec(any::<u8>(), 0..200),
            a in 0usize..220,
            b in 0usize..220,
        ) {
            let e = EscapedSource::new(&s);
            prop_assert!(!e.text.chars().any(|c| is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r')));
            let (o, l) = e.map_span(a.min(s.len()), b);
            prop_assert!(o + l <= e.text.len());
            prop_assert!(e.text.is_char_boundary(o) && e.text.is_char_boundary(o + l));
            let lossy = String::from_utf8_lossy(&s);
            let escaped = escape_controls(&lossy);
            prop_assert!(!escaped.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'));
            prop_assert!(!escape_line(&lossy).chars().any(|c| is_unsafe(c) && c != '\t'));
        }
    }
}
