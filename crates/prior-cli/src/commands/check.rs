//! `prior check FILE…`: validate scenario files and campaign files without a device.
//!
//! A file with a top-level `scenarios:` key is a campaign file (docs/campaigns.md): its shape,
//! every APK (through the check `prior run` makes) and every scenario (with the first app's
//! APK as `${APK}`) are checked.

use crate::{CliError, CliResult, exit::Outcome};
use prior_scenario::Vars;
use std::path::{Path, PathBuf};

/// Arguments of `prior check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files (or campaign files) to validate.
    #[arg(required = true, value_name = "FILE")]
    scenarios: Vec<PathBuf>,
    /// Set a `${KEY}` variable used in the scenario (repeatable).
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    vars: Vec<String>,
}

/// Runs `prior check`.
pub fn run(args: Args) -> CliResult {
    let vars = Vars::from_pairs(&args.vars).map_err(CliError::input_msg)?;
    let mut failed = 0;
    let (campaigns, scenarios): (Vec<PathBuf>, Vec<PathBuf>) =
        args.scenarios.iter().cloned().partition(|p| is_campaign(p));
    for c in &campaigns {
        failed += check_campaign(c, &vars);
    }
    for r in prior_scenario::check(&scenarios, &vars) {
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
        note!("{failed} problem(s) in {} file(s)", args.scenarios.len());
        return Ok(Outcome::InvalidInput { failed });
    }
    Ok(Outcome::Done)
}

/// A campaign file has a top-level `scenarios:` key; a scenario file never does.
fn is_campaign(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() || meta.len() > prior_campaign::file::MAX_FILE_BYTES {
        return false;
    }
    std::fs::read_to_string(path)
        .map(|t| t.lines().any(|l| l.starts_with("scenarios:")))
        .unwrap_or(false)
}

/// Checks one campaign file; returns how many problems it reported.
fn check_campaign(path: &Path, vars: &Vars) -> usize {
    let file = match prior_campaign::CampaignFile::load(path) {
        Ok(f) => f,
        Err(e) => {
            note!("error: {e}");
            return 1;
        }
    };
    let mut failed = 0;
    for p in file.check() {
        note!("error: {p}");
        failed += 1;
    }
    let apps = file.apps().unwrap_or_default();
    for app in apps.iter().filter(|a| a.apk.is_file()) {
        if let Err(e) = prior_apk::ApkFacts::read(&app.apk) {
            failed += 1;
            let at = match &app.source {
                Some((f, l)) => format!("{}:{l}", f.display()),
                None => path.display().to_string(),
            };
            note!("error: {at}: {}: failed to {e}", app.apk.display());
        }
    }
    let Some(first) = apps.first() else {
        return failed;
    };
    let mut vars = vars.clone();
    let apk = std::path::absolute(&first.apk).unwrap_or_else(|_| first.apk.clone());
    vars.set("APK", apk.display().to_string());
    for s in file.scenarios.iter().filter(|s| s.path.is_file()) {
        match prior_scenario::Scenario::load(&s.path, &vars) {
            Ok(sc) => {
                if sc.app.apk.is_none() {
                    note!(
                        "warning: {}: the scenario names no app.apk; a campaign gives each app to its scenarios as ${{APK}}",
                        s.path.display()
                    );
                }
            }
            Err(e) => {
                failed += 1;
                crate::term::err_diagnostic(&e);
            }
        }
    }
    if failed == 0 {
        say!(
            "ok: {} (campaign {}: {} app(s) × {} scenario(s))",
            path.display(),
            file.name,
            apps.len(),
            file.scenarios.len()
        );
    }
    failed
}
