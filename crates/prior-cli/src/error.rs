//! The binary's error type: every failure carries its kind (input or device/environment,
//! which `exit::code_of` maps to an exit code), and renders through miette (with source spans
//! for scenario files).

use crate::exit::{ErrorKind, Outcome};

/// A failure of a command, with its kind.
#[derive(Debug)]
pub struct CliError {
    /// Input or device/environment (see `exit`).
    pub kind: ErrorKind,
    /// What to show.
    pub report: miette::Report,
    /// Set for a broken pipe on stdout: exit quietly with 0 (`prior … | head`).
    pub broken_pipe: bool,
}

impl CliError {
    /// A usage/input error.
    pub fn input(report: impl Into<miette::Report>) -> Self {
        CliError {
            kind: ErrorKind::Input,
            report: report.into(),
            broken_pipe: false,
        }
    }

    /// A device/environment error.
    pub fn device(report: impl Into<miette::Report>) -> Self {
        CliError {
            kind: ErrorKind::Device,
            report: report.into(),
            broken_pipe: false,
        }
    }

    /// An I/O error reading input or writing output (the error names the path when it came
    /// from fs-err). A broken pipe is flagged so the command exits 0 quietly.
    pub fn io(e: std::io::Error) -> Self {
        let broken_pipe = e.kind() == std::io::ErrorKind::BrokenPipe;
        CliError {
            kind: ErrorKind::Input,
            report: miette::Report::msg(e.to_string()),
            broken_pipe,
        }
    }

    /// An input error from a message.
    pub fn input_msg(msg: impl std::fmt::Display) -> Self {
        Self::input(miette::miette!("{msg}"))
    }

    /// A device error from a message.
    pub fn device_msg(msg: impl std::fmt::Display) -> Self {
        Self::device(miette::miette!("{msg}"))
    }
}

impl CliError {
    /// The outcome this error ends a command with.
    pub fn outcome(&self) -> Outcome {
        if self.broken_pipe {
            Outcome::Done
        } else {
            Outcome::Failed(self.kind)
        }
    }
}

/// Result of a command: what it concluded, or an error.
pub type CliResult = Result<Outcome, CliError>;

/// A diagnostic rebuilt with every piece of text made safe for a terminal
/// (`prior_model::text`): message, code, help, URL, label texts, the source file's name and the
/// source itself, whose control characters and bidirectional overrides become visible `\u{..}`
/// escapes. Labels are moved onto the escaped source (`EscapedSource::map_span`), so they
/// underline the same characters; line numbers are unchanged because newlines are kept (a lone
/// carriage return is escaped, so a file that ends lines with CR alone is shown as one line).
/// Causes and related diagnostics are rebuilt the same way.
pub struct SafeDiagnostic {
    message: String,
    code: Option<String>,
    severity: Option<miette::Severity>,
    help: Option<String>,
    url: Option<String>,
    source_code: Option<Box<dyn miette::SourceCode + Send + Sync>>,
    labels: Vec<miette::LabeledSpan>,
    related: Vec<SafeDiagnostic>,
    cause: Option<Box<SafeDiagnostic>>,
}

/// Causes and related diagnostics rebuilt at most this deep (a hostile chain cannot recurse
/// without end).
const MAX_DEPTH: usize = 16;

impl SafeDiagnostic {
    /// Rebuilds `diag` with safe text.
    pub fn new(diag: &dyn miette::Diagnostic) -> Self {
        Self::build(diag, None, 0)
    }

    fn build(
        diag: &dyn miette::Diagnostic,
        parent: Option<&prior_model::text::EscapedSource>,
        depth: usize,
    ) -> Self {
        use prior_model::text::{EscapedSource, escape_controls, escape_line};
        let text = |d: &dyn std::fmt::Display| escape_controls(&d.to_string()).into_owned();
        // The whole source: a zero-length span at 0 with unbounded trailing context.
        let own = diag.source_code().and_then(|src| {
            let whole = src
                .read_span(&miette::SourceSpan::new(0.into(), 0), 0, usize::MAX)
                .ok()?;
            let escaped = EscapedSource::new(whole.data());
            let name = whole.name().map(|n| escape_line(n).into_owned());
            let language = whole.language().map(str::to_string);
            Some((escaped, name, language))
        });
        let map = own.as_ref().map(|(e, _, _)| e).or(parent);
        let labels = diag
            .labels()
            .map(|it| {
                it.map(|l| {
                    let label = l.label().map(|t| escape_line(t).into_owned());
                    let (offset, len) = match map {
                        Some(m) => m.map_span(l.offset(), l.len()),
                        None => (l.offset(), l.len()),
                    };
                    if l.primary() {
                        miette::LabeledSpan::new_primary_with_span(label, (offset, len))
                    } else {
                        miette::LabeledSpan::new_with_span(label, (offset, len))
                    }
                })
                .collect()
            })
            .unwrap_or_default();
        let (related, cause) = if depth < MAX_DEPTH {
            let related = diag
                .related()
                .map(|it| it.map(|r| Self::build(r, map, depth + 1)).collect())
                .unwrap_or_default();
            let cause = match diag.diagnostic_source() {
                Some(d) => Some(Box::new(Self::build(d, map, depth + 1))),
                None => diag
                    .source()
                    .map(|e| Box::new(Self::from_error(e, depth + 1))),
            };
            (related, cause)
        } else {
            (Vec::new(), None)
        };
        let source_code = own.map(|(escaped, name, language)| match name {
            Some(name) => {
                let named = miette::NamedSource::new(name, escaped.text);
                Box::new(match language {
                    Some(l) => named.with_language(l),
                    None => named,
                }) as Box<dyn miette::SourceCode + Send + Sync>
            }
            None => Box::new(escaped.text) as Box<dyn miette::SourceCode + Send + Sync>,
        });
        SafeDiagnostic {
            message: text(&diag),
            code: diag
                .code()
                .map(|c| escape_line(&c.to_string()).into_owned()),
            severity: diag.severity(),
            help: diag.help().map(|h| text(&h)),
            url: diag.url().map(|u| escape_line(&u.to_string()).into_owned()),
            source_code,
            labels,
            related,
            cause,
        }
    }

