//! `prior ui DUMP.xml`: run the consent-screen detector on a saved UI dump, so a scenario
//! author (or a regulator) can see why Prior tapped where it did.

use crate::{CliError, CliResult, exit::Outcome};
use prior_scenario::{Consent, Vars};
use std::path::PathBuf;

/// Output formats of `prior ui`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// A few lines of text.
    Text,
    /// A JSON object.
    Json,
}

/// Arguments of `prior ui`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `uiautomator dump` XML file.
    #[arg(value_name = "DUMP.xml")]
    dump: PathBuf,
    /// Use this scenario's consent selectors instead of the built-in defaults.
    #[arg(long, value_name = "SCENARIO")]
    scenario: Option<PathBuf>,
    /// Output format (text, like every other command; `json` for scripts).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

fn default_consent() -> Consent {
    Consent {
        mode: prior_scenario::ConsentMode::Auto,
        timeout: std::time::Duration::from_secs(30),
        screen: prior_scenario::wording::default_screen(),
        accept: prior_scenario::wording::default_accept(),
        reject: prior_scenario::wording::default_reject(),
        tick: prior_scenario::wording::default_tick(),
    }
}

/// Runs `prior ui`.
pub fn run(args: Args) -> CliResult {
    let consent = match &args.scenario {
        Some(p) => {
            let opts = prior_scenario::LoadOptions { check_files: false };
            prior_scenario::Scenario::load_with(p, &Vars::new(), opts)
                .map_err(|e| CliError::input(miette::Report::new(e)))?
                .consent
        }
        None => default_consent(),
    };
    let text = fs_err::read(&args.dump).map_err(CliError::io)?;
    let text = String::from_utf8_lossy(&text);
    let dump = prior_parse::ui::parse_dump(&text)
        .map_err(|e| CliError::input_msg(format!("{}: failed to {e}", args.dump.display())))?;
    let d = prior_record::detect::detect(&dump, &consent);
    let rendered = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&d).map_err(CliError::input_msg)?;
            s.push('\n');
            s
        }
        Format::Text => {
            let t = |t: &Option<prior_record::detect::Target>| match t {
                Some(t) => format!(
                    "{:?} at ({}, {}) id={:?}",
                    t.text, t.center[0], t.center[1], t.resource_id
                ),
                None => "none".to_string(),
            };
            let mut s = String::new();
            if d.permission_dialog {
                s.push_str("system permission dialog (not the app's consent screen)\n");
                s.push_str(&format!("  deny:   {}\n", t(&d.permission_deny)));
            } else {
                s.push_str(&format!(
                    "consent screen: {}\n",
                    if d.consent_screen { "yes" } else { "no" }
                ));
            }
            s.push_str(&format!(
                "  accept: {}\n  reject: {}\n  tick:   {}\n",
                t(&d.accept),
                t(&d.reject),
                t(&d.tick)
            ));
            s
        }
    };
    super::out(&rendered)?;
    Ok(Outcome::Done)
}
