//! Scenario errors: each names the file, line and column and says how to fix the problem.

use crate::model::Pos;
use miette::{NamedSource, SourceSpan};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// What kind of problem a [`ScenarioError`] is (stable; tests and tools may match on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// The file is not valid YAML (or exceeds the parser's size budget).
    Syntax,
    /// A mapping has the same key twice.
    DuplicateKey,
    /// A key Prior does not know (often a typo).
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value has the wrong shape (e.g. a list where a mapping belongs).
    WrongType,
    /// A value has the right shape but is not allowed (bad name, unknown mode, bad date…).
    InvalidValue,
    /// A duration such as `10s` could not be read.
    Duration,
    /// A regular expression does not compile.
    Regex,
    /// `${NAME}` names a variable that was not given with `-e NAME=VALUE`.
    UndefinedVariable,
    /// A `${` without its closing `}` or with an invalid name.
    VariableSyntax,
    /// A file the scenario names (APK, profile, models) does not exist.
    FileNotFound,
    /// The steps are out of order (no `launch`, a step before `launch`, two consent steps…).
    Steps,
    /// A step contradicts `consent.mode` (e.g. `accept_consent` in `reject` mode).
    ConsentMode,
}

/// One problem in a scenario file. Implements [`miette::Diagnostic`] with the file's text as
/// source code and a label on the offending span; further problems in the same file are
/// attached as `related` diagnostics.
///
/// `Display` is compiler-style: `FILE:LINE:COLUMN: message`.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{}", self.headline())]
pub struct ScenarioError {
    kind: ErrorKind,
    file: Arc<Path>,
    pos: Option<Pos>,
    message: Box<str>,
    #[help]
    help: Option<Box<str>>,
    #[source_code]
    source_code: Option<Arc<NamedSource<Arc<String>>>>,
    #[label("{}", self.label_text())]
    span: Option<SourceSpan>,
    #[related]
    others: Vec<ScenarioError>,
}

impl ScenarioError {
    pub(crate) fn new(kind: ErrorKind, file: &Path, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            kind,
            file: Arc::from(file),
            pos: None,
            message: message.into().into_boxed_str(),
            help: None,
            source_code: None,
            span: None,
            others: Vec::new(),
        }
    }

    pub(crate) fn at(
        mut self,
        src: &Arc<String>,
        pos: Pos,
        byte_offset: usize,
        byte_len: usize,
    ) -> Self {
        self.pos = Some(pos);
        let name = self.file.display().to_string();
        self.source_code = Some(Arc::new(
            NamedSource::new(name, Arc::clone(src)).with_language("yaml"),
        ));
        self.span = Some(SourceSpan::new(byte_offset.into(), byte_len));
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into().into_boxed_str());
        self
    }

    pub(crate) fn with_related(mut self, others: Vec<ScenarioError>) -> Self {
        self.others = others;
        self
    }

    /// The kind of problem.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The scenario file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Line and column (1-based), when the problem has a place in the file.
    pub fn pos(&self) -> Option<Pos> {
        self.pos
    }

    /// 1-based line (0 when the problem has no place in the file).
    pub fn line(&self) -> u32 {
        self.pos.map_or(0, |p| p.line)
    }

    /// 1-based column in characters (0 when the problem has no place in the file).
    pub fn column(&self) -> u32 {
        self.pos.map_or(0, |p| p.column)
    }

    /// The problem, without file and position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How to fix it.
    pub fn fix(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Further problems found in the same file (the first problem is `self`).
    pub fn others(&self) -> &[ScenarioError] {
        &self.others
    }

    /// This problem and every further one, in file order.
    pub fn all(&self) -> impl Iterator<Item = &ScenarioError> {
        std::iter::once(self).chain(self.others.iter())
    }

    fn headline(&self) -> String {
        match self.pos {
            Some(p) => format!(
                "{}:{}:{}: {}",
                self.file.display(),
                p.line,
                p.column,
                self.message
            ),
            None => format!("{}: {}", self.file.display(), self.message),
        }
    }

    fn label_text(&self) -> String {
        match self.kind {
            ErrorKind::UnknownKey => "unknown key".into(),
            ErrorKind::MissingKey => "missing here".into(),
            ErrorKind::UndefinedVariable => "undefined variable".into(),
            ErrorKind::Regex => "invalid regex".into(),
            ErrorKind::Duration => "invalid duration".into(),
            _ => "here".into(),
        }
    }

    /// Plain-text rendering with the fix (one or more lines per problem), for contexts without
    /// miette's graphical handler.
    pub fn render_plain(&self) -> String {
        let mut s = String::new();
        for e in self.all() {
            s.push_str(&e.headline());
            s.push('\n');
            if let Some(h) = &e.help {
                s.push_str("  help: ");
                s.push_str(h);
                s.push('\n');
            }
        }
        s
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
