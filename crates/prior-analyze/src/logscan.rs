//! The fast, streaming part of the logcat pass: line patterns with their required literal
//! text, and a scan that reads a capture through one fixed buffer, finds candidate lines with
//! a single multi-literal search (Aho-Corasick, SIMD "Teddy" for small sets) over each chunk,
//! and counts newlines (memchr) only to number the candidates. Only candidate lines are parsed
//! and matched against the full regexes — the way ripgrep uses inner literals.

use crate::catalog::{PACKAGE_PLACEHOLDER, UID_PLACEHOLDER};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};
use regex::bytes::{Regex, RegexBuilder};
use regex_syntax::hir::{Hir, HirKind};
use std::io::{self, Read};

/// Size of the read buffer: the scan's memory does not grow with the input.
pub(crate) const CHUNK: usize = 1 << 20;
/// Shortest literal accepted from pattern analysis (shorter ones match too many lines).
const MIN_LITERAL: usize = 4;
/// Regex size limit for user-supplied patterns.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A pattern compiled for one app: the regex (placeholders substituted) and the literal every
/// matching line contains.
#[derive(Debug, Clone)]
pub(crate) struct LinePattern {
    pub regex: Regex,
    pub literal: Vec<u8>,
    /// The pattern has a `{uid}` placeholder, captured as group `uid`.
    pub has_uid: bool,
}

/// Substitutes the placeholders: `{package}` → the escaped package, the first `{uid}` → a
/// named capture `uid`, later ones → `[0-9]+`.
pub(crate) fn substitute(pattern: &str, package: &str) -> String {
    let with_pkg = pattern.replace(PACKAGE_PLACEHOLDER, &regex::escape(package));
    let mut out = String::with_capacity(with_pkg.len() + 16);
    let mut first = true;
    let mut rest = with_pkg.as_str();
    while let Some(i) = rest.find(UID_PLACEHOLDER) {
        out.push_str(&rest[..i]);
        out.push_str(if first { "(?P<uid>[0-9]+)" } else { "[0-9]+" });
        first = false;
        rest = &rest[i + UID_PLACEHOLDER.len()..];
    }
    out.push_str(rest);
    out
}

/// Compiles a pattern (already substituted) and finds its prefilter literal.
pub(crate) fn compile(
    pattern: &str,
    declared_literal: Option<&str>,
) -> Result<LinePattern, String> {
    let regex = RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("bad pattern: {e}"))?;
    let literal = match declared_literal {
        Some(l) => l.as_bytes().to_vec(),
        None => {
            let hir = regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(pattern)
                .map_err(|e| format!("bad pattern: {e}"))?;
            required_literal(&hir).filter(|l| l.len() >= MIN_LITERAL).ok_or_else(|| {
                format!(
                    "the pattern requires no literal text of at least {MIN_LITERAL} bytes for the prefilter; \
                     add `literal = \"…\"` (text every matching line contains)"
                )
            })?
        }
    };
    let has_uid = regex.capture_names().any(|n| n == Some("uid"));
    Ok(LinePattern {
        regex,
        literal,
        has_uid,
    })
}

/// The longest literal that every match of `hir` contains (from the top-level concatenation,
/// through groups and repetitions of at least one).
fn required_literal(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(lit) => Some(lit.0.to_vec()),
        HirKind::Capture(c) => required_literal(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required_literal(&r.sub),
        HirKind::Concat(subs) => {
            let mut best: Option<Vec<u8>> = None;
            for s in subs {
                if let Some(l) = required_literal(s)
                    && best.as_ref().is_none_or(|b| l.len() > b.len())
                {
                    best = Some(l);
                }
            }
            best
        }
        _ => None,
    }
}

/// The `{name}` placeholders of an api template.
pub(crate) fn template_names(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) => {
                out.push(&after[..j]);
                rest = &after[j + 1..];
            }
            None => break,
        }
    }
    out
}