    /// A plain error (a cause without diagnostic data) with safe text.
    fn from_error(e: &(dyn std::error::Error + 'static), depth: usize) -> Self {
        let cause = match (depth < MAX_DEPTH, e.source()) {
            (true, Some(s)) => Some(Box::new(Self::from_error(s, depth + 1))),
            _ => None,
        };
        SafeDiagnostic {
            message: prior_model::text::escape_controls(&e.to_string()).into_owned(),
            code: None,
            severity: None,
            help: None,
            url: None,
            source_code: None,
            labels: Vec::new(),
            related: Vec::new(),
            cause,
        }
    }
}

impl std::fmt::Debug for SafeDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeDiagnostic")
            .field("message", &self.message)
            .field("labels", &self.labels)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Display for SafeDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SafeDiagnostic {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl miette::Diagnostic for SafeDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.severity
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source_code
            .as_deref()
            .map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.cause.as_deref().map(|c| c as &dyn miette::Diagnostic)
    }
}

/// Renders a diagnostic for stderr, every piece of its text made safe ([`SafeDiagnostic`]):
/// the one way a diagnostic reaches the terminal.
pub fn render(diag: &dyn miette::Diagnostic) -> String {
    format!("{:?}", miette::Report::new(SafeDiagnostic::new(diag)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::Diagnostic;

    #[derive(Debug, thiserror::Error)]
    #[error("cause with \u{1b}]0;title\u{7}")]
    struct Cause;

    #[derive(Debug, thiserror::Error, miette::Diagnostic)]
    #[error("bad value `\u{1b}[31m\u{202e}`")]
    #[diagnostic(code(prior::x), help("try \u{9b}2J again"))]
    struct Hostile {
        #[source_code]
        src: miette::NamedSource<String>,
        #[label("key \u{1b}[1m here")]
        span: miette::SourceSpan,
        #[source]
        cause: Cause,
    }

    fn hostile() -> Hostile {
        let text = "name: \u{1b}[2J\u{202e}x\nsteps: [bogus]\n".to_string();
        let at = text.find("bogus").unwrap_or_default();
        Hostile {
            src: miette::NamedSource::new("f\u{7}.yaml", text),
            span: (at, 5).into(),
            cause: Cause,
        }
    }

    #[test]
    fn every_text_of_a_diagnostic_is_escaped_and_labels_follow_the_source() {
        let safe = SafeDiagnostic::new(&hostile());
        assert_eq!(safe.to_string(), "bad value `\\u{1b}[31m\\u{202e}`");
        assert_eq!(
            safe.help().map(|h| h.to_string()).as_deref(),
            Some("try \\u{9b}2J again")
        );
        let label = safe.labels().and_then(|mut l| l.next());
        let label = label.unwrap_or_else(|| miette::LabeledSpan::underline((0, 0)));
        assert_eq!(label.label(), Some("key \\u{1b}[1m here"));
        let src = safe.source_code.as_deref();
        let shown = src
            .and_then(|s| s.read_span(label.inner(), 0, 0).ok())
            .map(|c| String::from_utf8_lossy(c.data()).into_owned());
        assert_eq!(shown.as_deref(), Some("bogus"));
        let cause = std::error::Error::source(&safe).map(|c| c.to_string());
        assert_eq!(cause.as_deref(), Some("cause with \\u{1b}]0;title\\u{7}"));

        let rendered = render(&hostile());
        let raw: Vec<char> = rendered
            .chars()
            .filter(|&c| prior_model::text::is_unsafe(c) && c != '\n' && c != '\t' && c != '\u{1b}')
            .collect();
        assert!(raw.is_empty(), "{raw:?} in {rendered}");
        // ESC may only start miette's own colour codes, never come from the diagnostic.
        assert!(!rendered.contains("\u{1b}[2J") && !rendered.contains("\u{1b}]0;"));
        for shown in [
            "\\u{1b}[2J\\u{202e}x",
            "f\\u{7}.yaml",
            "cause with \\u{1b}]0;title\\u{7}",
        ] {
            assert!(rendered.contains(shown), "{shown} in {rendered}");
        }
    }
}
