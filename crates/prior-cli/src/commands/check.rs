//! `prior check SCENARIO…`: validate scenario files without a device.

use crate::{CliError, CliResult, exit::Outcome};
use prior_scenario::Vars;
use std::path::PathBuf;

/// Arguments of `prior check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files to validate.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Set a `${KEY}` variable used in the scenario (repeatable).
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    vars: Vec<String>,
}

/// Runs `prior check`.
pub fn run(args: Args) -> CliResult {
    let vars = Vars::from_pairs(&args.vars).map_err(CliError::input_msg)?;
    let mut failed = 0;
    for r in prior_scenario::check(&args.scenarios, &vars) {
        match r.result {
            Ok(s) => {
                for w in &s.warnings {
                    note!("warning: {}:{}: {}", r.path.display(), w.at, w.message);
                }
                // The APK through the very check `prior run` makes before installing it (file
                // type, size, zip signature, manifest, package): `check` passes only what
                // `run` can install.
                if let Err(e) = super::run::app_under_test(&s) {
                    failed += 1;
                    note!("error: {}: {}", r.path.display(), e.report);
                    continue;
                }
                say!("ok: {} ({})", r.path.display(), s.name);
            }
            Err(e) => {
                failed += 1;
                crate::term::err_diagnostic(&e);
            }
        }
    }
    if failed > 0 {
        note!(
            "{failed} of {} scenario file(s) have errors",
            args.scenarios.len()
        );
        return Ok(Outcome::InvalidInput { failed });
    }
    Ok(Outcome::Done)
}