/// Fills an api template from a match; captured text is kept to identifier-like characters.
pub(crate) fn fill_template(template: &str, caps: &regex::bytes::Captures<'_>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        if let Some(m) = caps.name(&after[..j]) {
            out.extend(m.as_bytes().iter().take(128).map(|&b| {
                if b.is_ascii_alphanumeric() || b"._$:-/".contains(&b) {
                    b as char
                } else {
                    '_'
                }
            }));
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    out
}

/// A set of literals searched in one pass; literal `i` is pattern id `i`.
///
/// Two automata over the same literals: a leftmost-first one to find candidate lines in the
/// big buffer (that kind can use the SIMD "Teddy" searcher), and a standard one to list every
/// literal of a candidate line (overlapping matches need standard semantics).
#[derive(Debug, Clone)]
pub(crate) struct Prefilter {
    search: AhoCorasick,
    each: AhoCorasick,
}

impl Prefilter {
    pub fn new(literals: &[Vec<u8>]) -> Result<Prefilter, String> {
        let build = |kind| {
            AhoCorasickBuilder::new()
                .match_kind(kind)
                .build(literals)
                .map_err(|e| format!("cannot build the literal prefilter: {e}"))
        };
        Ok(Prefilter {
            search: build(MatchKind::LeftmostFirst)?,
            each: build(MatchKind::Standard)?,
        })
    }

