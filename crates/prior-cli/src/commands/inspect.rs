//! `prior inspect APK`: the static inventory of an APK (manifest facts, signing certificate,
//! permissions, components, auto-init providers, SDKs in `classes*.dex`).

use crate::{CliError, CliResult, exit::Outcome};
use prior_apk::{Inventory, SdkCatalog};
use std::path::{Path, PathBuf};

/// Output formats of `prior inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON object.
    Json,
}

/// Arguments of `prior inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The APK to inspect.
    #[arg(value_name = "APK")]
    apk: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// A complete SDK catalog replacing the built-in one (TOML; see docs/sdks.md).
    #[arg(long = "sdk-catalog", alias = "sdk-catalogue", value_name = "FILE")]
    sdk_catalogue: Option<PathBuf>,
}

/// Loads the SDK catalogue: the file given, else the built-in one.
pub fn load_catalogue(path: Option<&Path>) -> Result<SdkCatalog, CliError> {
    match path {
        Some(p) => SdkCatalog::from_file(p),
        None => SdkCatalog::builtin(),
    }
    .map_err(|e| CliError::input_msg(format!("failed to {e}")))
}

/// Runs `prior inspect`.
pub fn run(args: Args) -> CliResult {
    let catalog = load_catalogue(args.sdk_catalogue.as_deref())?;
    let inv = Inventory::read(&args.apk, &catalog)
        .map_err(|e| CliError::input_msg(format!("failed to {e}")))?;
    let text = match args.format {
        Format::Text => inv.to_text(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&inv)
                .map_err(|e| CliError::input_msg(format!("failed to serialise: {e}")))?;
            s.push('\n');
            s
        }
    };
    super::out(&text)?;
    Ok(Outcome::Done)
}
