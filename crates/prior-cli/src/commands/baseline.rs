//! `prior baseline save BUNDLE… --to FILE`: record the violation-level findings of some
//! bundles as known, for `prior run|report --baseline FILE` (`docs/reports.md`).

use super::analyze::analyze_bundle;
use crate::{CliError, CliResult, exit::Outcome};
use prior_analyze::Report;
use std::path::PathBuf;

/// Arguments of `prior baseline`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Save the findings of bundles as a baseline file.
    Save(SaveArgs),
}

/// Arguments of `prior baseline save`.
#[derive(Debug, clap::Args)]
struct SaveArgs {
    /// Session bundle directories.
    #[arg(required = true, value_name = "BUNDLE")]
    bundles: Vec<PathBuf>,
    /// The baseline file to write.
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
    /// Rule profile (default: each scenario's).
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// A personal-data catalog file to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
}

/// Runs `prior baseline`.
pub fn run(args: Args) -> CliResult {
    match args.command {
        Sub::Save(a) => {
            let mut reports: Vec<Report> = Vec::new();
            for dir in &a.bundles {
                reports.push(analyze_bundle(
                    dir,
                    a.profile.as_deref(),
                    a.catalog.as_deref(),
                    false,
                )?);
            }
            let refs: Vec<&Report> = reports.iter().collect();
            let b = prior_report::Baseline::from_reports(&refs);
            fs_err::write(&a.to, b.to_json()).map_err(CliError::io)?;
            note!(
                "baseline: {} finding(s) of {} bundle(s) saved to {}",
                b.findings.len(),
                a.bundles.len(),
                a.to.display()
            );
            Ok(Outcome::Done)
        }
    }
}
