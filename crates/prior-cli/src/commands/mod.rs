//! One module per command.

pub mod analyze;
pub mod avd;
pub mod baseline;
pub mod check;
pub mod devices;
pub mod doctor;
pub mod emulator;
pub mod inspect;
pub mod judge;
pub mod parse;
pub mod report;
pub mod run;
pub mod run_output;
pub mod sdks;
pub mod selftest;
pub mod sim;
pub mod ui;

use crate::CliError;
use std::io::Write;

/// Writes to stdout, turning a failure (e.g. a broken pipe) into a `CliError`.
pub fn out(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
        .map_err(CliError::io)
}
