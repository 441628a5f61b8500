//! The one boundary between Prior's output and the terminal.
//!
//! Every byte the CLI writes to stdout goes through [`out`] (or [`JsonLines`]), every line
//! it writes to stderr through [`err`] (the `say!`/`note!` macros), every progress-bar text
//! through [`safe`], every diagnostic through `error::render`, and the `-v` tracing log
//! through [`TraceWriter`]. Each replaces the characters
//! `prior_model::text::is_unsafe` names (C0 and C1 controls, DEL, bidirectional overrides;
//! newline and tab are kept) with a visible escape, so nothing a bundle, an APK, a scenario or
//! a device reply contains can drive the terminal. A unit test fails when a `println!`-family
//! macro appears anywhere else in the crate.
//!
//! The notation of the escape keeps machine output meaningful ([`Notation`]): human text gets
//! `\u{1b}` (like the text report's logcat lines), a JSON document `\u001b` (the same string
//! once parsed), HTML or XML `&#x1b;`. The check is cheap: text without an unsafe character is
//! written as is.

use crate::CliError;
use prior_model::text::{escape_controls, is_unsafe};
use std::borrow::Cow;
use std::io::Write;

/// How unsafe characters are written in a piece of output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// Human text: `\u{1b}`.
    Text,
    /// A JSON document (or JSON lines): `\u001b`, valid inside a JSON string, which is the
    /// only place `serde_json` leaves such characters.
    Json,
    /// HTML or XML: `&#x1b;`.
    Markup,
}

fn needs_escape(c: char) -> bool {
    is_unsafe(c) && c != '\n' && c != '\t'
}

/// The notation for `text`: JSON when it parses as one JSON document or as JSON lines,
/// markup when it starts with `<`, human text otherwise.
pub fn notation_of(text: &str) -> Notation {
    let start = text.trim_start();
    if start.starts_with('<') {
        return Notation::Markup;
    }
    if start.starts_with(['{', '[']) {
        let doc = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
        let lines = || {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .all(|l| serde_json::from_str::<serde::de::IgnoredAny>(l).is_ok())
        };
        if doc || lines() {
            return Notation::Json;
        }
    }
    Notation::Text
}

/// `text` with every unsafe character escaped in `notation` (newline and tab kept).
pub fn escape(text: &str, notation: Notation) -> Cow<'_, str> {
    if notation == Notation::Text {
        return escape_controls(text);
    }
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        // Every unsafe character is in the Basic Multilingual Plane: four hex digits suffice.
        let escaped = match notation {
            Notation::Json => format!("\\u{:04x}", c as u32),
            _ => format!("&#x{:x};", c as u32),
        };
        out.push_str(&escaped);
    }
    Cow::Owned(out)
}

/// `text` made safe for stdout or stderr, in the notation [`notation_of`] picks.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    escape(text, notation_of(text))
}

/// Writes `text` to stdout through the escaper, turning a failure (e.g. a broken pipe) into a
/// `CliError`.
pub fn out(text: &str) -> Result<(), CliError> {
    let text = safe(text);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
        .map_err(CliError::io)
}

/// JSON lines on stdout (`prior parse`), buffered, unsafe characters in JSON notation.
pub struct JsonLines<W: Write = std::io::BufWriter<std::io::StdoutLock<'static>>> {
    w: W,
}

impl JsonLines {
    /// JSON lines on stdout.
    pub fn stdout() -> Self {
        JsonLines {
            w: std::io::BufWriter::new(std::io::stdout().lock()),
        }
    }
}

