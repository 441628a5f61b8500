//! The binary's error type: every failure carries the exit code it maps to, and renders
//! through miette (with source spans for scenario files).

use crate::exit;

/// A failure of a command, with its exit code.
#[derive(Debug)]
pub struct CliError {
    /// Exit code (see `exit`).
    pub code: u8,
    /// What to show.
    pub report: miette::Report,
    /// Set for a broken pipe on stdout: exit quietly with 0 (`prior … | head`).
    pub broken_pipe: bool,
}

impl CliError {
    /// A usage/input error.
    pub fn input(report: impl Into<miette::Report>) -> Self {
        CliError {
            code: exit::INPUT,
            report: report.into(),
            broken_pipe: false,
        }
    }

    /// A device/environment error.
    pub fn device(report: impl Into<miette::Report>) -> Self {
        CliError {
            code: exit::DEVICE,
            report: report.into(),
            broken_pipe: false,
        }
    }

    /// An I/O error reading input or writing output (the error names the path when it came
    /// from fs-err). A broken pipe is flagged so the command exits 0 quietly.
    pub fn io(e: std::io::Error) -> Self {
        let broken_pipe = e.kind() == std::io::ErrorKind::BrokenPipe;
        CliError {
            code: exit::INPUT,
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

/// Result of a command: the exit code on success paths (0, 1, 4), or an error.
pub type CliResult = Result<u8, CliError>;
