//! Undoing `-v printable`.
//!
//! liblog `convertPrintable` (logprint.cpp, AOSP system/logging a0817817) walks the message with
//! `mbrtowc`: a valid multi-byte (UTF-8) character is copied unchanged; a byte that does not
//! start one, and NUL, becomes `\xHH` (two upper-case hex digits); of the single-byte
//! characters, BEL BS VT FF CR become `\a \b \v \f \r`, a backslash becomes `\\`, TAB is kept
//! as is, any other byte below 0x20 or with the high bit set becomes `\xHH`; everything else
//! (including DEL 0x7F) is copied. In the line layouts the message is split at `\n` before
//! escaping, so newlines still start new lines; in `long` the whole message is escaped at
//! once, so a newline shows up as `\x0A`.

use std::borrow::Cow;

/// Reverses the `-v printable` escaping: `\\`, `\a`, `\b`, `\v`, `\f`, `\r` and `\xHH`
/// (either case). Any other backslash sequence cannot come from logcat and is kept verbatim.
/// Borrows when there is nothing to undo.
pub fn unescape_printable(s: &[u8]) -> Cow<'_, [u8]> {
    let Some(first) = memchr::memchr(b'\\', s) else {
        return Cow::Borrowed(s);
    };
    let mut out = Vec::with_capacity(s.len());
    out.extend_from_slice(&s[..first]);
    let mut i = first;
    while i < s.len() {
        let c = s[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let (byte, used) = match s.get(i + 1) {
            Some(b'\\') => (Some(b'\\'), 2),
            Some(b'a') => (Some(0x07), 2),
            Some(b'b') => (Some(0x08), 2),
            Some(b'v') => (Some(0x0b), 2),
            Some(b'f') => (Some(0x0c), 2),
            Some(b'r') => (Some(b'\r'), 2),
            Some(b'x') => match (s.get(i + 2).and_then(hex), s.get(i + 3).and_then(hex)) {
                (Some(h), Some(l)) => (Some(h << 4 | l), 4),
                _ => (None, 1),
            },
            _ => (None, 1),
        };
        match byte {
            Some(b) => out.push(b),
            None => out.extend_from_slice(&s[i..i + used]),
        }
        i += used;
    }
    Cow::Owned(out)
}

fn hex(c: &u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::logcat::tests::escape_printable as escape;

    #[test]
    fn known_escapes() {
        assert_eq!(&*unescape_printable(b"plain"), b"plain");
        assert!(matches!(unescape_printable(b"plain"), Cow::Borrowed(_)));
        assert_eq!(
            &*unescape_printable(b"a\\\\b\\r\\x00\\xFF\\x1b\\a\\b\\v\\f"),
            b"a\\b\r\x00\xff\x1b\x07\x08\x0b\x0c"
        );
        assert_eq!(
            &*unescape_printable(b"C:\\\\dir\\x0Anext"),
            b"C:\\dir\nnext"
        );
        // Not produced by logcat: kept.
        assert_eq!(&*unescape_printable(b"\\q\\x4\\"), b"\\q\\x4\\");
        assert_eq!(&*unescape_printable("é \\xC3".as_bytes()), b"\xc3\xa9 \xc3");
    }

    proptest! {
        #[test]
        fn escape_then_unescape_round_trips(msg in proptest::collection::vec(any::<u8>(), 0..200)) {
            let escaped = escape(&msg);
            prop_assert_eq!(&*unescape_printable(&escaped), &msg[..]);
        }

        #[test]
        fn never_panics(s in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = unescape_printable(&s);
        }
    }
}