impl<W: Write> JsonLines<W> {
    /// Writes one value as one line.
    pub fn emit(&mut self, v: &serde_json::Value) -> Result<(), CliError> {
        let line = serde_json::to_string(v)
            .map_err(std::io::Error::other)
            .map_err(CliError::io)?;
        self.w
            .write_all(escape(&line, Notation::Json).as_bytes())
            .and_then(|_| self.w.write_all(b"\n"))
            .map_err(CliError::io)
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> Result<(), CliError> {
        self.w.flush().map_err(CliError::io)
    }
}

/// Writes `text` to stderr through the escaper (human text). A failure to write to stderr is
/// ignored: there is nowhere left to report it.
pub fn err(text: &str) {
    let text = escape(text, Notation::Text);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// Writes a diagnostic and a newline to stderr, rendered by `error::render` (whose every piece
/// of text is already escaped; the rendering's own colours are kept).
pub fn err_diagnostic(diag: &dyn miette::Diagnostic) {
    let text = crate::error::render(diag);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.write_all(b"\n");
    let _ = stderr.flush();
}

/// `text` for the tracing log: every unsafe character escaped as `\u{..}` except newline, tab
/// and, when `keep_esc` (colours are on), ESC — tracing-subscriber escapes ESC, BEL, BS, FF,
/// DEL and C1 controls inside messages and fields itself, so the ESCs left are its colours.
pub fn escape_trace(text: &str, keep_esc: bool) -> Cow<'_, str> {
    let escape = |c: char| needs_escape(c) && !(keep_esc && c == '\u{1b}');
    if !text.chars().any(escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The tracing log's writer (`-v`, `RUST_LOG`): stderr through [`escape_trace`], so a CR or a
/// bidirectional override in a logged value cannot reach the terminal either.
pub struct TraceWriter {
    /// Colours are on: keep ESC (see [`escape_trace`]).
    pub ansi: bool,
}

impl Write for TraceWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // tracing-subscriber writes each event as one formatted string.
        let text = String::from_utf8_lossy(buf);
        std::io::stderr()
            .lock()
            .write_all(escape_trace(&text, self.ansi).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().lock().flush()
    }
}

/// `eprintln!` through the terminal escaper ([`err`]).
macro_rules! note {
    ($($arg:tt)*) => {{
        let mut line = format!($($arg)*);
        line.push('\n');
        $crate::term::err(&line)
    }};
}

/// `println!` through the terminal escaper; a failure to write (a closed pipe) is ignored.
macro_rules! say {
    ($($arg:tt)*) => {{
        let mut line = format!($($arg)*);
        line.push('\n');
        let _ = $crate::term::out(&line);
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_json_and_markup_keep_their_meaning_without_unsafe_characters() {
        let hostile = "x\u{1b}[2Jy\u{7}\u{9b}\u{202e}z";
        let line = format!("scenario: {hostile}\n");
        let text = safe(&line);
        assert_eq!(text, "scenario: x\\u{1b}[2Jy\\u{7}\\u{9b}\\u{202e}z\n");

        let json = serde_json::to_string_pretty(&serde_json::json!({ "name": hostile }))
            .unwrap_or_default();
        let safe_json = safe(&json);
        assert!(!safe_json.chars().any(needs_escape), "{safe_json}");
        let back: serde_json::Value = serde_json::from_str(&safe_json).unwrap_or_default();
        assert_eq!(back["name"], hostile);

        let lines = format!(
            "{}\n{}\n",
            r#"{"a":1}"#,
            serde_json::json!({ "b": hostile })
        );
        let safe_lines = safe(&lines);
        assert!(safe_lines.contains(r"\u009b\u202e"), "{safe_lines}");

        let html = format!("<!DOCTYPE html><p>{hostile}</p>\n");
        assert_eq!(
            safe(&html),
            "<!DOCTYPE html><p>x&#x1b;[2Jy&#x7;&#x9b;&#x202e;z</p>\n"
        );
        // Text that merely starts with a bracket is text.
        assert_eq!(safe("[1/2] a\u{7}"), "[1/2] a\\u{7}");
        assert!(matches!(safe("plain\n\tok"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_trace_log_keeps_only_its_own_colours() {
        let line = "\u{1b}[2mINFO\u{1b}[0m value=a\rb\u{202e}c\u{0}\n";
        assert_eq!(
            escape_trace(line, true),
            "\u{1b}[2mINFO\u{1b}[0m value=a\\u{d}b\\u{202e}c\\u{0}\n"
        );
        assert_eq!(
            escape_trace(line, false),
            "\\u{1b}[2mINFO\\u{1b}[0m value=a\\u{d}b\\u{202e}c\\u{0}\n"
        );
    }

    #[test]
    fn json_lines_are_escaped_as_json() {
        let mut lines = JsonLines { w: Vec::new() };
        let v = serde_json::json!({ "tag": "a\u{7f}\u{2066}b" });
        assert!(lines.emit(&v).is_ok());
        let line = String::from_utf8(lines.w).unwrap_or_default();
        assert_eq!(line, "{\"tag\":\"a\\u007f\\u2066b\"}\n");
    }

    /// The boundary holds only if nothing else prints: no `println!`, `print!`, `eprintln!`
    /// or `eprint!` anywhere in the crate but here (and tests), and stdout is written only
    /// through `out`/`JsonLines`.
    #[test]
    fn nothing_in_the_crate_prints_around_the_escaper() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, found);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let name = p.display().to_string();
                    if name.ends_with("term.rs") || name.ends_with("tests.rs") {
                        continue;
                    }
                    let text = std::fs::read_to_string(&p).unwrap_or_default();
                    // Unit-test modules at the end of a file may print.
                    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                    for (i, line) in code.lines().enumerate() {
                        let l = line.trim_start();
                        if l.starts_with("//") {
                            continue;
                        }
                        let bad = ["println!(", "print!(", "eprint!(", "eprintln!("]
                            .iter()
                            .any(|m| {
                                l.match_indices(m).any(|(at, _)| {
                                    !l[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                                })
                            })
                            || l.contains("io::stdout()")
                            || l.contains("stderr().lock")
                            || l.contains("io::stderr()") && !l.contains("is_terminal");
                        if bad {
                            found.push(format!("{name}:{}: {l}", i + 1));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "print through crate::term instead:\n{}",
            found.join("\n")
        );
    }
}
