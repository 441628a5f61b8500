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