    /// The ids of every literal present in `line` (sorted, deduplicated) into `out`.
    pub fn literals_in(&self, line: &[u8], out: &mut Vec<usize>) {
        out.clear();
        for m in self.each.find_overlapping_iter(line) {
            out.push(m.pattern().as_usize());
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// What a scan saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ScanStats {
    /// Bytes read.
    pub bytes: u64,
    /// Complete lines (the cut last line not counted).
    pub lines: u64,
    /// Lines that contained a literal and were handed on.
    pub candidates: u64,
    /// Lines longer than the read buffer (only their first [`CHUNK`] bytes were searched).
    pub overlong: u64,
    /// The 1-based number of a last line cut off without its newline (dropped).
    pub cut_last_line: Option<u64>,
}

/// Streams `reader` through one fixed buffer, calling `on_line(line_no, line)` for every
/// line that contains one of the prefilter's literals (line without `\n`/`\r\n`). A final
/// line without a newline was cut off by the recorder: it is dropped and reported.
pub(crate) fn scan<R: Read>(
    reader: R,
    prefilter: &Prefilter,
    on_line: impl FnMut(u64, &[u8]),
) -> io::Result<ScanStats> {
    scan_with_buffer(reader, prefilter, CHUNK, on_line)
}

/// [`scan`] with a given buffer size (small ones exercise the refill logic in tests).
fn scan_with_buffer<R: Read>(
    mut reader: R,
    prefilter: &Prefilter,
    chunk: usize,
    mut on_line: impl FnMut(u64, &[u8]),
) -> io::Result<ScanStats> {
    let mut buf = vec![0u8; chunk.max(1)];
    let mut stats = ScanStats::default();
    let mut len = 0usize; // bytes in buf
    let mut newlines = 0u64; // newlines before buf[0]
    let mut eof = false;
    let mut skipping = false; // inside an over-long line whose start was already handled
    loop {
        while len < buf.len() && !eof {
            match reader.read(&mut buf[len..]) {
                Ok(0) => eof = true,
                Ok(n) => {
                    len += n;
                    stats.bytes += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let data = &buf[..len];
        let mut start = 0;
        if skipping {
            match memchr::memchr(b'\n', data) {
                Some(i) => {
                    start = i + 1;
                    newlines += 1;
                    skipping = false;
                }
                None => {
                    if eof {
                        // The over-long line never ended: it was cut off.
                        stats.cut_last_line = Some(newlines + 1);
                        break;
                    }
                    len = 0;
                    continue;
                }
            }
        }
        let end = if eof {
            len
        } else {
            match memchr::memrchr(b'\n', &data[start..]) {
                Some(i) => start + i + 1,
                None if start > 0 => {
                    buf.copy_within(start..len, 0);
                    len -= start;
                    continue;
                }
                None => {
                    // A line longer than the buffer: search its first CHUNK bytes, skip the rest.
                    stats.overlong += 1;
                    let line = &data[start..];
                    if prefilter.search.is_match(line) {
                        stats.candidates += 1;
                        on_line(newlines + 1, line);
                    }
                    skipping = true;
                    len = 0;
                    continue;
                }
            }
        };
        let complete_end = if eof {
            memchr::memrchr(b'\n', &data[start..end]).map_or(start, |i| start + i + 1)
        } else {
            end
        };
        newlines += scan_chunk(
            &data[start..complete_end],
            &prefilter.search,
            newlines,
            &mut stats,
            &mut on_line,
        );
        if eof {
            if complete_end < len {
                stats.cut_last_line = Some(newlines + 1);
            }
            break;
        }
        buf.copy_within(end..len, 0);
        len -= end;
    }
    stats.lines = newlines;
    Ok(stats)
}

/// Scans complete lines; returns the number of newlines in `data`.
fn scan_chunk(
    data: &[u8],
    ac: &AhoCorasick,
    newlines_before: u64,
    stats: &mut ScanStats,
    on_line: &mut impl FnMut(u64, &[u8]),
) -> u64 {
    let mut pos = 0; // always at a line start
    let mut counted_to = 0;
    let mut counted = 0u64;
    while pos < data.len() {
        let Some(m) = ac.find(Input::new(data).span(pos..data.len())) else {
            break;
        };
        let line_start = memchr::memrchr(b'\n', &data[pos..m.start()]).map_or(pos, |i| pos + i + 1);
        let line_end = memchr::memchr(b'\n', &data[m.end()..]).map_or(data.len(), |i| m.end() + i);
        counted += count_newlines(&data[counted_to..line_start]);
        counted_to = line_start;
        let mut line = &data[line_start..line_end];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        stats.candidates += 1;
        on_line(newlines_before + counted + 1, line);
        pos = line_end + 1;
    }
    counted + count_newlines(&data[counted_to..])
}

fn count_newlines(s: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', s).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8], literals: &[&str]) -> (Vec<(u64, String)>, ScanStats) {
        let pf = Prefilter::new(
            &literals
                .iter()
                .map(|l| l.as_bytes().to_vec())
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let mut out = Vec::new();
        let stats = scan(input, &pf, |n, l| {
            out.push((n, String::from_utf8_lossy(l).into_owned()))
        })
        .unwrap();
        (out, stats)
    }

    #[test]
    fn candidate_lines_are_numbered_and_the_cut_last_line_is_dropped() {
        let input = b"a\nfoo one\r\nb\n\nbar foo\nzzz\nfoo cut";
        let (lines, stats) = collect(input, &["foo"]);
        assert_eq!(
            lines,
            vec![(2, "foo one".to_string()), (5, "bar foo".to_string())]
        );
        assert_eq!(stats.lines, 6);
        assert_eq!(stats.cut_last_line, Some(7));
        assert_eq!(stats.candidates, 2);
        assert_eq!(stats.bytes, input.len() as u64);
    }

    #[test]
    fn a_complete_file_has_no_cut_line() {
        let (lines, stats) = collect(b"x foo\n", &["foo"]);
        assert_eq!(lines.len(), 1);
        assert_eq!(stats.cut_last_line, None);
        assert_eq!(stats.lines, 1);
        let (_, empty) = collect(b"", &["foo"]);
        assert_eq!(empty, ScanStats::default());
    }

    #[test]
    fn line_numbers_stay_right_across_buffer_refills_and_overlong_lines() {
        let mut input = Vec::new();
        let mut expected = Vec::new();
        let mut line_no = 0u64;
        for i in 0..60_000u64 {
            line_no += 1;
            if i % 997 == 0 {
                input.extend_from_slice(format!("{i:>10} needle here\n").as_bytes());
                expected.push(line_no);
            } else {
                input.extend_from_slice(
                    format!("{i:>10} some ordinary log text that does not match\n").as_bytes(),
                );
            }
            if i == 30_000 {
                // An over-long line with the needle early and late.
                line_no += 1;
                input.extend_from_slice(b"needle at the start ");
                input.extend(std::iter::repeat_n(b'x', CHUNK * 2));
                input.extend_from_slice(b" needle at the end\n");
                expected.push(line_no);
            }
        }
        let (lines, stats) = collect(&input, &["needle"]);
        assert_eq!(lines.iter().map(|(n, _)| *n).collect::<Vec<_>>(), expected);
        assert_eq!(stats.lines, line_no);
        assert_eq!(stats.overlong, 1);
        assert!(lines.iter().all(|(_, l)| l.len() <= CHUNK));
    }

    /// What [`scan_with_buffer`] must report, computed the obvious way.
    fn reference(input: &[u8], lits: &[Vec<u8>], chunk: usize) -> (Vec<(u64, Vec<u8>)>, ScanStats) {
        let has = |hay: &[u8]| {
            lits.iter()
                .any(|l| hay.windows(l.len()).any(|w| w == l.as_slice()))
        };
        let mut out = Vec::new();
        let mut stats = ScanStats {
            bytes: input.len() as u64,
            ..ScanStats::default()
        };
        let mut rest = input;
        let mut n = 0u64;
        while !rest.is_empty() {
            let (line, ended) = match rest.iter().position(|&b| b == b'\n') {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            n += 1;
            if line.len() >= chunk {
                stats.overlong += 1;
                if has(&line[..chunk]) {
                    out.push((n, line[..chunk].to_vec()));
                }
            } else if ended {
                let l = line.strip_suffix(b"\r").unwrap_or(line);
                if has(l) {
                    out.push((n, l.to_vec()));
                }
            }
            if !ended {
                stats.cut_last_line = Some(n);
                break;
            }
            rest = &rest[line.len() + 1..];
        }
        stats.lines = input.iter().filter(|&&b| b == b'\n').count() as u64;
        stats.candidates = out.len() as u64;
        (out, stats)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn small_buffers_give_the_same_lines_as_a_naive_split(
            input in proptest::collection::vec(proptest::sample::select(b"abc\r\n".to_vec()), 0..300),
            lits in proptest::collection::vec(proptest::collection::vec(proptest::sample::select(b"abc".to_vec()), 1..4), 1..4),
            chunk in 1usize..40,
        ) {
            let pf = Prefilter::new(&lits).unwrap();
            let mut got = Vec::new();
            let stats = scan_with_buffer(input.as_slice(), &pf, chunk, |n, l| got.push((n, l.to_vec()))).unwrap();
            let (want, want_stats) = reference(&input, &lits, chunk);
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert_eq!(stats, want_stats);
        }
    }

    #[test]
    fn placeholders_become_an_escaped_package_and_a_uid_capture() {
        let p = substitute("a {package} b {uid} c {uid}", "com.x.y");
        assert_eq!(p, r"a com\.x\.y b (?P<uid>[0-9]+) c [0-9]+");
        let lp = compile(&p, None).unwrap();
        assert!(lp.has_uid);
        assert_eq!(lp.literal, b"a com.x.y b ".to_vec());
    }

    #[test]
    fn the_longest_required_literal_is_chosen() {
        let lp = compile(
            r"(?P<m>\w+): The (?:user|uid) [0-9]+ does not meet the requirements",
            None,
        )
        .unwrap();
        assert_eq!(lp.literal, b" does not meet the requirements".to_vec());
        assert!(compile(r"[a-z]+|foo", None).is_err());
        assert!(compile(r"ab", None).is_err(), "too short to prefilter");
        assert_eq!(
            compile(r"(?:ab|cd)", Some("b")).unwrap().literal,
            b"b".to_vec()
        );
    }

    #[test]
    fn templates_are_filled_from_captures_safely() {
        let re = Regex::new(r"(?P<m>\S+) (?P<p>\S+)").unwrap();
        let caps = re.captures(b"get;Imei android.permission.X").unwrap();
        assert_eq!(
            fill_template("{m}/{p}/{none}!", &caps),
            "get_Imei/android.permission.X/!"
        );
        assert_eq!(template_names("a{b}c{d}"), vec!["b", "d"]);
    }
}
