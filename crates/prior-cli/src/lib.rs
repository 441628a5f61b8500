//! Prior's command line: the clap definition, dispatch, diagnostics and exit codes.
//!
//! Library crates never print; every command's output is produced here. Each command lives in
//! `commands/<name>.rs` and returns a [`CliResult`]: the command's [`exit::Outcome`], or a
//! [`CliError`] carrying its kind; `exit::code_of` alone maps either to the documented exit
//! code (`docs/exit-codes.md`). `-v`/`RUST_LOG` turn on tracing to stderr
//! (`docs/debugging.md`).

#[macro_use]
mod term;
mod commands;
mod error;
pub mod exit;
mod signals;
#[cfg(test)]
mod tests;

pub use error::{CliError, CliResult};

use clap::{ArgAction, Parser, Subcommand};
use exit::Outcome;
use std::process::ExitCode;

/// Prior checks whether an Android app touches personal data before the user accepts its
/// privacy-consent screen. It runs the app fresh on an emulator (or its built-in simulated
/// handset), records with the device's timestamps, and reports every access that came first,
/// with the evidence (try: prior run scenarios/demo/leaky-shop.yaml).
// (clap takes `about` from this doc comment; the crate's `//!` doc and its Cargo description
// are for developers and must not reach `--help`.)
#[derive(Debug, Parser)]
#[command(
    name = "prior",
    version,
    long_about = None,
    after_help = exit::HELP_TABLE,
    max_term_width = 100
)]
struct Cli {
    /// Log what Prior does to stderr: -v info, -vv debug, -vvv trace (RUST_LOG overrides).
    #[arg(short, long, action = ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

impl Command {
    /// The subcommand's name, for the top tracing span.
    fn name(&self) -> &'static str {
        match self {
            Command::Run(_) => "run",
            Command::Analyze(_) => "analyze",
            Command::Devices(_) => "devices",
            Command::Doctor(_) => "doctor",
            Command::Check(_) => "check",
            Command::Parse(_) => "parse",
            Command::Ui(_) => "ui",
            Command::Emulator(_) => "emulator",
            Command::Sim(_) => "sim",
            Command::Report(_) => "report",
            Command::Baseline(_) => "baseline",
            Command::Inspect(_) => "inspect",
            Command::Sdks(_) => "sdks",
            Command::Selftest(_) => "selftest",
            Command::Campaign(_) => "campaign",
        }
    }
}

/// Prior's own crates: the targets `-v` turns on.
const CRATES: &[&str] = &[
    "prior",
    "prior_analyze",
    "prior_apk",
    "prior_cli",
    "prior_device",
    "prior_emulator",
    "prior_model",
    "prior_net",
    "prior_parse",
    "prior_record",
    "prior_report",
    "prior_scenario",
    "prior_sim",
];

/// The tracing filter for `-v` repeated `verbose` times, unless `rust_log` (the `RUST_LOG`
/// variable) is set and not empty: then it is used as is. `None` when nothing is logged.
fn log_filter(verbose: u8, rust_log: Option<&str>) -> Option<String> {
    if let Some(env) = rust_log.filter(|s| !s.trim().is_empty()) {
        return Some(env.to_string());
    }
    let level = match verbose {
        0 => return None,
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    Some(
        CRATES
            .iter()
            .map(|c| format!("{c}={level}"))
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// Sends tracing events to stderr when `-v` or `RUST_LOG` asks for them; otherwise installs
/// nothing, so tracing costs nothing.
fn init_tracing(verbose: u8) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let Some(filter) = log_filter(verbose, rust_log.as_deref()) else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|e| {
        note!("warning: RUST_LOG={filter:?} is not a valid filter ({e}); using \"info\"");
        tracing_subscriber::EnvFilter::new("info")
    });
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || term::TraceWriter { ansi })
        .with_ansi(ansi)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .try_init();
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
    /// Campaigns: many apps × scenarios on several devices, in shards (docs/campaigns.md).
    Campaign(commands::campaign::Args),
}

/// Runs the CLI with the process's arguments and returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let outcome = if e.use_stderr() {
                Outcome::Failed(exit::ErrorKind::Input)
            } else {
                Outcome::Done // --help, --version
            };
            let _ = e.print();
            return exit::exit_code(&outcome);
        }
    };
    init_tracing(cli.verbose);
    let _span = tracing::info_span!("prior", command = cli.command.name()).entered();
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
        Command::Campaign(a) => commands::campaign::run(a),
    };
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e) => {
            if !e.broken_pipe {
                term::err_diagnostic(&*e.report);
            }
            e.outcome()
        }
    };
    exit::exit_code(&outcome)
}

#[cfg(test)]
mod help_tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn help_says_what_prior_is_for_and_lists_exit_codes() {
        let help = Cli::command().render_help().to_string();
        assert!(
            help.starts_with(
                "Prior checks whether an Android app touches personal data before the user \
                 accepts its\nprivacy-consent screen."
            ),
            "{help}"
        );
        assert!(!help.contains("argument parsing"), "{help}");
        for code in [
            "0  no violation",
            "1  violations",
            "2  usage",
            "3  device",
            "4  incomplete",
        ] {
            assert!(help.contains(code), "missing {code:?} in {help}");
        }
    }

    #[test]
    fn verbosity_picks_the_level_for_prior_crates_and_rust_log_wins() {
        assert_eq!(log_filter(0, None), None);
        assert_eq!(log_filter(0, Some("  ")), None);
        let info = log_filter(1, None).unwrap_or_default();
        assert!(info.contains("prior_device=info") && info.contains("prior_analyze=info"));
        assert!(!info.contains("debug"));
        assert!(
            log_filter(2, None)
                .unwrap_or_default()
                .contains("prior_record=debug")
        );
        assert!(
            log_filter(7, None)
                .unwrap_or_default()
                .contains("prior_sim=trace")
        );
        assert_eq!(
            log_filter(3, Some("prior_device=trace")).as_deref(),
            Some("prior_device=trace")
        );
    }

    #[test]
    fn verbose_is_accepted_after_the_subcommand() {
        let cli = Cli::try_parse_from(["prior", "check", "-vv", "x.yaml"]);
        assert_eq!(cli.map(|c| c.verbose).ok(), Some(2));
    }
}
