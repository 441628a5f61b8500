//! `prior doctor`: checks adb, the adb server and devices, the SDK tools, hardware
//! acceleration, AVDs and images, and disk space; prints each problem with the command that
//! fixes it. Exit 0 only when a run on a real device can start, else 3 (environment error,
//! `docs/exit-codes.md`). The checks live in `prior_emulator::doctor`; this file renders them.

use crate::{
    CliResult,
    exit::{self, Outcome},
};
use prior_emulator::doctor::{Diagnosis, DoctorEnv, diagnose};
use std::path::PathBuf;

/// Output format of `prior doctor`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// One line per check, with fixes.
    Text,
    /// One JSON object (for CI).
    Json,
}

/// Arguments of `prior doctor`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Where bundles will be written (as `prior run --out`): its free space is checked.
    #[arg(long, value_name = "DIR", default_value = "prior-runs")]
    out: PathBuf,
}

/// Runs `prior doctor`.
pub fn run(args: Args) -> CliResult {
    let diagnosis = diagnose(&DoctorEnv::from_process(args.out));
    let outcome = if diagnosis.ready {
        Outcome::Done
    } else {
        Outcome::NotReady
    };
    let code = exit::code_of(&outcome);
    let text = match args.format {
        Format::Text => render_text(&diagnosis, code),
        Format::Json => render_json(&diagnosis, code),
    };
    super::out(&text)?;
    Ok(outcome)
}

/// The text report. Every string from the environment was escaped by the checks.
fn render_text(d: &Diagnosis, code: u8) -> String {
    let mut out = String::from("prior doctor: can a run on a real device start here?\n");
    let mut area = "";
    for c in &d.checks {
        if c.area != area {
            area = c.area;
            out.push_str(&format!("\n{area}\n"));
        }
        out.push_str(&format!(
            "  {:<5} {:<24} {}\n",
            c.status.label(),
            c.name,
            c.found
        ));
        for f in &c.fix {
            out.push_str(&format!("        fix:  {f}\n"));
        }
        if let Some(n) = &c.note {
            out.push_str(&format!("        note: {n}\n"));
        }
    }
    if !d.ran.is_empty() {
        out.push_str("\ncommands run\n");
        for r in &d.ran {
            out.push_str(&format!("  {r}\n"));
        }
    }
    out.push_str(&format!("\n{} (exit {code})\n", d.verdict));
    out
}

fn render_json(d: &Diagnosis, code: u8) -> String {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("exit_code".into(), code.into());
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
