//! `prior devices`: the devices the adb server knows, with model, API level and kind.

use crate::{CliError, CliResult, exit::Outcome};
use prior_device::AdbServer;

/// Arguments of `prior devices`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `prior devices`.
pub fn run(args: Args) -> CliResult {
    let server =
        AdbServer::from_env().map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    server
        .ensure_running()
        .map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    let list = server
        .list()
        .map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    let mut out = String::new();
    if args.json {
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
        for d in &list {
            out.push_str(&format!(
                "{:<24} {:<14} {:<10} {:<4} {}{}\n",
                d.entry.serial,
                d.entry.state.as_str(),
                d.kind.as_str(),
                d.api_level
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "-".into()),
                d.model.as_deref().unwrap_or("-"),
                d.error
                    .as_deref()
                    .map(|e| format!("  ({e})"))
                    .unwrap_or_default(),
            ));
        }
    }
    super::out(&out)?;
    Ok(Outcome::Done)
}
