//! `prior ui DUMP.xml`: run the consent-screen detector on a saved UI dump, so a scenario
//! author (or a regulator) can see why Prior tapped where it did.

use crate::{CliError, CliResult, exit::Outcome};
use prior_scenario::{Consent, Vars};
use std::path::{Path, PathBuf};

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

/// Reads a UI dump of at most [`prior_parse::ui::MAX_INPUT`] bytes: only a regular file, opened
/// without blocking (`prior_apk::open_regular`: a FIFO or a device is never opened), its size
/// checked before reading (a sparse 3 GB file is never read), and the read itself stops one byte
/// past the limit in case the file grew in between.
fn read_dump(path: &Path) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    let max = prior_parse::ui::MAX_INPUT as u64;
    let shown = path.display();
    let fail = |why: String| CliError::input_msg(format!("failed to read {shown}: {why}"));
    let too_big = |n: u64| {
        fail(format!(
            "{n} bytes or more, over the {max}-byte limit of a UI dump"
        ))
    };
    let (file, size) = prior_apk::open_regular(path).map_err(|e| match e {
        prior_apk::OpenError::Io(e) => CliError::io(e),
        prior_apk::OpenError::Invalid(why) => fail(why.to_string()),
    })?;
    if size > max {
        return Err(too_big(size));
    }
    let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max + 1)
        .read_to_end(&mut buf)
        .map_err(CliError::io)?;
    if buf.len() as u64 > max {
        return Err(too_big(buf.len() as u64));
    }
    Ok(buf)
}

fn default_consent() -> Consent {
    Consent {
        mode: prior_scenario::ConsentMode::Auto,
        timeout: std::time::Duration::from_secs(30),
        screen: prior_scenario::wording::default_screen(),
        accept: prior_scenario::wording::default_accept(),
        reject: prior_scenario::wording::default_reject(),
        tick: Some(prior_scenario::wording::default_tick()),
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
    let text = read_dump(&args.dump)?;
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
