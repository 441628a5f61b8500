//! Prior's command line: the clap definition, dispatch, diagnostics and exit codes.
//!
//! Library crates never print; every command's output is produced here. Each command lives in
//! `commands/<name>.rs` and returns a [`CliResult`]: the exit code on success paths, or a
//! [`CliError`] carrying its exit code (`docs/exit-codes.md`).

mod commands;
mod error;
pub mod exit;
#[cfg(test)]
mod tests;

pub use error::{CliError, CliResult};

use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

/// Did an Android app touch personal data before the user accepted its privacy-consent screen?
#[derive(Debug, Parser)]
#[command(name = "prior", version, about, long_about = None, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Record a scenario on a device, analyse it and print the verdict.
    Run(commands::run::Args),
    /// Re-analyse a recorded session bundle.
    Analyze(commands::analyze::Args),
    /// List devices with model, API level and kind.
    Devices(commands::devices::Args),
    /// Check adb, devices, the SDK, acceleration, AVDs and disk; print fixes.
    Doctor(commands::doctor::Args),
    /// Validate scenario files without a device.
    Check(commands::check::Args),
    /// Show how Prior reads a device capture: one JSON object per line.
    Parse(commands::parse::Args),
    /// Run the consent-screen detector on a saved `uiautomator dump`.
    Ui(commands::ui::Args),
    /// Create, boot, reset, stop and list Android emulators (AVDs).
    Emulator(commands::emulator::Args),
    /// Run a standalone simulated handset (for `adb connect`, demos and tests).
    Sim(commands::sim::Args),
    /// Write reports (HTML, JUnit, SARIF, JSON, text) for recorded bundles.
    Report(commands::report::Args),
    /// Save known findings as a baseline for `run|report --baseline`.
    Baseline(commands::baseline::Args),
    /// Static inventory of an APK: manifest, signing, permissions, components, SDKs.
    Inspect(commands::inspect::Args),
    /// SDKs in an APK, and which were active before and after consent in a bundle.
    Sdks(commands::sdks::Args),
    /// Install Prior's canary app, record it and show which of its known accesses each source saw.
    Selftest(commands::selftest::Args),
}

/// Runs the CLI with the process's arguments and returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::INPUT
            } else {
                exit::OK
            };
            let _ = e.print();
            return exit::code(code);
        }
    };
    let result = match cli.command {
        Command::Run(a) => commands::run::run(a),
        Command::Analyze(a) => commands::analyze::run(a),
        Command::Devices(a) => commands::devices::run(a),
        Command::Doctor(a) => commands::doctor::run(a),
        Command::Check(a) => commands::check::run(a),
        Command::Parse(a) => commands::parse::run(a),
        Command::Ui(a) => commands::ui::run(a),
        Command::Sim(a) => commands::sim::run(a),
        Command::Emulator(a) => commands::emulator::run(a),
        Command::Report(a) => commands::report::run(a),
        Command::Baseline(a) => commands::baseline::run(a),
        Command::Inspect(a) => commands::inspect::run(a),
        Command::Sdks(a) => commands::sdks::run(a),
        Command::Selftest(a) => commands::selftest::run(a),
    };
    match result {
        Ok(code) => exit::code(code),
        Err(e) if e.broken_pipe => exit::code(exit::OK),
        Err(e) => {
            let _ = std::io::stdout().flush();
            eprintln!("{:?}", e.report);
            exit::code(e.code)
        }
    }
}
