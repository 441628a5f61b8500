//! `prior devices`: the devices the adb server knows, with model, API level and kind.

use crate::{CliError, CliResult, exit::Outcome};
use prior_device::AdbServer;

/// Output formats of `prior devices`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table.
    Text,
    /// A JSON array, one object per device.
    Json,
}

/// Arguments of `prior devices`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Deprecated spelling of `--format json` (hidden; still works, with a warning on stderr).
    #[arg(long, hide = true, conflicts_with = "format")]
    json: bool,
}

/// Runs `prior devices`.
pub fn run(args: Args) -> CliResult {
    let format = if args.json {
        note!("warning: `prior devices --json` is deprecated; use `--format json`");
        Format::Json
    } else {
        args.format
    };
    let server =
        AdbServer::from_env().map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    server
        .ensure_running()
        .map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    let list = server
        .list()
        .map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    let mut out = String::new();
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = list
            .iter()
            .map(|d| {
                serde_json::json!({
                    "serial": d.entry.serial,
                    "state": d.entry.state.as_str(),
                    "model": d.model,
                    "api_level": d.api_level,
                    "kind": d.kind.as_str(),
                    "error": d.error,
                })
            })
            .collect();
        out = serde_json::to_string_pretty(&rows).unwrap_or_default();
        out.push('\n');
    } else if list.is_empty() {
        out.push_str("no devices (start an emulator, `adb connect` one, or run `prior sim`)\n");
    } else {
        out.push_str(&format!(
            "{:<24} {:<14} {:<10} {:<4} {}\n",
            "SERIAL", "STATE", "KIND", "API", "MODEL"
        ));
        // serials, models and errors come from devices: escaped for the terminal
        let p = prior_emulator::doctor::printable;
        for d in &list {
            out.push_str(&format!(
                "{:<24} {:<14} {:<10} {:<4} {}{}\n",
                p(&d.entry.serial),
                d.entry.state.as_str(),
                d.kind.as_str(),
                d.api_level
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "-".into()),
                p(d.model.as_deref().unwrap_or("-")),
                d.error
                    .as_deref()
                    .map(|e| format!("  ({})", p(e)))
                    .unwrap_or_default(),
            ));
        }
    }
    super::out(&out)?;
    Ok(Outcome::Done)
}
